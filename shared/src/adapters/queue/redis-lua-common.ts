// The Lua every RedisQueueStore script starts with: the common KEYS/ARGV layout, key names derived from
// the `{queue}`-tagged prefix, TTL upkeep, and the capacity and waiting-line steps the scripts share.

/**
 * Common layout. KEYS[1..8] are the store-wide keys (passed in every mutating script, used or not, so
 * Redis Cluster sees them): clusters, buckets, groups, active, deadlines, polls, dispatching, seq. Each
 * script's own keys follow from KEYS[9]. ARGV[1] = P (`${prefix}{queue}:`), ARGV[2] = now (epoch ms, the
 * caller's clock; TIME is never read), ARGV[3] = retainMs, ARGV[4] = the settled channel; the script's
 * own arguments follow from ARGV[5].
 *
 * Keys that depend on stored data (an entry's share-key list, a holder's cluster and buckets) cannot be
 * named before the call: they are built here from P, which carries the hash tag, so they live in the same
 * slot as KEYS. The builders below must match `redisKeys(prefix).queue` (the tests check every key the
 * scripts create against it). Helpers shared with scripts that did pass a key in KEYS build it the same way.
 */
export const COMMON_KEY_COUNT = 8;

export const PRELUDE = `
local P, NOW_S, RETAIN, CHANNEL = ARGV[1], ARGV[2], tonumber(ARGV[3]), ARGV[4]
local NOW = tonumber(NOW_S)
local K_CLUSTERS, K_BUCKETS, K_GROUPS, K_ACTIVE = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local K_DEADLINES, K_POLLS, K_DISPATCHING, K_SEQ = KEYS[5], KEYS[6], KEYS[7], KEYS[8]

local function entryKey(id) return P .. 'e:' .. id end
local function holderKey(id) return P .. 'h:' .. id end
local function slotsKey(cluster) return P .. 's:' .. cluster end
local function placesKey(bucket) return P .. 'b:' .. bucket end
local function tokensKey(bucket) return P .. 't:' .. bucket end
local function groupKey(group) return P .. 'g:' .. group end
local function classesKey(group) return P .. 'c:' .. group end
local function rotationKey(group, priority) return P .. 'r:' .. group .. ':' .. priority end
local function listKey(group, priority, shareKey) return P .. 'l:' .. group .. ':' .. priority .. ':' .. shareKey end

-- Sets a key's TTL to at least ttl ms; never shortens it. Every key this store writes goes through here
-- (or gets a PEXPIRE of its own), so nothing outlives every replica.
local function extend(key, ttl)
  ttl = math.max(1, math.ceil(ttl))
  local left = redis.call('PTTL', key)
  if left == -1 or (left >= 0 and left < ttl) then redis.call('PEXPIRE', key, ttl) end
end

-- The token bucket at NOW, as queue-rules.ts refill() computes it, operation for operation.
local function tokensAt(check)
  local state = redis.call('HMGET', tokensKey(check.bucket), 'tokens', 'ts')
  if not state[1] then return check.burst, NOW end
  local tokens, ts = tonumber(state[1]), tonumber(state[2])
  local elapsed = math.max(0, NOW - ts)
  return math.min(check.burst, tokens + (elapsed * check.maxPerSecond) / 1000), math.max(ts, NOW)
end

-- 'concurrent' or 'rate' when one more admission would exceed the check, else false.
local function exceeded(check)
  if check.maxConcurrent and redis.call('ZCOUNT', placesKey(check.bucket), '(' .. NOW_S, '+inf') >= check.maxConcurrent then
    return 'concurrent'
  end
  if check.maxPerSecond and tokensAt(check) < 1 then return 'rate' end
  return false
end

-- One token from every rate-limited bucket. The hash expires when the bucket would be full again (a
-- missing bucket is a full one), plus the retention margin.
local function takeTokens(checks)
  for _, check in ipairs(checks) do
    if check.maxPerSecond then
      local tokens, ts = tokensAt(check)
      local left = tokens - 1
      local key = tokensKey(check.bucket)
      redis.call('HSET', key, 'tokens', string.format('%.17g', left), 'ts', string.format('%.17g', ts))
      local refillMs = 0
      if check.maxPerSecond > 0 then refillMs = ((check.burst - left) / check.maxPerSecond) * 1000 end
      redis.call('PEXPIRE', key, math.max(1, math.ceil(refillMs + RETAIN)))
    end
  end
end

local function bucketsOf(checks)
  local buckets = {}
  for i, check in ipairs(checks) do buckets[i] = check.bucket end
  return buckets
end

local function place(buckets, id, expiry)
  for _, bucket in ipairs(buckets) do
    local key = placesKey(bucket)
    redis.call('ZADD', key, expiry, id)
    extend(key, expiry - NOW + RETAIN)
    redis.call('SADD', K_BUCKETS, bucket)
  end
  if #buckets > 0 then extend(K_BUCKETS, expiry - NOW + RETAIN) end
end

local function unplace(buckets, id)
  for _, bucket in ipairs(buckets) do redis.call('ZREM', placesKey(bucket), id) end
end

-- A slot on cluster and a place in every bucket for id until lease, and the holder record that knows them.
local function hold(id, cluster, buckets, lease)
  local ttl = lease - NOW + RETAIN
  local slots = slotsKey(cluster)
  redis.call('ZADD', slots, lease, id)
  extend(slots, ttl)
  redis.call('SADD', K_CLUSTERS, cluster)
  extend(K_CLUSTERS, ttl)
  place(buckets, id, lease)
  local holder = holderKey(id)
  redis.call('HSET', holder, 'cluster', cluster, 'buckets', cjson.encode(buckets), 'lease', lease)
  redis.call('PEXPIRE', holder, math.max(1, math.ceil(ttl)))
end

-- Frees what id holds; returns its cluster, or false when it holds nothing.
local function free(id)
  local holder = holderKey(id)
  local held = redis.call('HMGET', holder, 'cluster', 'buckets')
  if not held[1] then return false end
  redis.call('ZREM', slotsKey(held[1]), id)
  unplace(cjson.decode(held[2]), id)
  redis.call('DEL', holder)
  return held[1]
end

local ENTRY_FIELDS = { 'state', 'group', 'priority', 'shareKey', 'admitted', 'checks', 'cluster' }
local function readEntry(id)
  local values = redis.call('HMGET', entryKey(id), unpack(ENTRY_FIELDS))
  if not values[1] then return nil end
  local entry = {}
  for i, field in ipairs(ENTRY_FIELDS) do entry[field] = values[i] end
  return entry
end

-- Out of its line (its key leaves the rotation when its list empties, the class and group likewise).
local function unline(id, entry)
  local list = listKey(entry.group, entry.priority, entry.shareKey)
  redis.call('LREM', list, 1, id)
  if redis.call('LLEN', list) == 0 then
    local rotation = rotationKey(entry.group, entry.priority)
    redis.call('LREM', rotation, 1, entry.shareKey)
    if redis.call('LLEN', rotation) == 0 then
      local classes = classesKey(entry.group)
      redis.call('ZREM', classes, entry.priority)
      if redis.call('ZCARD', classes) == 0 then redis.call('SREM', K_GROUPS, entry.group) end
    end
  end
  redis.call('ZREM', K_DEADLINES, id)
end

-- No longer queued or dispatching: it stops counting against maxQueued and leaves list().
local function deactivate(id, entry)
  redis.call('ZREM', groupKey(entry.group), id)
  redis.call('ZREM', K_ACTIVE, id)
  redis.call('ZREM', K_DISPATCHING, id)
end

-- A queued entry out of the queue with its waiting places given back (cancel, abandonment, failure).
local function unqueue(id, entry)
  unline(id, entry)
  if entry.admitted == '1' then unplace(bucketsOf(cjson.decode(entry.checks)), id) end
  deactivate(id, entry)
end

-- Fails a queued or dispatching entry, frees what it holds, tells every replica; the cluster it freed.
local function failEntry(id, entry, errorName, message)
  local cluster = false
  if entry.state == 'queued' then unqueue(id, entry) else cluster = free(id) end
  deactivate(id, entry)
  local key = entryKey(id)
  redis.call('HSET', key, 'state', 'failed', 'errorName', errorName, 'message', message)
  redis.call('PEXPIRE', key, math.max(1, math.ceil(RETAIN)))
  redis.call('PUBLISH', CHANNEL, id)
  return cluster
end
`;
