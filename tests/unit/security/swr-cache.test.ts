import { describe, expect, it } from 'vitest';
import { SwrCache } from '../../../server/src/infra/swr-cache.ts';

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
});
