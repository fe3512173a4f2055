/**
 * Bench set-up: thousands of signed-in users without thousands of scrypt sign-ins. The users are built
 * and stored by the users module (`newUserDoc`, `usersRepo.insertMany`: one password hash for all), and
 * each session is made by the server's own session store (`SessionStore.create`, what a sign-in stores
 * after the password check), in the same Redis, prefix and lifetime. Set-up, never what a bench measures.
 */
import type { Db } from 'mongodb';
import { Redis } from 'ioredis';
import type { UserDoc } from '@labelwork/engine';
import { hashPassword, newUserDoc, usersRepo } from '../../server/src/modules/users/index.ts';
import { SessionStore } from '../../server/src/modules/auth/sessions.ts';
import { SESSION_COOKIE } from '../../server/src/http/middleware.ts';

export interface BenchUsersOptions {
  count: number;
  /** Usernames are `${prefix}${i}`. */
  prefix: string;
  password: string;
  lang: UserDoc['lang'];
  level?: UserDoc['level'];
}

/** Stores `count` annotators through the users module; returns their ids in order. */
export async function seedBenchUsers(db: Db, o: BenchUsersOptions): Promise<UserDoc['_id'][]> {
  const passwordHash = await hashPassword(o.password);
  const now = new Date();
  const docs = Array.from({ length: o.count }, (_, i) =>
    newUserDoc(
      { username: `${o.prefix}${i}`, role: 'annotator', reviewer: false, level: o.level ?? 'L4', lang: o.lang, passwordHash },
      now,
    ),
  );
  await usersRepo.insertMany({ users: db.collection<UserDoc>('users') }, docs);
  return docs.map((d) => d._id);
}

/** A session per user id from the server's session store; returns `{ cookie, csrf }` in the same order. */
export async function benchSessions(
  redisUrl: string,
  redisPrefix: string,
  sessionTtlS: number,
  ids: string[],
  concurrency = 64,
): Promise<{ cookie: string; csrf: string }[]> {
  const redis = new Redis(redisUrl);
  const store = new SessionStore(redis, redisPrefix, sessionTtlS);
  const out: { cookie: string; csrf: string }[] = new Array(ids.length);
  let next = 0;
  try {
    await Promise.all(
      Array.from({ length: Math.min(concurrency, ids.length) }, async () => {
        while (next < ids.length) {
          const i = next++;
          const { token, session } = await store.create(ids[i]!, Date.now());
          out[i] = { cookie: `${SESSION_COOKIE}=${token}`, csrf: session.csrf };
        }
      }),
    );
  } finally {
    redis.disconnect();
  }
  return out;
}
