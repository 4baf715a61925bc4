-- wrk: POST /api/v1/commands/identify-lesson, a new lesson each time (its own id and
-- Idempotency-Key), citing an experiment of the demo. ops/load.sh sets MUNICIPALITY and
-- EXPERIMENT in the environment.
local municipality = os.getenv("MUNICIPALITY")
local experiment = os.getenv("EXPERIMENT")

local function uuid()
  local template = "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx"
  return (string.gsub(template, "[xy]", function(c)
    local v = (c == "x") and math.random(0, 15) or math.random(8, 11)
    return string.format("%x", v)
  end))
end

function setup(thread)
  thread:set("seed", math.random(1, 1e9))
end

function init(args)
  math.randomseed(os.time() + (seed or 0))
end

request = function()
  local id = uuid()
  local body = '{"lesson":"' .. id .. '","municipality":"' .. municipality .. '","unit":null,'
    .. '"title":{"fi":"Etäkäyntien ajanvaraus kannattaa keskittää"},'
    .. '"driving_event":{"fi":"Kokeilussa ajanvaraukset hajaantuivat usealle työntekijälle."},'
    .. '"lesson_text":{"fi":"Yksi yhteinen ajanvarauskalenteri vähensi päällekkäisiä käyntejä."},'
    .. '"recommendations":[],"observations":[],'
    .. '"sources":[{"kind":"experiment","id":"' .. experiment .. '"}],"tags":["kotihoito"]}'
  -- Headers given here replace wrk's -H ones, so the Authorization header is carried over.
  local headers = {}
  for name, value in pairs(wrk.headers) do headers[name] = value end
  headers["Content-Type"] = "application/json"
  headers["Idempotency-Key"] = "load-" .. id
  return wrk.format("POST", "/api/v1/commands/identify-lesson", headers, body)
end
