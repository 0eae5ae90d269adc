-- GET /v1/citizens/{id} with random existing ids, purpose headers and the agency's bearer key.
-- Environment: BENCH_IDS (file, one id a line), BENCH_KEY, BENCH_PROCEDURE, BENCH_FIELDS (optional),
-- BENCH_DELAY_MS (optional: pause per connection between requests, to hold a steady rate),
-- BENCH_DOSSIER_PREFIX (dossier <prefix>n is opened for the id of line n: bench/stack.py).
local ids = {}
local counter = 0
local prefix = ""
local key = os.getenv("BENCH_KEY") or ""
local procedure = os.getenv("BENCH_PROCEDURE") or "1.004873"
local fields = os.getenv("BENCH_FIELDS")
local pause = tonumber(os.getenv("BENCH_DELAY_MS") or "0")
local dossiers = os.getenv("BENCH_DOSSIER_PREFIX")
local threads = 0

function setup(thread)
  threads = threads + 1
  thread:set("thread_no", threads)
end

function init(args)
  for line in io.lines(os.getenv("BENCH_IDS")) do
    if #line > 0 then ids[#ids + 1] = line end
  end
  math.randomseed(os.time() * 1000 + (thread_no or 0))
  prefix = string.format("BENCH-%d-%d-", os.time(), thread_no or 0)
end

function request()
  counter = counter + 1
  local n = math.random(#ids)
  local path = "/v1/citizens/" .. ids[n]
  if fields then path = path .. "?fields=" .. fields end
  local dossier = prefix .. counter
  if dossiers then dossier = dossiers .. n end
  return wrk.format("GET", path, {
    ["Authorization"] = "Bearer " .. key,
    ["X-Dossier-Id"] = dossier,
    ["X-Procedure-Code"] = procedure,
  })
end

if pause > 0 then
  function delay() return pause end
end

done = dofile(os.getenv("BENCH_WRK_DIR") .. "/report.lua")
