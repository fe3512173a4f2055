import type { Redis } from 'ioredis';
import { BULL_LUA, TAKE_LUA, takeKeys, type EngineKeys } from '../../infra/bullmq-adapter.ts';

/**
 * Lua scripts that keep the per-user side of leases atomic next to BullMQ's locks. All keys of a
 * script are in the project's hash slot ({projectId}); BullMQ's lock keys are reached only through the
 * adapter's Lua helpers (`bullLockKey`, `bullExtendLock`, infra/bullmq-adapter.ts).
 *
 * Lease metadata lives in a hash per token (jobId, itemId, userId, r, k, gold, at). A lease is live
 * while the job's lock key holds its token: the lock is the lease.
 */

const LEASE_LIVE = `${BULL_LUA}
local function leaseLive(leasePrefix, queuePrefix, token)
  local jid = redis.call('HGET', leasePrefix .. token, 'jobId')
  if not jid then return false, nil end
  return redis.call('GET', bullLockKey(queuePrefix, jid)) == token, jid
end
`;

/** Lists a user's live leases (itemId, token, pttl), dropping dead entries. KEYS: held, holders. */
const HELD = `${LEASE_LIVE}
local out = {}
local held = redis.call('HGETALL', KEYS[1])
for i = 1, #held, 2 do
  local live, jid = leaseLive(ARGV[2], ARGV[1], held[i + 1])
  if live then
    table.insert(out, held[i]); table.insert(out, held[i + 1])
    table.insert(out, redis.call('PTTL', bullLockKey(ARGV[1], jid)))
  else
    redis.call('HDEL', KEYS[1], held[i])
    if jid and redis.call('HGET', KEYS[2], jid) == held[i + 1] then redis.call('HDEL', KEYS[2], jid) end
  end
end
return out
`;

/**
 * Claims a fetched job (or a gold item) for a user, atomically with the exclusion rules.
 * KEYS: held, excluded, holders, filled(jobId), drafts, lease(token), userCounters, item, users.
 * ARGV: itemId, jobId, token, queuePrefix, userId, now, maxHeld, leasePrefix, r, k, gold, metaTtlS, leaseMs, statsKey.
 * Returns {'ok', itemJson, hasDraft} or {'filled'|'excluded'|'holding'|'busy'}.
 */
const CLAIM = `${LEASE_LIVE}
local live = 0
local held = redis.call('HGETALL', KEYS[1])
for i = 1, #held, 2 do
  local ok, jid = leaseLive(ARGV[8], ARGV[4], held[i + 1])
  if ok then live = live + 1 else
    redis.call('HDEL', KEYS[1], held[i])
    if jid and redis.call('HGET', KEYS[3], jid) == held[i + 1] then redis.call('HDEL', KEYS[3], jid) end
  end
end
if redis.call('EXISTS', KEYS[4]) == 1 then return {'filled'} end
if redis.call('SISMEMBER', KEYS[2], ARGV[1]) == 1 then return {'excluded'} end
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 then return {'holding'} end
if live >= tonumber(ARGV[7]) then return {'busy'} end
if ARGV[11] == '1' then
  if not redis.call('SET', bullLockKey(ARGV[4], ARGV[2]), ARGV[3], 'PX', ARGV[13], 'NX') then return {'holding'} end
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
redis.call('HSET', KEYS[3], ARGV[2], ARGV[3])
redis.call('HSET', KEYS[6], 'jobId', ARGV[2], 'itemId', ARGV[1], 'userId', ARGV[5], 'r', ARGV[9], 'k', ARGV[10], 'gold', ARGV[11], 'at', ARGV[6])
redis.call('EXPIRE', KEYS[6], ARGV[12])
redis.call('HINCRBY', KEYS[7], 'served', 1)
if ARGV[11] == '1' then
  redis.call('HINCRBY', KEYS[7], 'goldServed', 1)
  redis.call('HINCRBY', ARGV[14], 'goldServed', 1)
end
redis.call('SADD', KEYS[9], ARGV[5])
return {'ok', redis.call('GET', KEYS[8]) or '', redis.call('SISMEMBER', KEYS[5], ARGV[1])}
`;

