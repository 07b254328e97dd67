-- Argo CD health of a ray.io/v1 RayJob, from status.jobDeploymentStatus (KubeRay's values), with
-- status.jobStatus, status.reason and status.message for the message. Job-like, as Argo CD's own
-- batch/Job check: Healthy once Complete, Progressing while it gets there (Running included).
-- Argo CD runs this with Lua's base, table and os libraries only: no string library.
local hs = {}

-- Join the non-empty parts with ": ".
local function join(...)
  local parts = {}
  for _, part in ipairs({...}) do
    if part ~= nil and part ~= "" then
      table.insert(parts, tostring(part))
    end
  end
  return table.concat(parts, ": ")
end

local status = obj.status
if status == nil or next(status) == nil then
  hs.status = "Progressing"
  hs.message = "Waiting for the Ray operator to report a status"
  return hs
end

-- KubeRay declares status.observedGeneration but does not set it; honour it when present.
local generation = obj.metadata.generation
local observed = status.observedGeneration
if generation ~= nil and observed ~= nil and observed < generation then
  hs.status = "Progressing"
  hs.message = "Waiting for the Ray operator to observe generation " .. tostring(generation)
    .. " (observed: " .. tostring(observed) .. ")"
  return hs
end

local spec = obj.spec or {}
local deployment = status.jobDeploymentStatus or ""
local job = status.jobStatus or ""
local id = status.jobId or ""

if deployment == "Complete" then
  hs.status = "Healthy"
  hs.message = join("Ray job " .. id .. " is " .. (job ~= "" and job or "complete"), status.reason, status.message)
elseif deployment == "Failed" or deployment == "ValidationFailed" then
  hs.status = "Degraded"
  hs.message = join(deployment, status.reason, status.message)
elseif deployment == "Suspended" then
  if spec.suspend == true then
    hs.status = "Suspended"
    hs.message = "RayJob is suspended"
  else
    -- Just edited: spec.suspend was cleared and the operator has not resumed the job yet.
    hs.status = "Progressing"
    hs.message = "RayJob is resuming"
  end
elseif deployment == "Suspending" then
  hs.status = "Progressing"
  hs.message = "RayJob is suspending: deleting its RayCluster"
elseif deployment == "Retrying" then
  hs.status = "Progressing"
  hs.message = join("Retrying after failed attempt " .. tostring(status.failed or 0), status.reason, status.message)
elseif deployment == "Waiting" then
  hs.status = "Progressing"
  hs.message = "Waiting for spec.jobId (InteractiveMode): submit the job to RayCluster "
    .. (status.rayClusterName or "")
elseif deployment == "Running" then
  hs.status = "Progressing"
  hs.message = join("Ray job " .. id .. " is " .. (job ~= "" and job or "being submitted"), status.message)
elseif deployment == "Initializing" then
  hs.status = "Progressing"
  hs.message = "Waiting for RayCluster " .. (status.rayClusterName or "") .. " to be ready"
elseif deployment == "" then
  hs.status = "Progressing"
  hs.message = "Waiting for the Ray operator to start the RayJob"
else
  hs.status = "Unknown"
  hs.message = "Unknown jobDeploymentStatus " .. deployment
end
return hs
