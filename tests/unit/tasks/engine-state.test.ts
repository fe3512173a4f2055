import { describe, expect, it } from 'vitest';
import {
  REPLICA_JOB_OPTS,
  agreementRunTimeOps,
  projectAgreementWindowMs,
  goldScoredOps,
  interleaveReplicas,
  itemCompleteOps,
  projectKeys,
  replicaJobs,
} from '@labelwork/core';

const ids = (n: number) => Array.from({ length: n }, (_, i) => `i${i}`);
const order = (slots: { itemId: string; r: number }[]) => slots.map((s) => `${s.itemId}-${s.r}`);

describe('interleaveReplicas', () => {
  it('puts replica r of every item of a window before replica r + 1, window after window', () => {
    const slots = interleaveReplicas(
      ids(5).map((itemId) => ({ itemId, k: 2, priority: 50 })),
      2,
    );
    expect(order(slots)).toEqual(['i0-0', 'i1-0', 'i0-1', 'i1-1', 'i2-0', 'i3-0', 'i2-1', 'i3-1', 'i4-0', 'i4-1']);
  });

  it("leaves out replicas whose slot is filled and respects each item's own k", () => {
    const slots = interleaveReplicas(
      [
        { itemId: 'a', k: 3, priority: 1, skip: new Set([1]) },
        { itemId: 'b', k: 1, priority: 1 },
      ],
      50,
    );
    expect(order(slots)).toEqual(['a-0', 'b-0', 'a-2']);
  });
});

describe('replica jobs and engine writes', () => {
  it("builds replica jobs with the one set of replica options and the lead's priority", () => {
    const [job] = replicaJobs('p', [{ itemId: 'a', k: 1, priority: 100 }], 50);
    expect(job).toEqual({
      name: 'replica',
      data: { projectId: 'p', itemId: 'a', r: 0, k: 1 },
      opts: { jobId: 'a-0', priority: 1, ...REPLICA_JOB_OPTS },
    });
  });

  it('marks an item complete once and drops its cached view', () => {
    const keys = projectKeys('lw', '0123456789abcdef01234567');
    const [count, del] = itemCompleteOps(keys, 'it');
    expect(count?.slice(2)).toEqual([2, keys.complete, keys.stats, 'it']);
    expect(del).toEqual(['del', keys.item('it')]);
  });
});

describe('worker writes', () => {
  it('adds a gold score to the annotator once (guarded by the scored set) and records the agreement run time', () => {
    const keys = projectKeys('lw', '0123456789abcdef01234567');
    const [op] = goldScoredOps(keys, 'u1', 'a1', 0.75);
    expect(op?.slice(2)).toEqual([2, keys.goldScored, keys.user('u1'), 'a1', '0.75']);
    expect(agreementRunTimeOps(keys, 12.4)).toEqual([['hset', keys.stats, 'agreementMs', '12']]);
  });

  it('debounces project agreement by 20 × the last run, never beyond the cap', () => {
    expect(projectAgreementWindowMs(10_000, 100, 300_000)).toBe(10_000);
    expect(projectAgreementWindowMs(10_000, 2_000, 300_000)).toBe(40_000);
    // One slow run under load (a write lock held elsewhere) must not push the next one minutes away.
    expect(projectAgreementWindowMs(200, 3_000, 2_000)).toBe(2_000);
    // A cap below the configured debounce does not shorten the debounce.
    expect(projectAgreementWindowMs(10_000, 0, 1_000)).toBe(10_000);
  });
});
