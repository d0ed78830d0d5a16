-- wrk script for scripts/load.sh: POSTs the example request of the API page
-- "Replicating a Restore Point" to `cbr-replicate mock`, and prints a summary
-- a script can read: requests/s, latency percentiles, non-2xx count.
--
-- The token is a placeholder (the mock accepts any non-empty token); set
-- CBR_LOAD_TOKEN to send another one. It is never printed.

wrk.method = "POST"
wrk.path = "/v3/" .. (os.getenv("CBR_LOAD_PROJECT_ID") or "4229d7a45436489f8c3dc2b1d35d4987") .. "/checkpoints/replicate"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-Auth-Token"] = os.getenv("CBR_LOAD_TOKEN") or "load-test-token"
-- The body is the page's example request, as the CLI's tests keep it
-- (load.sh runs from the repository root); CBR_LOAD_BODY names another file.
local body_file = os.getenv("CBR_LOAD_BODY") or "cmd/cbr-replicate/testdata/page-request.json"
local f = assert(io.open(body_file, "rb"), "load.lua: cannot open " .. body_file)
wrk.body = f:read("*a")
f:close()

-- done runs once, after every thread has finished, with the merged results:
-- no per-thread Lua state is involved. summary.errors.status counts the
-- answers with a status above 399 (wrk's "Non-2xx or 3xx responses", which
-- wrk itself prints only when it is not zero; the mock never answers 3xx).
function done(summary, latency, requests)
  local seconds = summary.duration / 1e6
  io.write("--- load.lua summary ---\n")
  io.write(string.format("requests:          %d in %.2f s\n", summary.requests, seconds))
  io.write(string.format("requests/s:        %.0f\n", summary.requests / seconds))
  for _, p in ipairs({ 50, 90, 99, 99.9 }) do
    io.write(string.format("latency p%-5s     %.3f ms\n", tostring(p) .. ":", latency:percentile(p) / 1000))
  end
  io.write(string.format("latency max:       %.3f ms\n", latency.max / 1000))
  io.write(string.format("non-2xx responses: %d\n", summary.errors.status))
  io.write(string.format("socket errors:     connect %d, read %d, write %d, timeout %d\n",
    summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.timeout))
end
