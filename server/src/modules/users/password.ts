import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { AppError } from '../../http/errors.ts';

const N = 16384;
const R = 8;
const P = 1;
const KEYLEN = 64;

/**
 * Bounds concurrent hashing: scrypt runs on libuv's small thread pool (4 threads, shared with file
 * and DNS work), so at most MAX_HASHING run at once and at most MAX_WAITING wait; beyond that the
 * request answers RATE_LIMITED instead of queueing behind a flood. Process-wide on purpose: the
 * thread pool it protects is process-wide too.
 */
const MAX_HASHING = 2;
const MAX_WAITING = 64;
let hashing = 0;
const waiting: (() => void)[] = [];

async function withHashSlot<T>(f: () => Promise<T>): Promise<T> {
  if (hashing < MAX_HASHING) hashing++;
  else {
    if (waiting.length >= MAX_WAITING)
      throw new AppError('RATE_LIMITED', 'the server is busy checking passwords; try again in a moment', { retryAfterS: 1 });
    await new Promise<void>((resolve) => waiting.push(resolve));
  }
  try {
    return await f();
  } finally {
    const nextInLine = waiting.shift();
    if (nextInLine) nextInLine();
    else hashing--;
  }
}

function scryptAsync(password: string, salt: Buffer, keylen: number, opts: ScryptOptions): Promise<Buffer> {
  return withHashSlot(
    () => new Promise((resolve, reject) => scrypt(password, salt, keylen, opts, (err, key) => (err ? reject(err) : resolve(key)))),
  );
}

/** Hashes with node's scrypt; the result carries its parameters: `scrypt$N$r$p$salt$hash` (base64url). */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scryptAsync(password.normalize('NFC'), salt, KEYLEN, { N, r: R, p: P, maxmem: 64 * 1024 * 1024 });
  return ['scrypt', N, R, P, salt.toString('base64url'), key.toString('base64url')].join('$');
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [, n, r, p, saltB64, hashB64] = parts as [string, string, string, string, string, string];
  const expected = Buffer.from(hashB64, 'base64url');
  const key = await scryptAsync(password.normalize('NFC'), Buffer.from(saltB64, 'base64url'), expected.length, {
    N: Number(n),
    r: Number(r),
    p: Number(p),
    maxmem: 64 * 1024 * 1024,
  });
  return key.length === expected.length && timingSafeEqual(key, expected);
}

/** A password that is hard to guess and easy to copy: 20 characters from base64url. */
export function generatePassword(): string {
  return randomBytes(15).toString('base64url');
}
