import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Task } from '@labelwork/core';
import { LeaseKeeper, type BeatAnswer } from '../../../client/src/features/workspace/lease-keeper.ts';

const LEASE_MS = 60_000;

function task(): Task {
  return {
    leaseId: 'p.t',
    projectId: 'p',
    item: { id: 'i', kind: 'text', text: '你好' },
    leaseUntil: new Date(Date.now() + LEASE_MS).toISOString(),
    leaseMs: LEASE_MS,
    heartbeatMs: LEASE_MS / 4,
    resumed: false,
  };
}

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(new Date('2026-03-01T08:00:00Z'));
});
afterEach(() => vi.useRealTimers());

describe('lease keeper', () => {
  it('heartbeats while the person works and keeps the lease live', async () => {
    const beats: number[] = [];
    const k = new LeaseKeeper(
      task(),
      async () => (beats.push(Date.now()), { ok: true }),
      () => undefined,
      { idleMs: 5 * 60_000 },
    );
    k.start();
    for (let i = 0; i < 8; i++) {
      await vi.advanceTimersByTimeAsync(15_000);
      k.activity();
    }
    expect(beats.length).toBeGreaterThanOrEqual(8);
    expect(k.snapshot().health).toBe('live');
    k.stop();
  });

  it('warns when the server stops answering, and says the lease may have lapsed once its time is up', async () => {
    let up = true;
    const k = new LeaseKeeper(
      task(),
      async (): Promise<BeatAnswer> => (up ? { ok: true } : { ok: false, code: 'NETWORK' }),
      () => undefined,
    );
    k.start();
    await vi.advanceTimersByTimeAsync(1000);
    up = false;
    await vi.advanceTimersByTimeAsync(29_000);
    expect(k.snapshot().health).toBe('live');
    await vi.advanceTimersByTimeAsync(2000);
    expect(k.snapshot().health).toBe('warning');
    await vi.advanceTimersByTimeAsync(30_000);
    expect(k.snapshot().health).toBe('lapsed');
    // The server is back: the next heartbeat (at once on input) renews it.
    up = true;
    k.activity();
    await vi.advanceTimersByTimeAsync(10);
    expect(k.snapshot().health).toBe('live');
    k.stop();
  });

  it('stops heartbeating when the person is away, so the task goes back to the queue', async () => {
    let beats = 0;
    const k = new LeaseKeeper(
      task(),
      async () => (beats++, { ok: true }),
      () => undefined,
      { idleMs: 60_000 },
    );
    k.start();
    await vi.advanceTimersByTimeAsync(60_000);
    const atIdle = beats;
    await vi.advanceTimersByTimeAsync(40_000);
    expect(beats).toBe(atIdle);
    expect(k.snapshot()).toMatchObject({ away: true, health: 'warning' });
    k.stop();
  });

  it('reports the end when the server says the lease is gone', async () => {
    const ended: string[] = [];
    const k = new LeaseKeeper(
      task(),
      async () => ({ ok: false, code: 'LEASE_EXPIRED' }),
      (r) => ended.push(r),
    );
    k.start();
    await vi.advanceTimersByTimeAsync(10);
    expect(ended).toEqual(['expired']);
  });
});
