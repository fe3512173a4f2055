import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { SessionStore } from '../../server/src/modules/auth/sessions.ts';
import { testRedis } from '../support/redis-client.ts';
import type { RedisClient } from '@labelwork/engine';

/** Sessions slide their idle expiry without an EXPIRE on every request (issue #17). */
let redis: RedisClient;
const prefix = `t${randomUUID().replace(/-/g, '').slice(0, 12)}`;
const TTL_S = 600; // slides at most once a minute per process

beforeAll(() => {
  redis = testRedis(inject('redisUrl'), 'session-slide');
});
afterAll(() => redis.disconnect());

describe('session store', () => {
  it('slides a used session at most once a minute per process, and sees a sign-out by another process at once', async () => {
    let now = 1_000_000;
    const a = new SessionStore(redis, prefix, TTL_S, () => now);
    const b = new SessionStore(redis, prefix, TTL_S, () => now);
    const { token } = await a.create('u1', now);
    const key = `${prefix}:sess:${a.idOf(token)}`;
    expect(await a.get(token)).toMatchObject({ userId: 'u1' });
    await redis.expire(key, 100);
    now += 30_000;
    expect(await a.get(token)).toMatchObject({ userId: 'u1' });
    expect(await redis.ttl(key)).toBeLessThanOrEqual(100); // within the minute: not slid again
    now += 31_000;
    expect(await a.get(token)).toMatchObject({ userId: 'u1' });
    expect(await redis.ttl(key)).toBeGreaterThan(TTL_S - 10); // slid
    await b.destroy(token);
    expect(await a.get(token)).toBeNull();
  });
});
