-- wrk script: each request is a random line of the file named by BATON_BENCH_URLS, one
-- "<cookie-index> <path>" per line, sent with that user's session: line <cookie-index> + 1 of the
-- file named by BATON_BENCH_COOKIES (one Cookie header value per line, one line per user).
-- Answers other than 200 (a redirect to sign-in, a 404) are counted and reported as "not_ok".
-- bench/run.py writes both files; BATON_BENCH_SEED seeds the choice.
local requests = {}
bench_threads = {}
not_ok = 0

setup = function(thread)
  table.insert(bench_threads, thread)
end

init = function(args)
  local cookies = {}
  for line in io.lines(os.getenv("BATON_BENCH_COOKIES")) do
    table.insert(cookies, line)
  end
  for line in io.lines(os.getenv("BATON_BENCH_URLS")) do
    local index, path = line:match("^(%d+) (%S+)$")
    if index then
      table.insert(requests, wrk.format("GET", path, {["Cookie"] = cookies[tonumber(index) + 1]}))
    end
  end
  math.randomseed(tonumber(os.getenv("BATON_BENCH_SEED") or "1"))
end

request = function()
  return requests[math.random(#requests)]
end

response = function(status, headers, body)
  if status ~= 200 then
    not_ok = not_ok + 1
  end
end

-- The same one-line JSON report as every other run.
dofile(os.getenv("BATON_BENCH_REPORT"))
