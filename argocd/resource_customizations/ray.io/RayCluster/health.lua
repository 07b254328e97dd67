-- Argo CD health of a ray.io/v1 RayCluster, from the status the operator writes
-- (KubeRay's conditions; the deprecated status.state when conditions are off).
-- Argo CD runs this with Lua's base, table and os libraries only: no string library.
local hs = {}

local function condition(conditions, kind)
  for _, c in ipairs(conditions or {}) do
    if c.type == kind then
      return c
    end
  end
  return nil
end

local function is_true(c)
  return c ~= nil and c.status == "True"
end

-- "reason: message", or whichever of the two is set.
local function describe(c, fallback)
  if c == nil then
    return fallback
  end
  local reason, message = c.reason or "", c.message or ""
  if reason ~= "" and message ~= "" then
    return reason .. ": " .. message
  end
  if reason ~= "" then
    return reason
  end
  if message ~= "" then
    return message
  end
  return fallback
end

local function workers(status)
  return tostring(status.readyWorkerReplicas or 0) .. "/" .. tostring(status.desiredWorkerReplicas or 0)
    .. " workers ready"
end

local status = obj.status
if status == nil or next(status) == nil then
  hs.status = "Progressing"
  hs.message = "Waiting for the Ray operator to report a status"
  return hs
end

local generation = obj.metadata.generation
local observed = status.observedGeneration
if generation ~= nil and (observed == nil or observed < generation) then
  hs.status = "Progressing"
  hs.message = "Waiting for the Ray operator to observe generation " .. tostring(generation)
    .. " (observed: " .. tostring(observed or "none") .. ")"
  return hs
end

local conditions = status.conditions
local invalid = condition(conditions, "ValidationFailed")
if is_true(invalid) then
  hs.status = "Degraded"
  hs.message = describe(invalid, "The RayCluster spec is invalid")
  return hs
end

if conditions == nil then
  -- Status conditions disabled (feature gate RayClusterStatusConditions): only status.state.
  if status.state == "ready" then
    hs.status = "Healthy"
    hs.message = "RayCluster is ready, " .. workers(status)
  elseif status.state == "suspended" then
    hs.status = "Suspended"
    hs.message = "RayCluster is suspended"
  elseif status.state == "failed" then
    hs.status = "Degraded"
    hs.message = status.reason or "RayCluster failed"
  else
    hs.status = "Progressing"
    hs.message = "RayCluster is not ready yet"
  end
  return hs
end

local failure = condition(conditions, "ReplicaFailure")
if is_true(failure) then
  hs.status = "Degraded"
  hs.message = describe(failure, "A Ray Pod could not be created or deleted")
  return hs
end

if is_true(condition(conditions, "RayClusterSuspended")) then
  hs.status = "Suspended"
  hs.message = "RayCluster is suspended"
  return hs
end
if is_true(condition(conditions, "RayClusterSuspending")) then
  hs.status = "Progressing"
  hs.message = "RayCluster is suspending: deleting its Pods"
  return hs
end

local head = condition(conditions, "HeadPodReady")
local provisioned = condition(conditions, "RayClusterProvisioned")
if not is_true(provisioned) then
  hs.status = "Progressing"
  hs.message = describe(provisioned, "RayCluster Pods are being provisioned") .. "; head Pod: "
    .. describe(head, "unknown") .. "; " .. workers(status)
  return hs
end
if not is_true(head) then
  hs.status = "Degraded"
  hs.message = "Head Pod is not ready: " .. describe(head, "unknown")
  return hs
end

hs.status = "Healthy"
hs.message = "RayCluster is ready, " .. workers(status)
return hs