/**
 * Validates a lease for its user and, when ms > 0, extends it (SREM from BullMQ's stalled set as
 * extendLock does). For a submit it also answers a replayed submission id from the replay cache,
 * sets the slot's filled marker and returns the cached item (one round trip for all of it).
 * KEYS: lease(token), held(requester), stalled. ARGV: token, ms, queuePrefix, requester,
 * filledPrefix ('' for none), submissionId, markerTtlS, submissionKey ('' for none), itemPrefix ('' for none).
 * Returns {1, pttl, itemJson, fields...} live, {-1} unknown, {-2, 0, '', fields...} ended,
 * {-3} someone else's, {2, replay} a known submission.
 */
const TOUCH = `${BULL_LUA}
if ARGV[8] ~= '' then
  local replay = redis.call('GET', ARGV[8])
  if replay then return {2, replay} end
end
local f = redis.call('HGETALL', KEYS[1])
if #f == 0 then return {-1} end
local l = {}
for i = 1, #f, 2 do l[f[i]] = f[i + 1] end
if l['userId'] ~= ARGV[4] then return {-3} end
local lock = bullLockKey(ARGV[3], l['jobId'])
if redis.call('GET', lock) ~= ARGV[1] or redis.call('HGET', KEYS[2], l['itemId']) ~= ARGV[1] then return {-2, 0, '', unpack(f)} end
if tonumber(ARGV[2]) > 0 then bullExtendLock(ARGV[3], KEYS[3], l['jobId'], ARGV[1], ARGV[2]) end
if ARGV[5] ~= '' then redis.call('SET', ARGV[5] .. l['jobId'], ARGV[6], 'EX', ARGV[7]) end
local item = ''
if ARGV[9] ~= '' then item = redis.call('GET', ARGV[9] .. l['itemId']) or '' end
return {1, redis.call('PTTL', lock), item, unpack(f)}
`;

/**
 * Records a stored annotation in Redis: the item's annotation set (input of the k-th-submit trigger
 * and of the quality job), the author's exclusion, the end of their lease, counters.
 * KEYS: itemAnnotations (or goldAnnotations), excluded, held, holders, userCounters, stats, lease, drafts.
 * ARGV: userId, annotationJson, itemId, jobId, token, gold, lockKey. Returns {added, annotationsOfItem, hadDraft}.
 */
const RECORD = `
local added = redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[2])
redis.call('SADD', KEYS[2], ARGV[3])
if redis.call('HGET', KEYS[3], ARGV[3]) == ARGV[5] then redis.call('HDEL', KEYS[3], ARGV[3]) end
if redis.call('HGET', KEYS[4], ARGV[4]) == ARGV[5] then redis.call('HDEL', KEYS[4], ARGV[4]) end
redis.call('DEL', KEYS[7])
if ARGV[6] == '1' and redis.call('GET', ARGV[7]) == ARGV[5] then redis.call('DEL', ARGV[7]) end
local hadDraft = redis.call('SREM', KEYS[8], ARGV[3])
if added == 1 then
  if ARGV[6] == '1' then
    redis.call('HINCRBY', KEYS[5], 'gold', 1); redis.call('HINCRBY', KEYS[6], 'goldDone', 1)
  else
    redis.call('HINCRBY', KEYS[5], 'done', 1); redis.call('HINCRBY', KEYS[6], 'done', 1)
  end
end
return {added, redis.call('HLEN', KEYS[1]), hadDraft}
`;

