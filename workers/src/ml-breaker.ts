import type { BreakerDeps } from '@labelwork/engine';
import type { WorkerContext } from './context.ts';

/** The model backends' circuit breakers as this worker process reaches them (Redis, prefix, ML_BREAKER_* settings). */
export function mlBreaker(w: WorkerContext): BreakerDeps {
  return {
    redis: w.redis,
    prefix: w.config.REDIS_PREFIX,
    config: { failures: w.config.ML_BREAKER_FAILURES, cooldownMs: w.config.ML_BREAKER_COOLDOWN_MS },
    now: w.now,
  };
}
