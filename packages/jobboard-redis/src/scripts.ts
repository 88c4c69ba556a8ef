import type { Redis } from 'ioredis';

/*
 * The board's Lua scripts: each runs atomically on the server, in one round trip. Keys are
 * under `tf:jobboard:<board>:` (see layout.ts); events are published on the board's channel
 * from inside the script, so an event is sent if and only if its change was made.
 */

/**
 * Post: refuse a uuid on the board or with a kept outcome; else store the job hash, list it in
 * the ordering set (score: priority rank, then a board-wide sequence) and publish `posted`.
 * KEYS: job, jobs, seq, outcome. ARGV: uuid, record, now, rank, channel, event, flow. Returns 1, or 0 when it exists.
 */
export const POST = `
if redis.call('EXISTS', KEYS[1]) == 1 or redis.call('EXISTS', KEYS[4]) == 1 then return 0 end
local seq = redis.call('INCR', KEYS[3])
redis.call('HSET', KEYS[1], 'record', ARGV[2], 'claims', 0, 'updatedAt', ARGV[3], 'notes', '[]', 'flow', ARGV[7])
redis.call('ZADD', KEYS[2], ARGV[4] .. string.format('%015d', seq), ARGV[1])
redis.call('PUBLISH', ARGV[5], ARGV[6])
return 1
`;

/**
 * Claim: SET NX PX on the claim key (so a claim is exclusive and expires unless renewed);
 * note the owner in the claimed hash (what the expiry timer checks), count the claim, publish
 * `claimed` (and `expired` for a previous owner whose lapsed claim was not reaped yet).
 * KEYS: job, claim, claimed. ARGV: uuid, owner, ttlMs, now, channel, event.
 * Returns {1, '', record, claims, updatedAt, notes}, {0, ''} when no such job, {-1, holder} when claimed.
 */
export const CLAIM = `
if redis.call('EXISTS', KEYS[1]) == 0 then return {0, ''} end
if not redis.call('SET', KEYS[2], ARGV[2], 'NX', 'PX', ARGV[3]) then
  return {-1, redis.call('GET', KEYS[2]) or ''}
end
local stale = redis.call('HGET', KEYS[3], ARGV[1])
if stale then redis.call('PUBLISH', ARGV[5], cjson.encode({type = 'expired', uuid = ARGV[1], owner = stale})) end
redis.call('HSET', KEYS[3], ARGV[1], ARGV[2])
local claims = redis.call('HINCRBY', KEYS[1], 'claims', 1)
redis.call('HSET', KEYS[1], 'updatedAt', ARGV[4])
redis.call('PUBLISH', ARGV[5], ARGV[6])
return {1, '', redis.call('HGET', KEYS[1], 'record') or '', tostring(claims), ARGV[4], redis.call('HGET', KEYS[1], 'notes') or '[]'}
`;

/**
 * Claim next: walk the board in order (priority, then post order) and claim, as CLAIM does,
 * the first job without a live claim whose flow (the job hash's `flow`) is allowed. Looks at
 * most ARGV[7] entries, so the script's time is bounded.
 * KEYS: jobs, claimed. ARGV: key prefix, owner, ttlMs, now, channel, allowed flows (JSON array, '' for any), limit.
 * Returns {uuid, record, claims, updatedAt, notes}, {} when no job is free, {''} when the limit was reached.
 */
export const CLAIM_NEXT = `
local allowed = nil
if ARGV[6] ~= '' then
  allowed = {}
  for _, f in ipairs(cjson.decode(ARGV[6])) do allowed[f] = true end
end
local limit = tonumber(ARGV[7])
local offset = 0
while offset < limit do
  local uuids = redis.call('ZRANGE', KEYS[1], offset, offset + 99)
  if #uuids == 0 then return {} end
  for _, uuid in ipairs(uuids) do
    local claim = ARGV[1] .. 'claim:' .. uuid
    local job = ARGV[1] .. 'job:' .. uuid
    if redis.call('EXISTS', claim) == 0 then
      local flow = redis.call('HGET', job, 'flow')
      if flow and (allowed == nil or allowed[flow]) then
        redis.call('SET', claim, ARGV[2], 'PX', ARGV[3])
        local stale = redis.call('HGET', KEYS[2], uuid)
        if stale then redis.call('PUBLISH', ARGV[5], cjson.encode({type = 'expired', uuid = uuid, owner = stale})) end
        redis.call('HSET', KEYS[2], uuid, ARGV[2])
        local claims = redis.call('HINCRBY', job, 'claims', 1)
        redis.call('HSET', job, 'updatedAt', ARGV[4])
        redis.call('PUBLISH', ARGV[5], cjson.encode({type = 'claimed', uuid = uuid, owner = ARGV[2]}))
        return {uuid, redis.call('HGET', job, 'record') or '', tostring(claims), ARGV[4], redis.call('HGET', job, 'notes') or '[]'}
      end
    end
  end
  offset = offset + 100
end
return {''}
`;