/**
 * Ends a lease without a submit (release, skip, lead requeue or reassign, expiry cleanup). A gold
 * lease's lock is deleted here; an ordinary job is put back by BullMQ (moveToWait) afterwards. The
 * lease metadata stays (with its TTL) so a late submit is answered LEASE_EXPIRED with its draft kept.
 * KEYS: lease, held(holder), holders, excluded(holder), userCounters(holder), stats.
 * ARGV: token, skip, queuePrefix. Returns {live 1|0, jobId, itemId, userId, gold} or {-1}.
 */
const RELEASE = `${BULL_LUA}
local l = redis.call('HMGET', KEYS[1], 'jobId', 'itemId', 'userId', 'gold')
if not l[1] then return {-1} end
local lock = bullLockKey(ARGV[3], l[1])
local live = redis.call('GET', lock) == ARGV[1]
if redis.call('HGET', KEYS[2], l[2]) == ARGV[1] then redis.call('HDEL', KEYS[2], l[2]) end
if redis.call('HGET', KEYS[3], l[1]) == ARGV[1] then redis.call('HDEL', KEYS[3], l[1]) end
if ARGV[2] == '1' then
  if redis.call('SADD', KEYS[4], l[2]) == 1 then
    redis.call('HINCRBY', KEYS[5], 'skipped', 1); redis.call('HINCRBY', KEYS[6], 'skips', 1)
  end
end
if l[4] == '1' and live then redis.call('DEL', lock) end
return {live and 1 or 0, l[1], l[2], l[3], l[4]}
`;

/** A gold item the user has not done and does not hold. KEYS: goldPool, excluded, held. ARGV: sample. */
const PICK_GOLD = `
local c = redis.call('SRANDMEMBER', KEYS[1], tonumber(ARGV[1]))
for _, id in ipairs(c) do
  if redis.call('SISMEMBER', KEYS[2], id) == 0 and redis.call('HEXISTS', KEYS[3], id) == 0 then return id end
end
return false
`;

/**
 * Moves a live lease to another user (lead's reassign): same job, same lock, new token.
 * KEYS: oldLease, oldHeld, holders, newHeld, newExcluded, newLease. ARGV: oldToken, newToken,
 * queuePrefix, newUserId, now, metaTtlS, lockMs. Returns 1, 0 (not live), -1 (excluded for the new user).
 */
const TRANSFER = `${BULL_LUA}
local l = redis.call('HMGET', KEYS[1], 'jobId', 'itemId', 'userId', 'r', 'k', 'gold')
if not l[1] then return 0 end
local lock = bullLockKey(ARGV[3], l[1])
if redis.call('GET', lock) ~= ARGV[1] then return 0 end
if redis.call('SISMEMBER', KEYS[5], l[2]) == 1 or redis.call('HEXISTS', KEYS[4], l[2]) == 1 then return -1 end
if redis.call('HGET', KEYS[2], l[2]) == ARGV[1] then redis.call('HDEL', KEYS[2], l[2]) end
redis.call('SET', lock, ARGV[2], 'PX', ARGV[7])
redis.call('HSET', KEYS[3], l[1], ARGV[2])
redis.call('HSET', KEYS[4], l[2], ARGV[2])
redis.call('HSET', KEYS[6], 'jobId', l[1], 'itemId', l[2], 'userId', ARGV[4], 'r', l[4], 'k', l[5], 'gold', l[6], 'at', ARGV[5])
redis.call('EXPIRE', KEYS[6], ARGV[6])
return 1
`;

const SCRIPTS = {
  lwHeld: { keys: 2, lua: HELD },
  lwClaim: { keys: 9, lua: CLAIM },
  lwTouch: { keys: 3, lua: TOUCH },
  lwRecord: { keys: 8, lua: RECORD },
  lwRelease: { keys: 6, lua: RELEASE },
  lwPickGold: { keys: 3, lua: PICK_GOLD },
  lwTake: { keys: 6, lua: TAKE_LUA },
  lwTransfer: { keys: 6, lua: TRANSFER },
} as const;
type ScriptName = keyof typeof SCRIPTS;
type Reply = string | number | null | Reply[];

