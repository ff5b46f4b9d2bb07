-- wrk script: POSTs signed Jira comment deliveries, each body its own (Baton names a Jira delivery by its
-- signed body, so none is a repeat). bench/webhooks.py writes the bodies and signatures to the file
-- named by BATON_WEBHOOK_BODIES: one "<signature>\t<body>" per line.
local bodies = {}
local counter = 0
local run = tostring(os.time())

init = function(args)
  for line in io.lines(os.getenv("BATON_WEBHOOK_BODIES")) do
    local signature, body = line:match("^([^\t]+)\t(.*)$")
    table.insert(bodies, {signature = signature, body = body})
  end
end

request = function()
  counter = counter + 1
  local item = bodies[((counter - 1) % #bodies) + 1]
  local headers = {
    ["Content-Type"] = "application/json",
    ["X-Hub-Signature"] = item.signature,
    ["X-Atlassian-Webhook-Identifier"] = "bench-" .. run .. "-" .. counter,
  }
  return wrk.format("POST", nil, headers, item.body)
end

-- The same one-line JSON report as every other page's run.
dofile(os.getenv("BATON_BENCH_REPORT"))
