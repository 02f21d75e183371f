// The two scripts that decide who runs: admit (admission, then a slot or a queue entry) and dispatch
// (queued entries into free slots: classes, then turns between share keys, then FIFO).
import { PRELUDE } from './redis-lua-common.js';

/**
 * KEYS[9] entry, [10] holder (the request's id), [11] group entries, [12] classes, [13] rotation and
 * [14] share-key list of the request's (group, class, key), then the slots key of every candidate, then
 * the places and tokens keys of every check. ARGV[5] id, [6] group, [7] priority, [8] shareKey,
 * [9] maxQueued, [10] maxWaitMs, [11] leaseMs, [12] candidates JSON, [13] checks JSON, [14] payload,
 * [15] user, [16] source, [17] sql, [18] className, [19] the maxWait failure message.
 * Returns {'run', cluster} | {'queued'} | {'rejected', 'queue-full'} | {'rejected', 'admission', i, what}.
 */
export const ADMIT = `${PRELUDE}
local id, group, priority, shareKey = ARGV[5], ARGV[6], ARGV[7], ARGV[8]
local maxQueued, maxWaitMs, leaseMs = tonumber(ARGV[9]), tonumber(ARGV[10]), tonumber(ARGV[11])
local candidates, checks = cjson.decode(ARGV[12]), cjson.decode(ARGV[13])
if redis.call('EXISTS', KEYS[9]) == 1 or redis.call('EXISTS', KEYS[10]) == 1 then
  return redis.error_reply('queue id ' .. id .. ' is already in use')
end

local heldBack = false
for i, check in ipairs(checks) do
  local over = exceeded(check)
  if over then
    if check.onExceed == 'Reject' then return { 'rejected', 'admission', i, over } end
    heldBack = true
  end
end

-- Nobody of this class or a higher one waiting: it may take a slot now, ahead of no one.
if not heldBack and #redis.call('ZRANGEBYSCORE', KEYS[12], '-inf', priority, 'LIMIT', 0, 1) == 0 then
  for _, candidate in ipairs(candidates) do
    local count = redis.call('ZCOUNT', slotsKey(candidate.cluster), '(' .. NOW_S, '+inf')
    if candidate.limit == nil or count < candidate.limit then
      takeTokens(checks)
      hold(id, candidate.cluster, bucketsOf(checks), NOW + leaseMs)
      return { 'run', candidate.cluster }
    end
  end
end

if redis.call('ZCARD', KEYS[11]) >= maxQueued then return { 'rejected', 'queue-full' } end
local deadline = NOW + maxWaitMs
if not heldBack then
  takeTokens(checks)
  place(bucketsOf(checks), id, deadline + leaseMs)
end
local seq = redis.call('INCR', K_SEQ)
local admitted = '1'
if heldBack then admitted = '0' end
redis.call('HSET', KEYS[9], 'state', 'queued', 'group', group, 'priority', priority, 'shareKey', shareKey,
  'enqueuedAt', NOW_S, 'deadline', deadline, 'seq', seq, 'admitted', admitted, 'checks', ARGV[13],
  'payload', ARGV[14], 'user', ARGV[15], 'source', ARGV[16], 'sql', ARGV[17], 'className', ARGV[18],
  'waitMessage', ARGV[19])
-- Queued, it lives until its deadline at most; then the failure waits retainMs for a poll.
local ttl = maxWaitMs + leaseMs + RETAIN
redis.call('PEXPIRE', KEYS[9], math.max(1, math.ceil(ttl)))
if redis.call('RPUSH', KEYS[14], id) == 1 then redis.call('RPUSH', KEYS[13], shareKey) end
redis.call('ZADD', KEYS[12], priority, priority)
redis.call('SADD', K_GROUPS, group)
redis.call('ZADD', KEYS[11], seq, id)
redis.call('ZADD', K_ACTIVE, seq, id)
redis.call('ZADD', K_DEADLINES, deadline, id)
redis.call('ZADD', K_POLLS, NOW, id)
for _, key in ipairs({ K_GROUPS, K_ACTIVE, K_DEADLINES, K_POLLS, K_SEQ, KEYS[11], KEYS[12], KEYS[13], KEYS[14] }) do
  extend(key, ttl)
end
return { 'queued' }
`;

