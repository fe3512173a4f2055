import { isIP } from 'node:net';
import { z } from 'zod';

const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

/** One trusted proxy: an address, a CIDR range, or Express's names for local ranges. */
function isProxyAddress(entry: string): boolean {
  if (entry === 'loopback' || entry === 'linklocal' || entry === 'uniquelocal') return true;
  const [addr = '', bits, ...rest] = entry.split('/');
  const family = isIP(addr);
  if (!family || rest.length) return false;
  if (bits === undefined) return true;
  return /^\d{1,3}$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128);
}

/**
 * Which proxies' `X-Forwarded-For` to believe (Express `trust proxy`): off by default, so the
 * client address (sign-in rate limit, audit) is the socket's peer and a client cannot choose it.
 * `1`…`10` trusts that many hops; otherwise a comma-separated list of addresses and CIDR ranges.
 */
const TrustProxy = z
  .string()
  .trim()
  .default('')
  .transform((v, c): false | number | string[] => {
    if (v === '' || v === 'false' || v === '0') return false;
    if (/^\d+$/.test(v)) {
      const hops = Number(v);
      if (hops <= 10) return hops;
    }
    const list = v.split(',').map((e) => e.trim());
    if (list.every(isProxyAddress)) return list;
    c.addIssue({
      code: 'custom',
      message:
        'must be empty/false, a hop count 1–10, or a comma-separated list of proxy addresses or CIDR ranges (loopback, 10.0.0.0/8, …)',
    });
    return z.NEVER;
  });