export interface LeaseFields {
  jobId: string;
  itemId: string;
  userId: string;
  r: number;
  k: number;
  gold: boolean;
  at: number;
}

function fieldsOf(flat: Reply[]): LeaseFields {
  const m = new Map<string, string>();
  for (let i = 0; i + 1 < flat.length; i += 2) m.set(String(flat[i]), String(flat[i + 1]));
  return {
    jobId: m.get('jobId') ?? '',
    itemId: m.get('itemId') ?? '',
    userId: m.get('userId') ?? '',
    r: Number(m.get('r') ?? -1),
    k: Number(m.get('k') ?? 0),
    gold: m.get('gold') === '1',
    at: Number(m.get('at') ?? 0),
  };
}

/** Lease metadata is kept this long after the lease, to answer LEASE_EXPIRED instead of "unknown". */
const META_TTL_S = 7 * 24 * 3600;

export type ClaimResult = { status: 'ok'; itemJson: string; hasDraft: boolean } | { status: 'filled' | 'excluded' | 'holding' | 'busy' };
export type TouchResult =
  | { status: 'live'; pttl: number; itemJson: string; lease: LeaseFields }
  | { status: 'ended'; lease: LeaseFields }
  | { status: 'replay'; json: string }
  | { status: 'unknown' | 'not-yours' };

/** Typed calls of the lease scripts on one Redis connection. */
export class LeaseScripts {
  constructor(private readonly redis: Redis) {
    for (const [name, s] of Object.entries(SCRIPTS)) {
      if (!(name in redis)) redis.defineCommand(name, { numberOfKeys: s.keys, lua: s.lua });
    }
  }

  private call(name: ScriptName, keys: string[], args: (string | number)[]): Promise<Reply> {
    const fn = (this.redis as unknown as Record<string, (...a: (string | number)[]) => Promise<Reply>>)[name] as (
      ...a: (string | number)[]
    ) => Promise<Reply>;
    return fn.call(this.redis, ...keys, ...args);
  }

  async held(k: EngineKeys, userId: string): Promise<{ itemId: string; token: string; pttl: number }[]> {
    const r = (await this.call('lwHeld', [k.held(userId), k.holders], [k.bull.base, k.lease('')])) as Reply[];
    const out = [];
    for (let i = 0; i + 2 < r.length; i += 3) out.push({ itemId: String(r[i]), token: String(r[i + 1]), pttl: Number(r[i + 2]) });
    return out;
  }

  async claim(
    k: EngineKeys,
    a: {
      userId: string;
      itemId: string;
      jobId: string;
      token: string;
      r: number;
      k: number;
      gold: boolean;
      now: number;
      maxHeld: number;
      leaseMs: number;
    },
  ): Promise<ClaimResult> {
    const r = (await this.call(
      'lwClaim',
      [
        k.held(a.userId),
        k.excluded(a.userId),
        k.holders,
        k.filled(a.jobId),
        k.drafts(a.userId),
        k.lease(a.token),
        k.user(a.userId),
        k.item(a.itemId),
        k.users,
      ],
      [
        a.itemId,
        a.jobId,
        a.token,
        k.bull.base,
        a.userId,
        a.now,
        a.maxHeld,
        k.lease(''),
        a.r,
        a.k,
        a.gold ? '1' : '0',
        META_TTL_S,
        a.leaseMs,
        k.stats,
      ],
    )) as Reply[];
    const status = String(r[0]);
    if (status === 'ok') return { status, itemJson: String(r[1] ?? ''), hasDraft: Number(r[2]) === 1 };
    return { status: status as 'filled' | 'excluded' | 'holding' | 'busy' };
  }