/**
 * KEYS[9] group entries, [10] classes, then the slots key of every candidate. ARGV[5] group, [6] leaseMs,
 * [7] max, [8] candidates JSON. Returns id, cluster, payload, enqueuedAt for each dispatched entry.
 */
export const DISPATCH = `${PRELUDE}
local group, leaseMs, max = ARGV[5], tonumber(ARGV[6]), tonumber(ARGV[7])
local candidates = cjson.decode(ARGV[8])
local counts = {}
for _, candidate in ipairs(candidates) do
  counts[candidate.cluster] = redis.call('ZCOUNT', slotsKey(candidate.cluster), '(' .. NOW_S, '+inf')
end
local function withRoom()
  for _, candidate in ipairs(candidates) do
    if candidate.limit == nil or counts[candidate.cluster] < candidate.limit then return candidate.cluster end
  end
  return nil
end

local out, taken, full = {}, 0, false
for _, priority in ipairs(redis.call('ZRANGE', KEYS[10], 0, -1)) do
  if taken >= max or full then break end
  local rotation = rotationKey(group, priority)
  local order = redis.call('LRANGE', rotation, 0, -1)
  local blocked, changed = {}, false
  while taken < max do
    local at = nil
    for i, shareKey in ipairs(order) do
      if not blocked[shareKey] then
        at = i
        break
      end
    end
    if at == nil then break end
    local shareKey = order[at]
    local list = listKey(group, priority, shareKey)
    local id = redis.call('LINDEX', list, 0)
    local entry = id and readEntry(id)
    if not entry or entry.state ~= 'queued' then
      -- Only after an outage of every sweeper: an id whose entry expired. Drop it and go on.
      if id then redis.call('LPOP', list) end
      if not id or redis.call('LLEN', list) == 0 then
        table.remove(order, at)
        changed = true
      end
    else
      local checks = cjson.decode(entry.checks)
      local over = false
      if entry.admitted ~= '1' then
        for _, check in ipairs(checks) do
          if exceeded(check) then
            over = true
            break
          end
        end
      end
      if over then
        blocked[shareKey] = true
      else
        local cluster = withRoom()
        if cluster == nil then
          full = true
          break
        end
        counts[cluster] = counts[cluster] + 1
        redis.call('LPOP', list)
        table.remove(order, at)
        changed = true
        if redis.call('LLEN', list) > 0 then table.insert(order, shareKey) end
        if entry.admitted ~= '1' then takeTokens(checks) end
        hold(id, cluster, bucketsOf(checks), NOW + leaseMs)
        local key = entryKey(id)
        redis.call('HSET', key, 'state', 'dispatching', 'admitted', '1', 'cluster', cluster, 'dispatchedAt', NOW_S)
        extend(key, leaseMs + RETAIN)
        redis.call('ZREM', K_DEADLINES, id)
        redis.call('ZADD', K_DISPATCHING, NOW, id)
        extend(K_DISPATCHING, leaseMs + RETAIN)
        taken = taken + 1
        local fields = redis.call('HMGET', key, 'payload', 'enqueuedAt')
        out[#out + 1] = id
        out[#out + 1] = cluster
        out[#out + 1] = fields[1]
        out[#out + 1] = fields[2]
      end
    end
  end
  if changed then
    -- The new turn order replaces the old one; the list keeps its TTL.
    local ttl = redis.call('PTTL', rotation)
    redis.call('DEL', rotation)
    for i = 1, #order, 1000 do
      redis.call('RPUSH', rotation, unpack(order, i, math.min(i + 999, #order)))
    end
    if #order > 0 then
      if ttl > 0 then redis.call('PEXPIRE', rotation, ttl) else extend(rotation, RETAIN) end
    else
      redis.call('ZREM', KEYS[10], priority)
      if redis.call('ZCARD', KEYS[10]) == 0 then redis.call('SREM', K_GROUPS, group) end
    end
  end
end
return out
`;
