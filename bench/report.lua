-- wrk script: prints one JSON line with throughput, latency percentiles (ms) and error counts,
-- and "not_ok": the answers other than 200 counted by a script that keeps its threads in
-- bench_threads (spread.lua), else null.
done = function(summary, latency, requests)
  local seconds = summary.duration / 1e6
  local errors = summary.errors
  local not_ok = "null"
  if bench_threads then
    local count = 0
    for _, thread in ipairs(bench_threads) do
      count = count + (thread:get("not_ok") or 0)
    end
    not_ok = tostring(count)
  end
  io.write(string.format(
    '{"requests": %d, "seconds": %.3f, "rps": %.2f, "p50": %.3f, "p95": %.3f, "p99": %.3f, "max": %.3f, ' ..
    '"socket_errors": %d, "timeouts": %d, "http_errors": %d, "not_ok": %s}\n',
    summary.requests, seconds, summary.requests / seconds,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, errors.connect + errors.read + errors.write, errors.timeout, errors.status, not_ok))
end