/** Renew: extend the claim only while `owner` holds it. KEYS: claim. ARGV: owner, ttlMs. Returns 1, or 0 when lost. */
export const RENEW = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1
`;

/**
 * Consume or trash, by the owner only: the job leaves the board, its outcome is kept for the
 * outcome TTL (and, when trashed, the record with it in the trash key).
 * KEYS: job, claim, claimed, jobs, outcome, trash. ARGV: uuid, owner, outcome, outcomeTtlMs, channel, event, trash (1/0).
 * Returns {1, ''}, {0, ''} when no such job, {-1, holder} when not the owner.
 */
export const END = `
if redis.call('EXISTS', KEYS[1]) == 0 then return {0, ''} end
local holder = redis.call('GET', KEYS[2])
if holder ~= ARGV[2] then return {-1, holder or ''} end
if ARGV[7] == '1' then
  redis.call('HSET', KEYS[6], 'record', redis.call('HGET', KEYS[1], 'record') or '', 'outcome', ARGV[3])
  redis.call('PEXPIRE', KEYS[6], ARGV[4])
end
redis.call('DEL', KEYS[1], KEYS[2])
redis.call('HDEL', KEYS[3], ARGV[1])
redis.call('ZREM', KEYS[4], ARGV[1])
redis.call('SET', KEYS[5], ARGV[3], 'PX', ARGV[4])
redis.call('PUBLISH', ARGV[5], ARGV[6])
return {1, ''}
`;

/**
 * Abandon, by the owner only: the claim key goes, the job is UNCLAIMED at once.
 * KEYS: job, claim, claimed. ARGV: uuid, owner, now, channel, event. Returns like END.
 */
export const ABANDON = `
if redis.call('EXISTS', KEYS[1]) == 0 then return {0, ''} end
local holder = redis.call('GET', KEYS[2])
if holder ~= ARGV[2] then return {-1, holder or ''} end
redis.call('DEL', KEYS[2])
redis.call('HDEL', KEYS[3], ARGV[1])
redis.call('HSET', KEYS[1], 'updatedAt', ARGV[3])
redis.call('PUBLISH', ARGV[4], ARGV[5])
return {1, ''}
`;

/**
 * Note: append {by, reason, at} unless the same (by, reason) is there; keep the last ARGV[4].
 * Notes that do not decode (a damaged hash) are replaced. KEYS: job. ARGV: by, reason, at, max.
 * Returns 1, or 0 when no such job.
 */
export const NOTE = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local ok, notes = pcall(cjson.decode, redis.call('HGET', KEYS[1], 'notes') or '[]')
if not ok or type(notes) ~= 'table' then notes = {} end
for _, n in ipairs(notes) do
  if type(n) == 'table' and n.by == ARGV[1] and n.reason == ARGV[2] then return 1 end
end
table.insert(notes, {by = ARGV[1], reason = ARGV[2], at = ARGV[3]})
while #notes > tonumber(ARGV[4]) do table.remove(notes, 1) end
redis.call('HSET', KEYS[1], 'notes', cjson.encode(notes), 'updatedAt', ARGV[3])
return 1
`;

/**
 * Reap: every claim noted in the claimed hash whose key has expired is dropped, and `expired`
 * published for it (once: the HDEL is atomic with the check, whichever board object runs it).
 * KEYS: claimed. ARGV: key prefix, channel, now. Returns how many expired.
 */
export const REAP = `
local all = redis.call('HGETALL', KEYS[1])
local n = 0
for i = 1, #all, 2 do
  local uuid, owner = all[i], all[i + 1]
  if redis.call('EXISTS', ARGV[1] .. 'claim:' .. uuid) == 0 then
    redis.call('HDEL', KEYS[1], uuid)
    if redis.call('EXISTS', ARGV[1] .. 'job:' .. uuid) == 1 then redis.call('HSET', ARGV[1] .. 'job:' .. uuid, 'updatedAt', ARGV[3]) end
    redis.call('PUBLISH', ARGV[2], cjson.encode({type = 'expired', uuid = uuid, owner = owner}))
    n = n + 1
  end
end
return n
`;

type Reply = [number, string, ...string[]];

/** The command connection with the scripts defined on it. */
export interface BoardCommands extends Redis {
  tfjbPost(job: string, jobs: string, seq: string, outcome: string, ...argv: string[]): Promise<number>;
  tfjbClaim(job: string, claim: string, claimed: string, ...argv: string[]): Promise<Reply>;
  tfjbClaimNext(jobs: string, claimed: string, ...argv: string[]): Promise<string[]>;
  tfjbRenew(claim: string, owner: string, ttlMs: string): Promise<number>;
  tfjbEnd(job: string, claim: string, claimed: string, jobs: string, outcome: string, trash: string, ...argv: string[]): Promise<Reply>;
  tfjbAbandon(job: string, claim: string, claimed: string, ...argv: string[]): Promise<Reply>;
  tfjbNote(job: string, ...argv: string[]): Promise<number>;
  tfjbReap(claimed: string, ...argv: string[]): Promise<number>;
}

export function defineScripts(client: Redis): BoardCommands {
  client.defineCommand('tfjbPost', { numberOfKeys: 4, lua: POST });
  client.defineCommand('tfjbClaim', { numberOfKeys: 3, lua: CLAIM });
  client.defineCommand('tfjbClaimNext', { numberOfKeys: 2, lua: CLAIM_NEXT });
  client.defineCommand('tfjbRenew', { numberOfKeys: 1, lua: RENEW });
  client.defineCommand('tfjbEnd', { numberOfKeys: 6, lua: END });
  client.defineCommand('tfjbAbandon', { numberOfKeys: 3, lua: ABANDON });
  client.defineCommand('tfjbNote', { numberOfKeys: 1, lua: NOTE });
  client.defineCommand('tfjbReap', { numberOfKeys: 1, lua: REAP });
  return client as BoardCommands;
}
