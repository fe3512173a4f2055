/**
 * The circuit breaker of a model backend, as pure functions over its stored state (the engine keeps
 * one state per backend in Redis and changes it with compare-and-set, so every server and worker
 * process sees the same breaker).
 *
 * closed → open after `failures` consecutive failed calls; open → half-open once the cooldown has
 * passed, where exactly one caller gets to try (the probe); the probe's success closes it, its
 * failure opens it again with twice the cooldown (capped at 32×). Any success closes it.
 *
 * What counts as a failure is the backend being unavailable: a timeout, a connection error, an HTTP
 * 5xx (or 429). A reply that answers but is refused by the validation is the backend's bug, logged
 * per batch; it does not count, and neither do 4xx answers or a refused address (configuration).
 */

export type BreakerPhase = 'closed' | 'open' | 'half-open';

export interface BreakerState {
  /** Consecutive failed calls since the last success. */
  failures: number;
  /** How many times in a row the breaker opened (sets the cooldown); 0 when closed. */
  opens: number;
  /** When an open breaker lets a probe through (ms since epoch); null when closed. */
  reopenAt: number | null;
  /** While a probe is out: when it is given up on, and the next caller may probe (ms since epoch). */
  probeUntil: number | null;
}

export interface BreakerConfig {
  /** Consecutive failures that open the breaker (ML_BREAKER_FAILURES). */
  failures: number;
  /** The first cooldown (ML_BREAKER_COOLDOWN_MS); it doubles on each reopening, up to 32 times as long. */
  cooldownMs: number;
}

export const BREAKER_MAX_COOLDOWN_FACTOR = 32;

export const closedBreaker = (): BreakerState => ({ failures: 0, opens: 0, reopenAt: null, probeUntil: null });

/** The cooldown after the breaker opened for the `opens`-th time in a row. */
export function breakerCooldownMs(opens: number, cfg: BreakerConfig): number {
  return cfg.cooldownMs * Math.min(BREAKER_MAX_COOLDOWN_FACTOR, 2 ** Math.max(0, opens - 1));
}

/** The phase as callers see it at `now`. */
export function breakerPhase(s: BreakerState, now: number): BreakerPhase {
  if (s.reopenAt === null) return 'closed';
  return now < s.reopenAt ? 'open' : 'half-open';
}

/** Whether a failure of the outbound client means the backend is unavailable (counts toward opening). */
export function countsAsBackendFailure(reason: string, status?: number): boolean {
  if (reason === 'timeout' || reason === 'unreachable') return true;
  if (reason === 'http_error') return status === undefined || status >= 500 || status === 429;
  return false;
}

/**
 * A caller asks to call the backend. Closed: yes, state unchanged. Open: no, until `retryAt`.
 * Half-open: the first caller becomes the probe (the state records it until `probeMs` from now);
 * others are refused until the probe settles or times out.
 */
export function breakerAcquire(
  s: BreakerState,
  now: number,
  probeMs: number,
): { allowed: true; probe: boolean; next: BreakerState } | { allowed: false; retryAt: number; next: BreakerState } {
  if (s.reopenAt === null) return { allowed: true, probe: false, next: s };
  if (now < s.reopenAt) return { allowed: false, retryAt: s.reopenAt, next: s };
  if (s.probeUntil !== null && now < s.probeUntil) return { allowed: false, retryAt: s.probeUntil, next: s };
  return { allowed: true, probe: true, next: { ...s, probeUntil: now + probeMs } };
}

/** A call (or a /health check) succeeded: the breaker closes. */
export function breakerSuccess(): BreakerState {
  return closedBreaker();
}

/**
 * A call failed in a way that counts. Closed: one more failure, opening at `cfg.failures`.
 * Half-open (the probe failed, or a call after the cooldown): opens again with a longer cooldown.
 * Open: a call sent before it opened; nothing changes.
 */
export function breakerFailure(s: BreakerState, now: number, cfg: BreakerConfig): BreakerState {
  const failures = s.failures + 1;
  const phase = breakerPhase(s, now);
  if (phase === 'open') return { ...s, failures };
  if (phase === 'closed' && failures < cfg.failures) return { ...s, failures };
  const opens = s.opens + 1;
  return { failures, opens, reopenAt: now + breakerCooldownMs(opens, cfg), probeUntil: null };
}
