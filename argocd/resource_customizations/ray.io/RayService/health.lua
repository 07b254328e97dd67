-- Argo CD health of a ray.io/v1 RayService, from KubeRay's conditions (Ready, UpgradeInProgress,
-- RollbackInProgress, Suspending, Suspended) and status.observedGeneration; the deprecated
-- status.serviceStatus when there is no Ready condition.
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

local function has_reason(c, value, reason)
  return c ~= nil and c.status == value and c.reason == reason
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

local status = obj.status
if status == nil or next(status) == nil then
  hs.status = "Progressing"
  hs.message = "Waiting for the Ray operator to report a status"
  return hs
end

local conditions = status.conditions
local ready = condition(conditions, "Ready")
local generation = obj.metadata.generation
local observed = status.observedGeneration
local current = generation == nil or (observed ~= nil and observed >= generation)

-- A rejected spec is never "observed": status.observedGeneration stays at the last accepted one.
if has_reason(ready, "False", "ValidationFailed") and not current then
  hs.status = "Degraded"
  hs.message = describe(ready, "The RayService spec is invalid")
  return hs
end

if not current then
  hs.status = "Progressing"
  hs.message = "Waiting for the Ray operator to observe generation " .. tostring(generation)
    .. " (observed: " .. tostring(observed or "none") .. ")"
  return hs
end

if is_true(condition(conditions, "Suspended")) then
  hs.status = "Suspended"
  hs.message = "RayService is suspended"
  return hs
end
local suspending = condition(conditions, "Suspending")
if is_true(suspending) then
  hs.status = "Progressing"
  hs.message = describe(suspending, "RayService is suspending")
  return hs
end

if has_reason(ready, "False", "InitializingTimeout") then
  hs.status = "Degraded"
  hs.message = describe(ready, "RayService failed to become ready in time")
  return hs
end

local rollback = condition(conditions, "RollbackInProgress")
if is_true(rollback) then
  hs.status = "Progressing"
  hs.message = describe(rollback, "Rolling back")
  return hs
end
local upgrade = condition(conditions, "UpgradeInProgress")
if is_true(upgrade) then
  hs.status = "Progressing"
  hs.message = describe(upgrade, "Upgrading")
  return hs
end

if ready == nil then
  if status.serviceStatus == "Running" then
    hs.status = "Healthy"
    hs.message = "RayService is running"
  else
    hs.status = "Progressing"
    hs.message = "RayService is not running yet"
  end
  return hs
end
if is_true(ready) then
  hs.status = "Healthy"
  hs.message = describe(ready, "RayService is ready")
  return hs
end
-- Initializing, ZeroServeEndpoints, or a ValidationFailed left from before the spec was fixed.
hs.status = "Progressing"
hs.message = describe(ready, "RayService is not ready yet")
return hs
