import { describe, expect, it } from 'vitest';
import { SwrCache } from '../../../core/src/cache/swr-cache.ts';
import { AccessChanges } from '../../../server/src/infra/access-changes.ts';

/** The read-through cache drops revoked values at once (issue #11: caches served revoked rights). */
describe('SwrCache invalidation', () => {
  function deferred<T>() {
    let resolve!: (v: T) => void;
    const promise = new Promise<T>((r) => (resolve = r));
    return { promise, resolve };
  }

  it('does not store a load that started before a forget (it may have read the old value)', async () => {
    let now = 0;
    const loads: { key: string; d: ReturnType<typeof deferred<string>> }[] = [];
    const cache = new SwrCache<string>(
      () => now,
      1000,
      10_000,
      (key) => {
        const d = deferred<string>();
        loads.push({ key, d });
        return d.promise;
      },
    );
    const first = cache.get('u');
    cache.forget('u'); // the change lands while the read is in flight
    loads[0]!.d.resolve('reviewer');
    expect(await first).toBe('reviewer');
    // The next get reads again instead of serving what the old read returned.
    const second = cache.get('u');
    expect(loads).toHaveLength(2);
    loads[1]!.d.resolve('not a reviewer');
    expect(await second).toBe('not a reviewer');
    now += 10;
    expect(await cache.get('u')).toBe('not a reviewer');
    expect(loads).toHaveLength(2);
  });

  it('clear drops fresh and stale entries alike', async () => {
    let now = 0;
    let n = 0;
    const cache = new SwrCache<number>(
      () => now,
      1000,
      30_000,
      async () => ++n,
    );
    expect(await cache.get('a')).toBe(1);
    expect(await cache.get('b')).toBe(2);
    now += 5000; // stale: would be served while refreshing
    cache.clear();
    expect(await cache.get('a')).toBe(3);
    expect(await cache.get('b')).toBe(4);
  });

  it('with a spread, keeps each entry fresh for its own share of the window, so entries loaded together are not refreshed together', async () => {
    let now = 0;
    const loads: string[] = [];
    const draws = [0, 1, 0.5];
    const cache = new SwrCache<number>(
      () => now,
      1000,
      10_000,
      async (k) => loads.push(k),
      { spread: 0.5, random: () => draws.shift()! },
    );
    for (const k of ['a', 'b', 'c']) await cache.get(k); // fresh for 1000, 1500 and 1250 ms
    now = 1100;
    for (const k of ['a', 'b', 'c']) await cache.get(k);
    expect(loads).toEqual(['a', 'b', 'c', 'a']); // only a went stale (served, refreshed in the background)
    now = 1300;
    for (const k of ['b', 'c']) await cache.get(k);
    expect(loads).toEqual(['a', 'b', 'c', 'a', 'c']);
  });

  it('concurrent first reads of a key share one load', async () => {
    let loads = 0;
    const cache = new SwrCache<number>(
      () => 0,
      1000,
      2000,
      async () => ++loads,
    );
    expect(await Promise.all([cache.get('a'), cache.get('a'), cache.get('a')])).toEqual([1, 1, 1]);
    expect(loads).toBe(1);
  });
});

/** One invalidation path (conventions 16): every registered cache drops what a change names. */
describe('AccessChanges', () => {
  it('drops only the entries a change affects, and everything on {all}', async () => {
    let n = 0;
    const users = new SwrCache<number>(
      () => 0,
      1000,
      2000,
      async () => ++n,
    );
    const decisions = new SwrCache<number>(
      () => 0,
      1000,
      2000,
      async () => ++n,
    );
    const access = new AccessChanges();
    access.register(users, (key, change) => key === change.userId);
    access.register(decisions, (key, change) => key.split(':')[1] === change.projectId);
    const seen: unknown[] = [];
    access.on((c) => seen.push(c));
    for (const k of ['u1', 'u2']) await users.get(k);
    for (const k of ['u1:p1:view', 'u2:p2:view']) await decisions.get(k);
    access.apply({ userId: 'u1', projectId: 'p2' });
    expect(await users.get('u1')).toBe(5); // reloaded
    expect(await users.get('u2')).toBe(2); // kept
    expect(await decisions.get('u1:p1:view')).toBe(3); // kept
    expect(await decisions.get('u2:p2:view')).toBe(6); // reloaded
    access.apply({ all: true });
    expect(await users.get('u2')).toBe(7);
    expect(await decisions.get('u1:p1:view')).toBe(8);
    expect(seen).toEqual([{ userId: 'u1', projectId: 'p2' }, { all: true }]);
  });
});
