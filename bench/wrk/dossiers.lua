-- POST /v1/dossiers: a new dossier each time, every component of procedure 1.003010 given, two of
-- them reused from the applicant's own digitized results (state 3).
-- Environment: BENCH_APPLICANTS (file: applicant, land-use result id, marriage result id; tab-separated),
-- BENCH_KEY, BENCH_PROCEDURE, BENCH_AGENCY (the key's agency: dossier ids begin with its code).
local applicants = {}
local counter = 0
local prefix = ""
local key = os.getenv("BENCH_KEY") or ""
local procedure = os.getenv("BENCH_PROCEDURE") or "1.003010"
local agency = os.getenv("BENCH_AGENCY") or "BENCH-LOAD"
local threads = 0
local headers = {}

function setup(thread)
  threads = threads + 1
  thread:set("thread_no", threads)
end

function init(args)
  for line in io.lines(os.getenv("BENCH_APPLICANTS")) do
    local a, r1, r2 = line:match("^(%S+)\t(%S+)\t(%S+)$")
    if a then applicants[#applicants + 1] = {a, r1, r2} end
  end
  math.randomseed(os.time() * 1000 + (thread_no or 0))
  prefix = string.format("%s-%d-%d-", agency, os.time(), thread_no or 0)
  headers = {["Authorization"] = "Bearer " .. key, ["Content-Type"] = "application/json"}
end

function request()
  counter = counter + 1
  local pick = applicants[math.random(#applicants)]
  local body = string.format(
    '{"dossier_id":"%s%d","procedure_code":"%s","applicant_personal_id":"%s","channel":"online",' ..
    '"fee_paid_online":true,"components":[{"code":"to_khai","state":1},{"code":"hop_dong","state":1},' ..
    '{"code":"gcn_qsdd","state":3,"result_id":"%s"},{"code":"giay_ket_hon","state":3,"result_id":"%s"}]}',
    prefix, counter, procedure, pick[1], pick[2], pick[3])
  return wrk.format("POST", "/v1/dossiers", headers, body)
end

done = dofile(os.getenv("BENCH_WRK_DIR") .. "/report.lua")
