package quota

import "github.com/redis/go-redis/v9"

// The Lua scripts. Each one reads Redis's clock once (TIME, in
// microseconds: about 1.8e15, well inside a double's exact integers) and
// touches one key. Scores are microseconds on that clock. keep() makes the
// key outlive its longest-lived entry by a second and never shortens an
// existing TTL.

const luaPrelude = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local key = KEYS[1]
local function keep(us)
  local ms = math.floor(us / 1000) + 1000
  if redis.call('PTTL', key) < ms then
    redis.call('PEXPIRE', key, ms)
  end
end
`

// tryStart: ARGV id, limit, span_us, hold_us. Reply {granted, wait_us}.
// Starts that began span ago or earlier have left the window. A new
// grant is scored now+hold: it counts until stamped (or until hold passes
// and then span more). Asking again with an id already in the window
// answers granted (a retried call must not take two slots, nor be refused
// the slot it already has). When refused, wait_us is when enough starts
// will have left for one more.
const luaTryStart = luaPrelude + `
local id, limit, span, hold = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - span)
if redis.call('ZSCORE', key, id) then
  return {1, 0}
end
local n = redis.call('ZCARD', key)
if n < limit then
  redis.call('ZADD', key, now + hold, id)
  keep(hold + span)
  return {1, 0}
end
local e = redis.call('ZRANGE', key, n - limit, n - limit, 'WITHSCORES')
return {0, math.max(1, tonumber(e[2]) + span - now)}
`

// stamp: ARGV id, span_us. The start counts from now. Reply 1 if it was
// still in the window.
const luaStamp = luaPrelude + `
if not redis.call('ZSCORE', key, ARGV[1]) then
  return 0
end
redis.call('ZADD', key, 'XX', now, ARGV[1])
keep(tonumber(ARGV[2]))
return 1
`

// hold: ARGV hold_us, span_us, id... Every id still pending (scored in the
// future: not stamped, hold not yet passed) is held for hold more. Reply:
// how many were.
const luaHold = luaPrelude + `
local hold, span, n = tonumber(ARGV[1]), tonumber(ARGV[2]), 0
for i = 3, #ARGV do
  local s = redis.call('ZSCORE', key, ARGV[i])
  if s and tonumber(s) > now then
    redis.call('ZADD', key, 'XX', now + hold, ARGV[i])
    n = n + 1
  end
end
if n > 0 then
  keep(hold + span)
end
return n
`

// remove: ARGV id. Reply 1 if it was there.
const luaRemove = `return redis.call('ZREM', KEYS[1], ARGV[1])`

// tryLease: ARGV id, cap, ttl_us. Reply 1 when granted (or renewed: the id
// already held a live lease), 0 when cap live leases are out.
const luaTryLease = luaPrelude + `
local id, cap, ttl = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', key, '-inf', now)
if redis.call('ZSCORE', key, id) or redis.call('ZCARD', key) < cap then
  redis.call('ZADD', key, now + ttl, id)
  keep(ttl)
  return 1
end
return 0
`

// renew: ARGV ttl_us, id... Every id with a live lease gets ttl more; an
// expired one is not brought back (its slot may be someone else's now).
// Reply: how many were renewed.
const luaRenew = luaPrelude + `
local ttl, n = tonumber(ARGV[1]), 0
redis.call('ZREMRANGEBYSCORE', key, '-inf', now)
for i = 2, #ARGV do
  if redis.call('ZSCORE', key, ARGV[i]) then
    redis.call('ZADD', key, 'XX', now + ttl, ARGV[i])
    n = n + 1
  end
end
if n > 0 then
  keep(ttl)
end
return n
`

// count: ARGV offset_us. Reply: members scored above now+offset.
const luaCount = luaPrelude + `
return redis.call('ZCOUNT', key, '(' .. string.format('%.0f', now + tonumber(ARGV[1])), '+inf')
`

// scripts are the loaded forms (go-redis runs them by SHA and loads them
// on NOSCRIPT).
type scripts struct {
	tryStart, stamp, hold, remove, tryLease, renew, count *redis.Script
}

func newScripts() scripts {
	return scripts{
		tryStart: redis.NewScript(luaTryStart),
		stamp:    redis.NewScript(luaStamp),
		hold:     redis.NewScript(luaHold),
		remove:   redis.NewScript(luaRemove),
		tryLease: redis.NewScript(luaTryLease),
		renew:    redis.NewScript(luaRenew),
		count:    redis.NewScript(luaCount),
	}
}
