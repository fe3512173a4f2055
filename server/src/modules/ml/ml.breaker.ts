import type { BreakerDeps } from '@labelwork/engine';
import type { AppContext } from '../../context.ts';

/** The model backends' circuit breakers as this server process reaches them (Redis, prefix, ML_BREAKER_* settings). */
export function mlBreaker(ctx: AppContext): BreakerDeps {
  return {
    redis: ctx.redis,
    prefix: ctx.config.REDIS_PREFIX,
    config: { failures: ctx.config.ML_BREAKER_FAILURES, cooldownMs: ctx.config.ML_BREAKER_COOLDOWN_MS },
    now: ctx.now,
  };
}
