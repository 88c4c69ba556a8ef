import type { Redis } from 'ioredis';

/*
 * The Lua scripts of the transport: each runs atomically on the server, in one round trip.
 * KEYS[1] is always the topic's stream; ARGV[1] the group.
 */

/**
 * Reject with requeue: if the entry is still pending on this consumer, append a copy to the
 * stream with its delivery count `n` set, then ack and delete the original. An entry another
 * consumer has claimed meanwhile is left alone. ARGV: group, consumer, id, n. Returns 1 if requeued.
 */
export const REQUEUE = `
local owned = redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[3], ARGV[3], 1, ARGV[2])
if #owned == 0 then return 0 end
local entry = redis.call('XRANGE', KEYS[1], ARGV[3], ARGV[3])
redis.call('XACK', KEYS[1], ARGV[1], ARGV[3])
redis.call('XDEL', KEYS[1], ARGV[3])
if #entry == 0 then return 0 end
local fields = entry[1][2]
local copy = {}
for i = 1, #fields, 2 do
  if fields[i] ~= 'n' then
    copy[#copy + 1] = fields[i]
    copy[#copy + 1] = fields[i + 1]
  end
end
copy[#copy + 1] = 'n'
copy[#copy + 1] = ARGV[4]
redis.call('XADD', KEYS[1], '*', unpack(copy))
return 1
`;

/**
 * Renew this consumer's lease on the entries it holds: reset their idle time (XCLAIM JUSTID
 * to itself: the delivery counter is not touched), but only for entries still pending on it.
 * ARGV: group, consumer, ids... Returns the ids it no longer owns (claimed by another after
 * the lease ran out, or gone).
 */
export const REFRESH = `
local lost = {}
local owned = {}
for i = 3, #ARGV do
  local p = redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[i], ARGV[i], 1, ARGV[2])
  if #p == 0 then lost[#lost + 1] = ARGV[i] else owned[#owned + 1] = ARGV[i] end
end
if #owned > 0 then
  owned[#owned + 1] = 'JUSTID'
  redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[2], 0, unpack(owned))
end
return lost
`;

/**
 * A consumer leaves: delete it from the group when it holds nothing, and delete the stream
 * when it is empty and no consumer is left (an engine's reply topic, a retired worker topic),
 * so keys do not pile up. ARGV: group, consumer. Returns 2 if the stream was deleted.
 */
export const LEAVE = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local ok, mine = pcall(redis.call, 'XPENDING', KEYS[1], ARGV[1], '-', '+', 1, ARGV[2])
if not ok then return 0 end
if #mine > 0 then return 0 end
redis.call('XGROUP', 'DELCONSUMER', KEYS[1], ARGV[1], ARGV[2])
if redis.call('XLEN', KEYS[1]) > 0 then return 1 end
local groups = redis.call('XINFO', 'GROUPS', KEYS[1])
if #groups ~= 1 then return 1 end
if #redis.call('XINFO', 'CONSUMERS', KEYS[1], ARGV[1]) > 0 then return 1 end
redis.call('DEL', KEYS[1])
return 2
`;

/**
 * Safety net for the stream's length: drop entries that are acked but still in the stream
 * (an ack whose XDEL never ran). Everything older than both the oldest pending entry and the
 * group's last delivered id is acked, so trimming below that point never drops an unacked
 * entry. Does nothing when another group reads the stream. ARGV: group. Returns entries trimmed.
 */
export const TRIM = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local groups = redis.call('XINFO', 'GROUPS', KEYS[1])
if #groups ~= 1 then return 0 end
local g = groups[1]
local name, last
for i = 1, #g, 2 do
  if g[i] == 'name' then name = g[i + 1] end
  if g[i] == 'last-delivered-id' then last = g[i + 1] end
end
if name ~= ARGV[1] or last == nil then return 0 end
local summary = redis.call('XPENDING', KEYS[1], ARGV[1])
local minid
if summary[1] > 0 then
  minid = summary[2]
else
  local dash = string.find(last, '-', 1, true)
  minid = string.sub(last, 1, dash - 1) .. '-' .. string.format('%d', tonumber(string.sub(last, dash + 1)) + 1)
end
return redis.call('XTRIM', KEYS[1], 'MINID', minid)
`;

/** The command connection with the scripts defined on it (`defineScripts`). */
export interface RedisCommands extends Redis {
  tfRequeue(key: string, group: string, consumer: string, id: string, n: number): Promise<number>;
  tfRefresh(key: string, group: string, consumer: string, ...ids: string[]): Promise<string[]>;
  tfLeave(key: string, group: string, consumer: string): Promise<number>;
  tfTrim(key: string, group: string): Promise<number>;
}

/** Define the scripts on the command connection, as `tfRequeue`, `tfRefresh`, `tfLeave` and `tfTrim`. */
export function defineScripts(client: Redis): RedisCommands {
  client.defineCommand('tfRequeue', { numberOfKeys: 1, lua: REQUEUE });
  client.defineCommand('tfRefresh', { numberOfKeys: 1, lua: REFRESH });
  client.defineCommand('tfLeave', { numberOfKeys: 1, lua: LEAVE });
  client.defineCommand('tfTrim', { numberOfKeys: 1, lua: TRIM });
  return client as RedisCommands;
}
