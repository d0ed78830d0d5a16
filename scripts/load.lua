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
wrk.body = [[
{
  "replicate" : {
    "auto_trigger" : false,
    "destination_project_id" : "68589cac08274b82b4e254268a3862d8",
    "destination_region" : "region2",
    "destination_vault_id" : "0ca3eb86-8800-46da-9c37-9d657a825274",
    "enable_acceleration" : false,
    "vault_id" : "3b5816b5-f29c-4172-9d9a-76c719a659ce"
  }
}
]]

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
