-- wrk script shared by the benchmarks (bench/harness.py run_wrk drives it through the environment):
--   BENCH_METHOD  GET or POST
--   BENCH_TOKEN   bearer token, or empty for none
--   BENCH_BODIES  file with one request body per line (cycled through), or empty for none
--   BENCH_STOP_AT optional epoch second: from then on no more of these requests are sent (each
--                 connection sends GET /healthz instead) and the thread stops as soon as every
--                 request it sent has its response.  wrk alone would stop at -d with requests in
--                 flight that the server handled but wrk never counted; this makes counts exact.
-- Counts every response status per thread (response callback) and prints one JSON line,
-- "BENCH_RESULT {...}", with the status counts summed over threads, wrk's error counters
-- and latency percentiles in microseconds.

local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("id", #threads)
end

local method = os.getenv("BENCH_METHOD") or "GET"
local token = os.getenv("BENCH_TOKEN") or ""
local body_file = os.getenv("BENCH_BODIES") or ""
local stop_at = tonumber(os.getenv("BENCH_STOP_AT") or "")
local requests = {}
local idle = nil
local n = 0
local i = 0
sent = 0
received = 0
statuses = {}

function init(args)
  local headers = {}
  if token ~= "" then headers["Authorization"] = "Bearer " .. token end
  if body_file ~= "" then
    headers["Content-Type"] = "application/json"
    for line in io.lines(body_file) do
      table.insert(requests, wrk.format(method, nil, headers, line))
    end
  else
    table.insert(requests, wrk.format(method, nil, headers, nil))
  end
  n = #requests
  idle = wrk.format("GET", "/healthz", {}, nil)
  -- wrk calls request() once on the first thread to check the script (script_verify_request);
  -- that request is never sent, so it must not be waited for.
  if id == 1 then sent = -1 end
end

function request()
  if stop_at and os.time() >= stop_at then
    return idle
  end
  sent = sent + 1
  i = i % n + 1
  return requests[i]
end

function response(status, headers, body)
  if stop_at and status == 200 then  -- an idle GET /healthz after the stop time: not counted
    if received >= sent then wrk.thread:stop() end
    return
  end
  received = received + 1
  statuses[status] = (statuses[status] or 0) + 1
  if stop_at and received >= sent and os.time() >= stop_at then wrk.thread:stop() end
end

function done(summary, latency, req)
  local total = {}
  local unanswered = 0
  for _, thread in ipairs(threads) do
    unanswered = unanswered + thread:get("sent") - thread:get("received")
    local s = thread:get("statuses")
    for code, count in pairs(s) do
      total[code] = (total[code] or 0) + count
    end
  end
  local parts = {}
  for code, count in pairs(total) do
    table.insert(parts, string.format('"%d": %d', code, count))
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH_RESULT {"requests": %d, "duration_us": %d, "unanswered": %d, "statuses": {%s}, ' ..
    '"errors": {"connect": %d, "read": %d, "write": %d, "timeout": %d, "status": %d}, ' ..
    '"latency_us": {"mean": %.1f, "p50": %d, "p90": %d, "p99": %d, "max": %d}}\n',
    summary.requests, summary.duration, unanswered, table.concat(parts, ", "),
    e.connect, e.read, e.write, e.timeout, e.status,
    latency.mean, latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end
