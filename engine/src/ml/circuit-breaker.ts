/**
 * The circuit breaker of each model backend, shared by every server and worker process: one Redis
 * key per backend (`<prefix>:ml-breaker:<backendId>`, so every operation touches one key and one
 * cluster slot) holding core's BreakerState as JSON, absent while closed with no failures. Changes
 * are compare-and-set (a small script), and the transitions are core's pure functions.
 */
import {
  breakerAcquire,
  breakerFailure,
  breakerPhase,
  breakerSuccess,
  closedBreaker,
  countsAsBackendFailure,
  type BreakerConfig,
  type BreakerPhase,
  type BreakerState,
} from '@labelwork/core';
import type { Redis } from 'ioredis';
import { OutboundError } from './outbound.ts';

export interface BreakerDeps {
  redis: Redis;
  prefix: string;
  config: BreakerConfig;
  now: () => number;
}

/** The breakers as a server or worker process reaches them: its Redis, prefix and ML_BREAKER_* settings. */
export function breakerDepsOf(p: {
  redis: Redis;
  config: { REDIS_PREFIX: string; ML_BREAKER_FAILURES: number; ML_BREAKER_COOLDOWN_MS: number };
  now: () => number;
}): BreakerDeps {
  return {
    redis: p.redis,
    prefix: p.config.REDIS_PREFIX,
    config: { failures: p.config.ML_BREAKER_FAILURES, cooldownMs: p.config.ML_BREAKER_COOLDOWN_MS },
    now: p.now,
  };
}

/** A call not made because the backend's breaker is open (or a probe is out): try again at `retryAt`. */
export class BackendUnavailableError extends Error {
  constructor(
    readonly backendId: string,
    readonly retryAt: number,
  ) {
    super(`backend unavailable, waiting until ${new Date(retryAt).toISOString()} (circuit breaker open)`);
  }
}

/** A breaker as admins and leads see it. */
export interface BreakerView {
  phase: BreakerPhase;
  failures: number;
  reopenAt: string | null;
}

/** Keep a breaker's key a week after its last change (backends that are removed leave nothing for long). */
const KEY_TTL_MS = 7 * 24 * 3600 * 1000;
const CAS = `local cur = redis.call('GET', KEYS[1]) or ''
if cur ~= ARGV[1] then return 0 end
if ARGV[2] == '' then redis.call('DEL', KEYS[1]) else redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3]) end
return 1`;

const keyOf = (d: BreakerDeps, backendId: string) => `${d.prefix}:ml-breaker:${backendId}`;
const encode = (s: BreakerState) => (s.failures === 0 && s.reopenAt === null ? '' : JSON.stringify(s));
const decode = (raw: string | null): BreakerState => (raw ? (JSON.parse(raw) as BreakerState) : closedBreaker());

/** Applies `change` to the stored state atomically (retried on a concurrent change); returns what `change` returned. */
async function update<T>(d: BreakerDeps, backendId: string, change: (s: BreakerState) => { next: BreakerState; out: T }): Promise<T> {
  const key = keyOf(d, backendId);
  for (let i = 0; ; i++) {
    const raw = (await d.redis.get(key)) ?? '';
    const { next, out } = change(decode(raw));
    const enc = encode(next);
    if (enc === raw) return out;
    if ((await d.redis.eval(CAS, 1, key, raw, enc, KEY_TTL_MS)) === 1 || i >= 20) return out;
  }
}

export async function readBreaker(d: BreakerDeps, backendId: string): Promise<BreakerState> {
  return decode(await d.redis.get(keyOf(d, backendId)));
}

export async function breakerViewOf(d: BreakerDeps, backendId: string): Promise<BreakerView> {
  const s = await readBreaker(d, backendId);
  return {
    phase: breakerPhase(s, d.now()),
    failures: s.failures,
    reopenAt: s.reopenAt === null ? null : new Date(s.reopenAt).toISOString(),
  };
}

/** The backend answered (a call, or /health UP): the breaker closes. */
export async function recordBackendSuccess(d: BreakerDeps, backendId: string): Promise<void> {
  await update(d, backendId, () => ({ next: breakerSuccess(), out: undefined }));
}

/** A call failed: counted when it says the backend is unavailable (core's countsAsBackendFailure). True when counted. */
export async function recordBackendFailure(d: BreakerDeps, backendId: string, e: unknown): Promise<boolean> {
  if (!(e instanceof OutboundError) || !countsAsBackendFailure(e.reason, e.status)) return false;
  const now = d.now();
  await update(d, backendId, (s) => ({ next: breakerFailure(s, now, d.config), out: undefined }));
  return true;
}

/**
 * Calls the backend through its breaker: refused at once with BackendUnavailableError while open
 * (or while another caller's probe is out, for at most `probeMs`); otherwise runs `call` and records
 * its outcome. A reply refused by validation is returned as the call's result and counts as an answer.
 */
export async function throughBreaker<T>(d: BreakerDeps, backendId: string, probeMs: number, call: () => Promise<T>): Promise<T> {
  const now = d.now();
  const gate = await update(d, backendId, (s) => {
    const r = breakerAcquire(s, now, probeMs);
    return { next: r.next, out: r };
  });
  if (!gate.allowed) throw new BackendUnavailableError(backendId, gate.retryAt);
  let result: T;
  try {
    result = await call();
  } catch (e) {
    const counted = await recordBackendFailure(d, backendId, e);
    // A probe that failed in a way that does not count (e.g. 4xx) still answered: the backend is there.
    if (!counted && gate.probe) await recordBackendSuccess(d, backendId);
    throw e;
  }
  // Closed with no failures is the common case: one read, no write.
  await recordBackendSuccess(d, backendId);
  return result;
}
