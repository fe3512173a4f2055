import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { AppError } from '../../http/errors.ts';

const FREE_FAILURES = 5;
const BASE_LOCK_S = 5;
const MAX_LOCK_S = 15 * 60;

/**
 * Login rate limit per client address and lockout with exponential backoff per username.
 * Applies to any username string, so a lockout reveals nothing about whether an account exists.
 */
export class LoginGuard {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly maxPerMinute: number,
  ) {}

  async checkAddress(ip: string, now: number): Promise<void> {
    const minute = Math.floor(now / 60_000);
    const key = `${this.prefix}:rl:login:${ip}:${minute}`;
    const n = await this.redis.incr(key);
    if (n === 1) await this.redis.expire(key, 61);
    if (n > this.maxPerMinute) {
      throw new AppError('RATE_LIMITED', 'too many sign-in attempts from this address; try again shortly', {
        retryAfterS: 60 - Math.floor((now % 60_000) / 1000),
      });
    }
  }

  private lockKey(username: string): string {
    return `${this.prefix}:lock:${username.toLowerCase()}`;
  }

  async checkLock(username: string, now: number): Promise<void> {
    const until = Number((await this.redis.hget(this.lockKey(username), 'until')) ?? 0);
    if (until > now) {
      throw new AppError('LOCKED_OUT', 'too many failed sign-ins for this account; wait before trying again', {
        retryAfterS: Math.ceil((until - now) / 1000),
      });
    }
  }

  async recordFailure(username: string, now: number): Promise<void> {
    const key = this.lockKey(username);
    const fails = await this.redis.hincrby(key, 'fails', 1);
    if (fails >= FREE_FAILURES) {
      const lockS = Math.min(MAX_LOCK_S, BASE_LOCK_S * 2 ** (fails - FREE_FAILURES));
      await this.redis.hset(key, 'until', String(now + lockS * 1000));
    }
    await this.redis.expire(key, 24 * 3600);
  }

  async recordSuccess(username: string): Promise<void> {
    await this.redis.del(this.lockKey(username));
  }

  /**
   * Runs `f` as the only holder of `name` across all server processes, or answers RATE_LIMITED at
   * once while another holds it (password checks of one account run one at a time, so a burst
   * of guesses neither slips past the lockout nor fills the hashing pool).
   */
  async exclusive<T>(name: string, f: () => Promise<T>): Promise<T> {
    const key = `${this.prefix}:busy:${name.toLowerCase()}`;
    const mine = randomBytes(8).toString('hex');
    if ((await this.redis.set(key, mine, 'PX', 30_000, 'NX')) !== 'OK') {
      throw new AppError('RATE_LIMITED', 'a password check of this account is already running; try again in a moment', { retryAfterS: 1 });
    }
    try {
      return await f();
    } finally {
      await this.redis.eval(RELEASE, 1, key, mine).catch(() => undefined);
    }
  }
}

/** Deletes the key only if it still holds our value (an expired hold taken over by another is not ours). */
const RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0";
