import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { AppError } from '../../http/errors.ts';

const FREE_FAILURES = 5;
const BASE_LOCK_S = 5;
const MAX_LOCK_S = 15 * 60;

/**
 * Login rate limit per client address and lockout with exponential backoff per username.
 * Applies to any username string, so a lockout reveals nothing about whether an account exists.
 *
 * The address limit counts every attempt as it starts (so a burst is bounded while its password
 * checks are still running) and gives a successful sign-in its attempt back: what it limits is
 * failed guesses, and an office of annotators behind one address (NAT) all signing in at the start
 * of a shift is never refused for it.
 */
export class LoginGuard {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly maxPerMinute: number,
  ) {}

  private addressKey(ip: string, now: number): string {
    return `${this.prefix}:rl:login:${ip}:${Math.floor(now / 60_000)}`;
  }

  async checkAddress(ip: string, now: number): Promise<void> {
    const key = this.addressKey(ip, now);
    const n = await this.redis.incr(key);
    if (n === 1) await this.redis.expire(key, 61);
    if (n > this.maxPerMinute) {
      throw new AppError('RATE_LIMITED', 'too many sign-in attempts from this address; try again shortly', {
        retryAfterS: 60 - Math.floor((now % 60_000) / 1000),
      });
    }
  }

  /** A successful sign-in gives back the attempt `checkAddress` counted (same address, same `now`). */
  async refundAddress(ip: string, now: number): Promise<void> {
    await this.redis.eval(REFUND, 1, this.addressKey(ip, now));
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

/** Decrements a live counter (never creates one without its expiry, never goes below zero). */
const REFUND = "if tonumber(redis.call('get', KEYS[1]) or '0') > 0 then return redis.call('decr', KEYS[1]) end return 0";

/** Deletes the key only if it still holds our value (an expired hold taken over by another is not ours). */
const RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0";
