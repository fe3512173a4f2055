import { createHash, randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';

export interface Session {
  userId: string;
  csrf: string;
  createdAt: number;
}

const MAX_SLID = 100_000;

function sessionOf(data: Record<string, string> | null | undefined): Session | null {
  if (!data || !data.userId || !data.csrf) return null;
  return { userId: data.userId, csrf: data.csrf, createdAt: Number(data.createdAt) };
}

/** Sessions in Redis, keyed by a hash of the cookie token (a leaked Redis dump holds no usable tokens). */
export class SessionStore {
  /**
   * Sessions whose expiry this process slid lately, and when. Every request and socket event reads its
   * session; sliding the expiry each time made that a MULTI/HGETALL/EXPIRE/EXEC, a large share of a
   * server's CPU at 1,000 annotators (bench:assign profile, issue #17). Within {@link slideEveryMs} of
   * the last slide a plain HGETALL does: an idle session then lives at least its TTL less that.
   */
  private readonly slid = new Map<string, number>();
  private readonly slideEveryMs: number;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly ttlS: number,
    private readonly now: () => number = Date.now,
  ) {
    this.slideEveryMs = Math.min(60_000, (ttlS * 1000) / 10);
  }

  /** A session's id: the hash of its token (names its Redis key and its sockets' room; not usable as a cookie). */
  idOf(token: string): string {
    return createHash('sha256').update(token).digest('hex');
  }
  private keyOf(id: string): string {
    return `${this.prefix}:sess:${id}`;
  }
  private key(token: string): string {
    return this.keyOf(this.idOf(token));
  }
  private userKey(userId: string): string {
    return `${this.prefix}:user-sess:${userId}`;
  }

  async create(userId: string, now: number): Promise<{ token: string; session: Session }> {
    const token = randomBytes(32).toString('base64url');
    const session: Session = { userId, csrf: randomBytes(24).toString('base64url'), createdAt: now };
    const key = this.key(token);
    // Two transactions, one per key: on a Redis Cluster the session and the user's index live in
    // different slots. The index is written first, so a session never exists without it.
    await this.redis.multi().sadd(this.userKey(userId), key).expire(this.userKey(userId), this.ttlS).exec();
    await this.redis
      .multi()
      .hset(key, { userId, csrf: session.csrf, createdAt: String(now) })
      .expire(key, this.ttlS)
      .exec();
    return { token, session };
  }

  /** The session for a token, sliding its expiry; null when unknown or expired. */
  async get(token: string): Promise<Session | null> {
    return this.getById(this.idOf(token));
  }

  /** {@link get} by session id (a live socket holds the id, not the token). */
  async getById(id: string): Promise<Session | null> {
    const key = this.keyOf(id);
    const at = this.now();
    const last = this.slid.get(id);
    if (last !== undefined && at - last >= 0 && at - last < this.slideEveryMs) return sessionOf(await this.redis.hgetall(key));
    const [[, data]] = ((await this.redis.multi().hgetall(key).expire(key, this.ttlS).exec()) ?? [[null, {}]]) as [
      [unknown, Record<string, string>],
    ];
    const session = sessionOf(data);
    if (!session) {
      this.slid.delete(id);
      return null;
    }
    // Bounded: at this size, sessions not slid within the window are forgotten (they slide on their next use).
    if (this.slid.size >= MAX_SLID) for (const [k, t] of this.slid) if (at - t >= this.slideEveryMs) this.slid.delete(k);
    if (this.slid.size < MAX_SLID) this.slid.set(id, at);
    return session;
  }

  /** Which of these sessions still exist (no sliding: a periodic check must not keep them alive). */
  async existing(ids: string[]): Promise<boolean[]> {
    // One command per key (not one pipeline): on a Redis Cluster the keys are spread over the nodes.
    // An error counts as existing: a failed check must not end a session.
    return Promise.all(
      ids.map((id) =>
        this.redis.exists(this.keyOf(id)).then(
          (n) => n === 1,
          () => true,
        ),
      ),
    );
  }

  async destroy(token: string): Promise<void> {
    this.slid.delete(this.idOf(token));
    const key = this.key(token);
    const s = await this.redis.hget(key, 'userId');
    await this.redis.del(key);
    if (s) await this.redis.srem(this.userKey(s), key);
  }

  /** Ends every session of a user (disabled account, password change). */
  async destroyAllForUser(userId: string, exceptToken?: string): Promise<void> {
    const keys = await this.redis.smembers(this.userKey(userId));
    const keep = exceptToken ? this.key(exceptToken) : null;
    const drop = keys.filter((k) => k !== keep);
    // One DEL per key: a multi-key DEL must stay in one Redis Cluster slot, and sessions are spread out.
    await Promise.all(drop.map((k) => this.redis.del(k)));
    await this.redis.del(this.userKey(userId));
    if (keep) await this.redis.sadd(this.userKey(userId), keep);
  }
}