/** Environment variables the server reads; validated once at start. */
export const ConfigSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  MONGO_URL: z.string().regex(/^mongodb(\+srv)?:\/\//, 'must be a mongodb:// URL'),
  MONGO_DB: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,60}$/, 'must be a plain database name')
    .default('labelwork'),
  /** One Redis (`redis://host:port`) or a Redis Cluster (`redis-cluster://host:port,host:port,…`, seed nodes). */
  REDIS_URL: z.string().regex(/^rediss?(-cluster)?:\/\//, 'must be a redis:// or redis-cluster:// URL'),
  /** MongoDB write concern `w` (`majority` on a replica set: a write survives losing the primary); empty = the server's default. */
  MONGO_WRITE_CONCERN: z
    .string()
    .regex(/^(majority|\d{1,2})?$/, 'must be majority or a number of nodes')
    .default('')
    .transform((v) => (v === '' ? undefined : v === 'majority' ? ('majority' as const) : Number(v))),
  /** Where dashboard reads go on a replica set: primary (default) or secondaryPreferred (off the primary, may lag by seconds). */
  MONGO_DASHBOARD_READ_PREFERENCE: z.enum(['primary', 'primaryPreferred', 'secondary', 'secondaryPreferred', 'nearest']).default('primary'),
  /** Key prefix in Redis (lets tests and several deployments share one Redis). */
  REDIS_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_:-]{1,40}$/)
    .default('lw'),
  ADMIN_USERNAME: z.string().min(2).default('admin'),
  ADMIN_PASSWORD: z.string().min(10, 'must be at least 10 characters').optional(),
  SESSION_TTL_S: z.coerce
    .number()
    .int()
    .min(60)
    .default(12 * 3600),
  /** Mark the session cookie Secure (default: on in production). */
  COOKIE_SECURE: bool.optional(),
  MAX_IMAGE_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(50 * 1024 * 1024),
  MAX_IMPORT_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(200 * 1024 * 1024),
  /** Dataset-import plans (parsing an upload, mapping labels) run in worker threads: how many at once per server process, and each one's heap. */
  IMPORT_PLAN_THREADS: z.coerce.number().int().min(1).max(16).default(1),
  IMPORT_PLAN_HEAP_MB: z.coerce.number().int().min(256).default(4096),
  /** All files of one image upload request together (they are streamed to UPLOAD_DIR, not held in memory). */
  MAX_UPLOAD_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(1024 * 1024 * 1024),
  MAX_UPLOAD_FILES: z.coerce.number().int().min(1).max(10_000).default(500),
  /** Where uploads wait while they are checked (default: the system temp directory). */
  UPLOAD_DIR: z.string().default(''),
  /** Time and resident memory one image may take to decode, in a child process that is killed beyond them. */
  IMAGE_DECODE_TIMEOUT_MS: z.coerce.number().int().min(100).default(20_000),
  IMAGE_DECODE_MEMORY_MB: z.coerce.number().int().min(64).default(1024),
  /** Image imports decoding at once per server process (each in its own child); more wait their turn. */
  IMAGE_DECODE_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(2),
  /** Images whose longer side is above this many pixels get a tile pyramid, built by a worker at import (docs/tile-pyramids.md). */
  IMAGE_TILES_MIN_SIDE: z.coerce.number().int().min(2048).default(4096),
  LOGIN_MAX_PER_MINUTE: z.coerce.number().int().min(1).default(30),
  /** Proxies whose X-Forwarded-For is believed (default: none); see TrustProxy. */
  TRUST_PROXY: TrustProxy,
  /** Serve the built client from this directory (empty: do not serve it). */
  CLIENT_DIST: z.string().default(''),
  GUIDELINES_DIR: z.string().default(''),
  /** Origin model backends fetch signed media from (default: the origin the lead's browser used to start a run). */
  PUBLIC_URL: z.string().url().optional(),
  /** Longest wait for an interactive model backend's answer to an annotator's Assist request. */
  ML_ASSIST_TIMEOUT_MS: z.coerce.number().int().min(500).max(60_000).default(4000),
  /** Consecutive failed calls (timeout, connection error, 5xx) that open a model backend's circuit breaker. */
  ML_BREAKER_FAILURES: z.coerce.number().int().min(1).max(1000).default(5),
  /** How long an open breaker refuses calls before one probe may try (doubles on each reopening, up to 32×). */
  ML_BREAKER_COOLDOWN_MS: z.coerce.number().int().min(100).max(3_600_000).default(30_000),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
  /** Refuse to start unless Redis uses maxmemory-policy noeviction (BullMQ needs it). */
  REQUIRE_NOEVICTION: bool.default(false),
  /** How long a task lease lives without a heartbeat (clients heartbeat every quarter of it). */
  LEASE_MS: z.coerce
    .number()
    .int()
    .min(500)
    .max(24 * 3600_000)
    .default(60_000),
  /** How often abandoned leases are looked for (default: a third of LEASE_MS, at most 30 s). */
  STALLED_INTERVAL_MS: z.coerce.number().int().min(100).optional(),
  /** A snapshot restore job's lock: a server that dies mid-restore leaves it to another (or itself restarted) after about this long. */
  RESTORE_LOCK_MS: z.coerce.number().int().min(500).max(600_000).default(30_000),
  /** Tests: a pause after each batch of a snapshot restore, so a test can act mid-restore (0: none). */
  RESTORE_BATCH_DELAY_MS: z.coerce.number().int().min(0).max(60_000).default(0),
  /** Tasks a "next" request may look at before answering NOTHING_TO_DO (excluded ones are put back). */
  TASK_SCAN_LIMIT: z.coerce.number().int().min(1).max(1000).default(40),
  /** Project queues kept open per server process (each holds a Redis connection); least recently used closed first. */
  TASK_QUEUES_MAX: z.coerce.number().int().min(1).max(10_000).default(200),
  /**
   * Largest draft (its regions as JSON, in bytes); larger ones are refused with DRAFT_TOO_LARGE. 8 MiB holds
   * 50,000 boxes or 5,000 polygons of 30 points, and stays well below MongoDB's 16 MiB document limit.
   */
  DRAFT_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(8 * 1024 * 1024),
  /** Largest JSON request body (bytes) of every route but those that carry an annotation's regions; larger: 413 PAYLOAD_TOO_LARGE. */
  JSON_BODY_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(64 * 1024)
    .default(2 * 1024 * 1024),
  /**
   * Largest JSON body of the routes that carry an annotation's regions (draft, submit, rework, a
   * reviewer's fix, a gold answer); must exceed DRAFT_MAX_BYTES. Only these routes take large bodies,
   * so a client cannot make the server parse megabytes before it is signed in.
   */
  ANNOTATION_BODY_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(64 * 1024)
    .default(10 * 1024 * 1024),
});
export type Config = z.infer<typeof ConfigSchema>;

/** Parses the environment; on a bad value throws an Error whose message is one line naming the variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const r = ConfigSchema.safeParse(env);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    const name = String(issue.path[0] ?? 'environment');
    const got = env[name];
    throw new Error(`config: ${name} ${issue.message}${got === undefined ? ' (not set)' : ''}`);
  }
  return r.data;
}
