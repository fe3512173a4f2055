import { describe, expect, it } from 'vitest';
import {
  breakerAcquire,
  breakerCooldownMs,
  breakerFailure,
  breakerPhase,
  breakerSuccess,
  closedBreaker,
  countsAsBackendFailure,
  type BreakerState,
} from '@labelwork/core';

const cfg = { failures: 3, cooldownMs: 1000 };

function fail(s: BreakerState, now: number, times = 1): BreakerState {
  for (let i = 0; i < times; i++) s = breakerFailure(s, now, cfg);
  return s;
}

describe('model backend circuit breaker', () => {
  it('stays closed below the failure threshold and opens at it, until the cooldown has passed', () => {
    let s = fail(closedBreaker(), 0, 2);
    expect(breakerPhase(s, 0)).toBe('closed');
    expect(breakerAcquire(s, 0, 500).allowed).toBe(true);
    s = fail(s, 10);
    expect(s).toMatchObject({ failures: 3, opens: 1, reopenAt: 1010 });
    expect(breakerPhase(s, 1009)).toBe('open');
    expect(breakerAcquire(s, 500, 500)).toEqual({ allowed: false, retryAt: 1010, next: s });
    expect(breakerPhase(s, 1010)).toBe('half-open');
  });

  it('a success in between starts the count of consecutive failures again', () => {
    let s = fail(closedBreaker(), 0, 2);
    s = breakerSuccess();
    s = fail(s, 0, 2);
    expect(breakerPhase(s, 0)).toBe('closed');
  });

  it('lets exactly one probe through when half-open; its success closes the breaker', () => {
    const open = fail(closedBreaker(), 0, 3);
    const first = breakerAcquire(open, 1000, 500);
    expect(first).toMatchObject({ allowed: true, probe: true });
    const probing = first.next;
    expect(breakerAcquire(probing, 1100, 500)).toEqual({ allowed: false, retryAt: 1500, next: probing });
    // A probe that never answers is given up on after probeMs: the next caller probes.
    expect(breakerAcquire(probing, 1500, 500)).toMatchObject({ allowed: true, probe: true });
    expect(breakerPhase(breakerSuccess(), 1100)).toBe('closed');
    expect(breakerAcquire(breakerSuccess(), 1100, 500)).toMatchObject({ allowed: true, probe: false });
  });

  it('a failed probe opens it again with twice the cooldown, capped at 32 times', () => {
    const open = fail(closedBreaker(), 0, 3);
    const probing = breakerAcquire(open, 1000, 500).next;
    const reopened = fail(probing, 1200);
    expect(reopened).toMatchObject({ opens: 2, reopenAt: 1200 + 2000, probeUntil: null });
    expect(breakerPhase(reopened, 3199)).toBe('open');
    expect([1, 2, 3, 6, 7, 50].map((n) => breakerCooldownMs(n, cfg))).toEqual([1000, 2000, 4000, 32_000, 32_000, 32_000]);
  });

  it('failures of calls sent before it opened do not move the reopen time', () => {
    const open = fail(closedBreaker(), 0, 3);
    expect(fail(open, 500, 4)).toMatchObject({ reopenAt: 1000, opens: 1 });
  });

  it('counts timeouts, connection errors, 5xx and 429 — not 4xx, refused replies or refused addresses', () => {
    expect(countsAsBackendFailure('timeout')).toBe(true);
    expect(countsAsBackendFailure('unreachable')).toBe(true);
    expect(countsAsBackendFailure('http_error', 503)).toBe(true);
    expect(countsAsBackendFailure('http_error', 429)).toBe(true);
    expect(countsAsBackendFailure('http_error', 400)).toBe(false);
    expect(countsAsBackendFailure('bad_json')).toBe(false);
    expect(countsAsBackendFailure('too_large')).toBe(false);
    expect(countsAsBackendFailure('address_refused')).toBe(false);
  });
});
