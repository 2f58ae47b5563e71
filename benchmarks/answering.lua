-- wrk's script for benchmarks/answering.py (which writes the files it names):
--   wrk ... -s benchmarks/answering.lua URL -- MODE THREADS [TOKENS [ANSWERS [COOKIE CSRF]]]
-- MODE  plain    GET the URL (the hello-world), expects 200
--       get      GET /s/<token>/ round the tokens, expects 200
--       post     POST the answers to /s/<token>/, each token once, expects 302,
--                with a CSRF cookie and token (COOKIE, CSRF) fetched beforehand;
--                ANSWERS is a file holding the form's fields, url-encoded
--       journey  per token: GET /s/<token>/ with no cookie, then POST the answers
--                with the cookie and CSRF token that page gave; expects 200, 302.
--                Needs one connection per thread (-t N -c N): its state is the
--                thread's, and a thread's requests then go one after another.
-- Each thread takes every THREADS-th token from its own offset, so no two
-- threads share one; a thread that runs out stops (counted as "exhausted").
-- WRK_PAUSE_MS (environment), if above 0: each connection waits that long after
-- each response before its next request, a load well below the server's capacity
-- (benchmarks/fanout_workers.py measures latency so, not throughput).
-- Prints one line for answering.py: RESULT key=value ...

local threads, next_id = {}, 0

-- Defined only when asked for: wrk checks once, at start, whether it exists.
local pause = tonumber(os.getenv("WRK_PAUSE_MS") or "0") or 0
if pause > 0 then
  function delay() return pause end
end

function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

local function lines(file)
  local out = {}
  for line in io.lines(file) do
    if line ~= "" then table.insert(out, line) end
  end
  return out
end

function init(args)
  mode, stride = args[1], tonumber(args[2])
  tokens, at, pending = {}, 0, nil
  ok, bad, saved, exhausted = 0, 0, 0, 0
  if args[3] then
    for n, token in ipairs(lines(args[3])) do
      if (n - 1) % stride == id then table.insert(tokens, token) end
    end
  end
  if args[4] then
    local file = io.open(args[4]); answers = file:read("*a"); file:close()
  end
  if args[5] then
    cookie = args[5]
    answers = answers .. "&csrfmiddlewaretoken=" .. args[6]
  end
end

local function next_token()
  at = at + 1
  if at > #tokens then
    if mode == "get" then at = 1 else exhausted = 1; wrk.thread:stop(); at = #tokens end
  end
  return tokens[at]
end

function request()
  if mode == "plain" then return wrk.format("GET") end
  if mode == "journey" and pending then
    local p = pending
    pending = nil
    return wrk.format("POST", p.path, {
      ["Content-Type"] = "application/x-www-form-urlencoded",
      ["Cookie"] = "csrftoken=" .. p.cookie,
    }, answers .. "&csrfmiddlewaretoken=" .. p.csrf)
  end
  local path = "/s/" .. next_token() .. "/"
  if mode == "post" then
    return wrk.format("POST", path, {
      ["Content-Type"] = "application/x-www-form-urlencoded",
      ["Cookie"] = "csrftoken=" .. cookie,
    }, answers)
  end
  last_path = path
  return wrk.format("GET", path)
end

function response(status, headers, body)
  local expected = 200
  if mode == "post" then expected = 302 end
  if mode == "journey" then
    if last_path then
      local cookie = (headers["Set-Cookie"] or ""):match("csrftoken=([^;]+)")
      local csrf = body:match('name="csrfmiddlewaretoken" value="([^"]+)"')
      if status == 200 and cookie and csrf then
        pending = {path = last_path, cookie = cookie, csrf = csrf}
      end
      last_path = nil
    else
      expected = 302
    end
  end
  if status == expected then ok = ok + 1 else bad = bad + 1 end
  if status == 302 then saved = saved + 1 end
end

function done(summary, latency, requests)
  local total = {ok = 0, bad = 0, saved = 0, exhausted = 0}
  for _, thread in ipairs(threads) do
    for key, _ in pairs(total) do total[key] = total[key] + thread:get(key) end
  end
  local errors = summary.errors
  io.write(string.format(
    "RESULT requests=%d seconds=%.3f ok=%d bad=%d saved=%d exhausted=%d " ..
    "socket_errors=%d p50_ms=%.2f p95_ms=%.2f p99_ms=%.2f\n",
    summary.requests, summary.duration / 1e6, total.ok, total.bad, total.saved,
    total.exhausted, errors.connect + errors.read + errors.write + errors.timeout,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000))
end
