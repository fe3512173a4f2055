import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { AppError } from '../../http/errors.ts';

const FREE_FAILURES = 5;
/** Successful sign-ins per address and minute that get their attempt back, as a multiple of the limit. */
export const SUCCESS_REFUNDS = 10;
const BASE_LOCK_S = 5;
const MAX_LOCK_S = 15 * 60;

/**
 * Login rate limit per client address and lockout with exponential backoff per username.
 * Applies to any username string, so a lockout reveals nothing about whether an account exists.
 *
 * The address limit counts every attempt as it starts (so a burst is bounded while its password
 * checks are still running) and gives a successful sign-in its attempt back: what it limits is
 * failed guesses, and an office of annotators behind one address (NAT) all signing in at the start
 * of a shift is not refused for it. Only the first SUCCESS_REFUNDS × the limit successes of an
 * address in a minute are given back, so one valid account cannot loop sign-ins from one address
 * without limit (each costs a password hash, a session and an audit entry).
 */
export class LoginGuard {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly maxPerMinute: number,
  ) {}

  /** The address's counter for the minute of `now`; hash-tagged so the refund script's two keys share a Redis Cluster slot. */
  private addressKey(ip: string, now: number): string {
    return `${this.prefix}:rl:login:{${ip}:${Math.floor(now / 60_000)}}`;
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
    const key = this.addressKey(ip, now);
    await this.redis.eval(REFUND, 2, key, `${key}:ok`, SUCCESS_REFUNDS * this.maxPerMinute);
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

/**
 * Counts the success (KEYS[2], expiring with the minute) and, for the first ARGV[1] of them,
 * decrements the attempt counter KEYS[1] if it is live (never creates one without its expiry,
 * never goes below zero).
 */
const REFUND = `local ok = redis.call('incr', KEYS[2])
if ok == 1 then redis.call('expire', KEYS[2], 61) end
if ok <= tonumber(ARGV[1]) and tonumber(redis.call('get', KEYS[1]) or '0') > 0 then return redis.call('decr', KEYS[1]) end
return 0`;

/** Deletes the key only if it still holds our value (an expired hold taken over by another is not ours). */
const RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0";
