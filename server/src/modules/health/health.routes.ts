import { Router } from 'express';
import type { AppContext } from '../../context.ts';
import { resolveSession } from '../../http/middleware.ts';
import { evictionPolicy } from '../../infra/redis.ts';

async function timed<T>(f: () => Promise<T>): Promise<{ ok: true; ms: number; value: T } | { ok: false; ms: number; error: string }> {
  const t = performance.now();
  try {
    const value = await f();
    return { ok: true, ms: Math.round((performance.now() - t) * 10) / 10, value };
  } catch (e) {
    return { ok: false, ms: Math.round((performance.now() - t) * 10) / 10, error: e instanceof Error ? e.message : String(e) };
  }
}

/** True when the request carries a signed-in admin's session; a session store that is down counts as no. */
async function isAdmin(ctx: AppContext, cookieHeader: string | undefined): Promise<boolean> {
  if (!cookieHeader) return false;
  try {
    return (await resolveSession(ctx, cookieHeader)).auth?.user.role === 'admin';
  } catch {
    return false;
  }
}

/**
 * `/api/health`: database, Redis (with its eviction policy) and queues. 200 when all answer, else
 * 503. Anyone gets `{status}`; the details (versions, Redis policy, queue counts, error text) are
 * for signed-in admins only, as they help an attacker more than a load balancer.
 */
export function healthRoutes(ctx: AppContext): Router {
  const r = Router();
  r.get('/', async (req, res) => {
    const [db, redis, queue] = await Promise.all([
      timed(async () => {
        const ping = await ctx.db.db.command({ ping: 1 });
        const info = await ctx.db.db
          .admin()
          .command({ buildInfo: 1 })
          .catch(() => ({}) as Record<string, unknown>);
        return { ping: ping.ok === 1, version: info.version as string | undefined, ferretdb: 'ferretdbVersion' in info };
      }),
      timed(async () => {
        await ctx.redis.ping();
        return { maxmemoryPolicy: await evictionPolicy(ctx.redis).catch(() => 'unknown') };
      }),
      timed(() => ctx.queues.quality.getJobCounts('waiting', 'active', 'delayed', 'completed', 'failed', 'waiting-children')),
    ]);
    const redisWarning =
      redis.ok && redis.value.maxmemoryPolicy !== 'noeviction'
        ? `maxmemory-policy is ${redis.value.maxmemoryPolicy}; BullMQ needs noeviction`
        : undefined;
    const ok = db.ok && redis.ok && queue.ok;
    const status = ok ? (redisWarning ? 'degraded' : 'ok') : 'down';
    res.setHeader('Cache-Control', 'no-store');
    if (!(await isAdmin(ctx, req.headers.cookie))) {
      res.status(ok ? 200 : 503).json({ status });
      return;
    }
    res.status(ok ? 200 : 503).json({
      status,
      database: db.ok ? { ok: true, latencyMs: db.ms, ...db.value } : { ok: false, error: db.error },
      redis: redis.ok
        ? { ok: true, latencyMs: redis.ms, ...redis.value, ...(redisWarning ? { warning: redisWarning } : {}) }
        : { ok: false, error: redis.error },
      queues: queue.ok ? { ok: true, quality: queue.value } : { ok: false, error: queue.error },
    });
  });
  return r;
}
