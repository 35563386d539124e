-- wrk script for `make bench` (bench/run.py): counts responses outside 2xx, which wrk
-- would otherwise count as successes when they are 3xx, and with BENCH_POST=1 posts
-- a different guest comment (JSON) on every request. With BENCH_EXPECT=<status> only
-- that status is a success (304 for a conditional poll sent with If-None-Match).

local threads = {}
local next_id = 0
local expect = tonumber(os.getenv("BENCH_EXPECT") or "")

function setup(thread)
  next_id = next_id + 1
  thread:set("id", next_id)
  table.insert(threads, thread)
end

function init(args)
  bad = 0
  sent = 0
end

if os.getenv("BENCH_POST") == "1" then
  function request()
    sent = sent + 1
    local body = string.format(
      '{"name": "Bench guest %d", "email": "bench-%d-%d@example.org", ' ..
      '"body": "Comment %d from load thread %d. A benchmark is not news, but here it is."}',
      id, id, sent, sent, id)
    return wrk.format("POST", nil, {["Content-Type"] = "application/json"}, body)
  end
end

function response(status, headers, body)
  if expect then
    if status ~= expect then
      bad = bad + 1
    end
  elseif status < 200 or status > 299 then
    bad = bad + 1
  end
end

function done(summary, latency, requests)
  local total = 0
  for _, thread in ipairs(threads) do
    total = total + thread:get("bad")
  end
  io.write(string.format("BENCH non2xx %d\n", total))
end
