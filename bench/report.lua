-- wrk script: prints one JSON line with throughput, latency percentiles (ms) and error counts.
done = function(summary, latency, requests)
  local seconds = summary.duration / 1e6
  local errors = summary.errors
  io.write(string.format(
    '{"requests": %d, "seconds": %.3f, "rps": %.2f, "p50": %.3f, "p95": %.3f, "p99": %.3f, "max": %.3f, ' ..
    '"socket_errors": %d, "timeouts": %d, "http_errors": %d}\n',
    summary.requests, seconds, summary.requests / seconds,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, errors.connect + errors.read + errors.write, errors.timeout, errors.status))
end