  async touch(
    k: EngineKeys,
    userId: string,
    token: string,
    extendMs: number,
    submit?: { submissionId: string; ttlS: number },
  ): Promise<TouchResult> {
    const r = (await this.call(
      'lwTouch',
      [k.lease(token), k.held(userId), k.bull.stalled],
      [
        token,
        extendMs,
        k.bull.base,
        userId,
        submit ? k.filled('') : '',
        submit?.submissionId ?? '',
        submit?.ttlS ?? 0,
        submit ? k.submission(submit.submissionId) : '',
        submit ? k.item('') : '',
      ],
    )) as Reply[];
    const code = Number(r[0]);
    if (code === 2) return { status: 'replay', json: String(r[1]) };
    if (code === -1) return { status: 'unknown' };
    if (code === -3) return { status: 'not-yours' };
    const lease = fieldsOf(r.slice(3));
    return code === 1 ? { status: 'live', pttl: Number(r[1]), itemJson: String(r[2] ?? ''), lease } : { status: 'ended', lease };
  }

  async record(
    k: EngineKeys,
    a: { userId: string; itemId: string; jobId: string; token: string; gold: boolean; annotationJson: string },
  ): Promise<{ added: boolean; count: number; hadDraft: boolean }> {
    const r = (await this.call(
      'lwRecord',
      [
        a.gold ? k.goldAnnotations(a.itemId) : k.itemAnnotations(a.itemId),
        k.excluded(a.userId),
        k.held(a.userId),
        k.holders,
        k.user(a.userId),
        k.stats,
        k.lease(a.token),
        k.drafts(a.userId),
      ],
      [a.userId, a.annotationJson, a.itemId, a.jobId, a.token, a.gold ? '1' : '0', k.bull.lock(a.jobId)],
    )) as Reply[];
    return { added: Number(r[0]) === 1, count: Number(r[1]), hadDraft: Number(r[2]) === 1 };
  }

  /** Ends a lease; `userId` is the holder's (read from the lease by the caller). */
  async release(
    k: EngineKeys,
    holderId: string,
    token: string,
    skip: boolean,
  ): Promise<{ live: boolean; jobId: string; itemId: string; gold: boolean } | null> {
    const r = (await this.call(
      'lwRelease',
      [k.lease(token), k.held(holderId), k.holders, k.excluded(holderId), k.user(holderId), k.stats],
      [token, skip ? '1' : '0', k.bull.base],
    )) as Reply[];
    if (Number(r[0]) === -1) return null;
    return { live: Number(r[0]) === 1, jobId: String(r[1]), itemId: String(r[2]), gold: String(r[4]) === '1' };
  }

  async pickGold(k: EngineKeys, userId: string, sample = 32): Promise<string | null> {
    const r = await this.call('lwPickGold', [k.goldPool, k.excluded(userId), k.held(userId)], [sample]);
    return typeof r === 'string' ? r : null;
  }

  async take(k: EngineKeys, jobId: string, token: string, lockMs: number, now: number): Promise<-1 | 0 | 1> {
    const r = await this.call('lwTake', takeKeys(k.bull, jobId), [jobId, token, lockMs, now]);
    return Number(r) as -1 | 0 | 1;
  }

  async transfer(
    k: EngineKeys,
    a: { oldToken: string; oldUserId: string; newToken: string; newUserId: string; now: number; lockMs: number },
  ): Promise<-1 | 0 | 1> {
    const r = await this.call(
      'lwTransfer',
      [k.lease(a.oldToken), k.held(a.oldUserId), k.holders, k.held(a.newUserId), k.excluded(a.newUserId), k.lease(a.newToken)],
      [a.oldToken, a.newToken, k.bull.base, a.newUserId, a.now, META_TTL_S, a.lockMs],
    );
    return Number(r) as -1 | 0 | 1;
  }

  /** Reads a lease's metadata (null when unknown). */
  async lease(k: EngineKeys, token: string): Promise<LeaseFields | null> {
    const flat = await this.redis.hgetall(k.lease(token));
    if (!flat.jobId) return null;
    return fieldsOf(Object.entries(flat).flat());
  }
}
