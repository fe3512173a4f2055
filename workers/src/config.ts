/** Environment of the workers process, checked once at start (one line per problem). */
export interface WorkerConfig {
  MONGO_URL: string;
  MONGO_DB: string;
  REDIS_URL: string;
  REDIS_PREFIX: string;
  LOG_LEVEL: 'debug' | 'info' | 'warn' | 'error' | 'silent';
  /** Quality jobs processed at once per process. */
  WORKER_CONCURRENCY: number;
  /** Queues this process works on (default all four): workers scale by queue. */
  WORKER_QUEUES: WorkerQueue[];
  /** ML jobs (pre-annotation runs, health checks) at once per process. */
  ML_WORKER_CONCURRENCY: number;
  /** Export jobs at once per process. */
  EXPORT_WORKER_CONCURRENCY: number;
  /** BullMQ lock of a job in hand: a killed worker's job is retried this long after its death. */
  WORKER_LOCK_MS: number;
  /** On SIGTERM, jobs in hand get this long to finish before their locks are let go. */
  SHUTDOWN_GRACE_MS: number;
  /** A worker whose queue had jobs waiting this long while it took none (with room for more) is replaced (infra/worker-watchdog.ts). */
  WORKER_STALL_MS: number;
  /** How often the watchdog looks. */
  WORKER_WATCHDOG_EVERY_MS: number;
  /** Project agreement is recomputed at most once per this window. */
  PROJECT_AGREEMENT_DEBOUNCE_MS: number;
  PROJECT_AGREEMENT_MAX_WINDOW_MS: number;
  /** Fault injection for tests: sleep this long inside each item-agreement job. */
  QUALITY_JOB_DELAY_MS: number;
  /** Process niceness (0–19): on a machine shared with servers, background jobs yield the CPU to them. */
  WORKER_NICE: number;
  /** Polygon IoU computations one item's agreement may need; beyond it polygons are compared as their bounding boxes (flagged). */
  QUALITY_MAX_POLYGON_PAIRS: number;
  /** Finished exports are deleted (file and record) this many hours after they finish. */
  EXPORT_TTL_HOURS: number;
  /** Fault injection for tests: sleep this long after each batch of an export. */
  EXPORT_BATCH_DELAY_MS: number;
  /** /predict calls one pre-annotation run has pending at once (each of ML_BATCH_SIZE items). */
  ML_PREDICT_CONCURRENCY: number;
  /** Consecutive failed calls (timeout, connection error, 5xx) that open a model backend's circuit breaker (as the server's). */
  ML_BREAKER_FAILURES: number;
  /** How long an open breaker refuses calls before one probe may try (doubles on each reopening, up to 32×). */
  ML_BREAKER_COOLDOWN_MS: number;
}

export const WORKER_QUEUES = ['quality', 'maintenance', 'ml', 'export'] as const;
export type WorkerQueue = (typeof WORKER_QUEUES)[number];

function queueList(raw: string | undefined): WorkerQueue[] {
  if (raw === undefined || raw.trim() === '') return [...WORKER_QUEUES];
  const list = raw.split(',').map((q) => q.trim());
  const bad = list.find((q) => !(WORKER_QUEUES as readonly string[]).includes(q));
  if (bad !== undefined || !list.length)
    throw new Error(`config: WORKER_QUEUES must list some of ${WORKER_QUEUES.join(', ')} (got "${raw}")`);
  return [...new Set(list)] as WorkerQueue[];
}

function int(env: NodeJS.ProcessEnv, name: string, def: number, min: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return def;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new Error(`config: ${name} must be an integer >= ${min} (got "${raw}")`);
  return n;
}

export function loadWorkerConfig(env: NodeJS.ProcessEnv = process.env): WorkerConfig {
  const need = (name: string, re: RegExp, def?: string) => {
    const v = env[name] ?? def;
    if (v === undefined) throw new Error(`config: ${name} is not set`);
    if (!re.test(v)) throw new Error(`config: ${name} is not valid`);
    return v;
  };
  const level = env.LOG_LEVEL ?? 'info';
  if (!['debug', 'info', 'warn', 'error', 'silent'].includes(level))
    throw new Error('config: LOG_LEVEL must be debug, info, warn, error or silent');
  return {
    MONGO_URL: need('MONGO_URL', /^mongodb(\+srv)?:\/\//),
    MONGO_DB: need('MONGO_DB', /^[A-Za-z0-9_-]{1,60}$/, 'labelwork'),
    REDIS_URL: need('REDIS_URL', /^rediss?(-cluster)?:\/\//),
    REDIS_PREFIX: need('REDIS_PREFIX', /^[A-Za-z0-9_:-]{1,40}$/, 'lw'),
    LOG_LEVEL: level as WorkerConfig['LOG_LEVEL'],
    WORKER_CONCURRENCY: int(env, 'WORKER_CONCURRENCY', 4, 1),
    WORKER_QUEUES: queueList(env.WORKER_QUEUES),
    ML_WORKER_CONCURRENCY: int(env, 'ML_WORKER_CONCURRENCY', 2, 1),
    EXPORT_WORKER_CONCURRENCY: int(env, 'EXPORT_WORKER_CONCURRENCY', 1, 1),
    WORKER_LOCK_MS: int(env, 'WORKER_LOCK_MS', 30_000, 200),
    SHUTDOWN_GRACE_MS: int(env, 'SHUTDOWN_GRACE_MS', 10_000, 0),
    WORKER_STALL_MS: int(env, 'WORKER_STALL_MS', 20_000, 1000),
    WORKER_WATCHDOG_EVERY_MS: int(env, 'WORKER_WATCHDOG_EVERY_MS', 5000, 100),
    PROJECT_AGREEMENT_DEBOUNCE_MS: int(env, 'PROJECT_AGREEMENT_DEBOUNCE_MS', 10_000, 1),
    PROJECT_AGREEMENT_MAX_WINDOW_MS: int(env, 'PROJECT_AGREEMENT_MAX_WINDOW_MS', 300_000, 1),
    QUALITY_JOB_DELAY_MS: int(env, 'QUALITY_JOB_DELAY_MS', 0, 0),
    WORKER_NICE: Math.min(19, int(env, 'WORKER_NICE', 0, 0)),
    QUALITY_MAX_POLYGON_PAIRS: int(env, 'QUALITY_MAX_POLYGON_PAIRS', 100, 0),
    EXPORT_TTL_HOURS: int(env, 'EXPORT_TTL_HOURS', 72, 1),
    EXPORT_BATCH_DELAY_MS: int(env, 'EXPORT_BATCH_DELAY_MS', 0, 0),
    ML_PREDICT_CONCURRENCY: Math.min(16, int(env, 'ML_PREDICT_CONCURRENCY', 2, 1)),
    ML_BREAKER_FAILURES: int(env, 'ML_BREAKER_FAILURES', 5, 1),
    ML_BREAKER_COOLDOWN_MS: int(env, 'ML_BREAKER_COOLDOWN_MS', 30_000, 100),
  };
}
