-- wrk script of bench/gateway_throughput.py.
-- With SIGNED_FILE set, every request carries the next pre-signed X-DDT-* header set
-- (one line per request: key_id timestamp nonce signature), so each nonce is used once and
-- no signing happens while the clock runs. done() prints one JSON line of results.
local threads = {}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
  table.insert(threads, thread)
end

function init(args)
  path = wrk.path
  lines = {}
  local file = os.getenv("SIGNED_FILE")
  local total = tonumber(os.getenv("WRK_THREADS") or "1")
  if file then
    local i = 0
    for line in io.lines(file) do
      if i % total == (id - 1) then table.insert(lines, line) end
      i = i + 1
    end
  end
  index = 0
  empty_hash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
end

function request()
  if #lines == 0 then
    return wrk.format("GET", path)
  end
  index = index + 1
  if index > #lines then index = 1 end
  local key, ts, nonce, sig = lines[index]:match("(%S+) (%S+) (%S+) (%S+)")
  return wrk.format("GET", path, {
    ["X-DDT-Algorithm"] = "DDT1-HMAC-SHA256",
    ["X-DDT-Key-Id"] = key,
    ["X-DDT-Timestamp"] = ts,
    ["X-DDT-Nonce"] = nonce,
    ["X-DDT-Content-SHA256"] = empty_hash,
    ["X-DDT-Signature"] = sig,
  })
end

function done(summary, latency, requests)
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "non_2xx": %d, "socket_errors": %d, ' ..
    '"p50_us": %d, "p95_us": %d, "p99_us": %d, "max_us": %d}\n',
    summary.requests, summary.duration, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max))
end
