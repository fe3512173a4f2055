import { JOB_NAMES, bullPriority, replicaJobId, type ProjectKeys, type ReplicaJobData } from './tasks.ts';

/**
 * The pure half of the assignment engine's Redis state, shared by its two writers: the server's
 * tasks module and the workers (item-agreement, requeue-all). Job options, the replica interleave
 * and the shape of every write to the engine's keys are defined here once; callers run the returned
 * commands (`redis.pipeline(ops).exec()`), so nothing else spells out a key or a payload. No I/O.
 */

/** Replica jobs: done once, never retried (a stall is an abandoned lease, handled by the stalled check). */
export const REPLICA_JOB_OPTS = { removeOnComplete: true, removeOnFail: false, attempts: 1 } as const;
/** Item agreement and gold score jobs. */
export const QUALITY_JOB_OPTS = {
  removeOnComplete: true,
  removeOnFail: 5000,
  attempts: 8,
  backoff: { type: 'exponential', delay: 500 },
} as const;
/** The debounced project agreement run. */
export const PROJECT_AGREEMENT_JOB_OPTS = {
  removeOnComplete: true,
  removeOnFail: 1000,
  attempts: 5,
  backoff: { type: 'exponential', delay: 1000 },
} as const;
/** Replicas of an item are this many tasks apart unless the project's queue settings say otherwise. */
export const DEFAULT_SPREAD = 50;

/** One Redis command as ioredis's `pipeline([...])` takes it. */
export type RedisOp = [command: string, ...args: (string | number)[]];

export interface ReplicaSlot {
  itemId: string;
  r: number;
  k: number;
  priority: number;
}

/** An item that needs replica jobs: its overlap, the lead's priority, and replicas already done. */
export interface ReplicaItem {
  itemId: string;
  k: number;
  priority: number;
  /** Replica numbers that must not be added (their slot already has an annotation). */
  skip?: ReadonlySet<number>;
}

/**
 * The order replica tasks go into the queue: windows of `spread` items, replica r of every item of
 * the window before replica r + 1, then the next window. An item's replicas are then ~`spread`
 * tasks apart (different people) and items complete steadily. Used by normal queueing and by
 * requeue-all alike.
 */
export function interleaveReplicas(items: readonly ReplicaItem[], spread: number): ReplicaSlot[] {
  const out: ReplicaSlot[] = [];
  const step = Math.max(1, Math.floor(spread));
  for (let c = 0; c < items.length; c += step) {
    const window = items.slice(c, c + step);
    const maxK = Math.max(0, ...window.map((it) => it.k));
    for (let r = 0; r < maxK; r++) {
      for (const it of window) if (r < it.k && !it.skip?.has(r)) out.push({ itemId: it.itemId, r, k: it.k, priority: it.priority });
    }
  }
  return out;
}

/** The BullMQ `addBulk` entry of a replica task. */
export function replicaJob(projectId: string, s: ReplicaSlot) {
  const data: ReplicaJobData = { projectId, itemId: s.itemId, r: s.r, k: s.k };
  return {
    name: JOB_NAMES.replica,
    data,
    opts: { jobId: replicaJobId(s.itemId, s.r), priority: bullPriority(s.priority), ...REPLICA_JOB_OPTS },
  };
}

/** Replica jobs of items in queue order (see `interleaveReplicas`). */
export const replicaJobs = (projectId: string, items: readonly ReplicaItem[], spread: number) =>
  interleaveReplicas(items, spread).map((s) => replicaJob(projectId, s));

/** What the quality job reads of one submitted annotation (the item's hand-off, per user). */
export interface AnnotationHandoff {
  annotationId: string;
  regions: unknown;
  version: number;
}
export const handoffJson = (h: AnnotationHandoff) =>
  JSON.stringify({ annotationId: h.annotationId, regions: h.regions, version: h.version });

/** Writes one annotation into its item's hand-off: replacing (after an edit) or only if absent (rebuild). */
export function handoffOp(keys: ProjectKeys, itemId: string, userId: string, h: AnnotationHandoff, mode: 'replace' | 'if-absent'): RedisOp {
  return [mode === 'replace' ? 'hset' : 'hsetnx', keys.itemAnnotations(itemId), userId, handoffJson(h)];
}

/** The item can no longer be given to the user (annotated or skipped). */
export const exclusionOp = (keys: ProjectKeys, userId: string, itemId: string): RedisOp => ['sadd', keys.excluded(userId), itemId];

/** Registers an item as put up with overlap k (first registration wins). */
export const queuedOp = (keys: ProjectKeys, itemId: string, k: number): RedisOp => ['hsetnx', keys.queued, itemId, String(k)];

/** Caches the annotator's view of an item (JSON of core's `taskItemOf`) and, for gold, its answer and pool entry. */
export function itemCacheOps(keys: ProjectKeys, itemId: string, cachedItemJson: string, goldAnswerJson?: string): RedisOp[] {
  const ops: RedisOp[] = [['set', keys.item(itemId), cachedItemJson]];
  if (goldAnswerJson !== undefined) ops.push(['set', keys.goldAnswer(itemId), goldAnswerJson], ['sadd', keys.goldPool, itemId]);
  return ops;
}

const COUNT_COMPLETE = `if redis.call('SADD', KEYS[1], ARGV[1]) == 1 then redis.call('HINCRBY', KEYS[2], 'itemsComplete', 1) end return 0`;

/**
 * An item's quality is stored: count it complete once however often this runs, and drop the
 * annotator view (all replicas are in).
 */
export function itemCompleteOps(keys: ProjectKeys, itemId: string): RedisOp[] {
  return [
    ['eval', COUNT_COMPLETE, 2, keys.complete, keys.stats, itemId],
    ['del', keys.item(itemId)],
  ];
}

const ADD_GOLD_SCORE = `
if redis.call('SADD', KEYS[1], ARGV[1]) == 1 then
  redis.call('HINCRBYFLOAT', KEYS[2], 'accSum', ARGV[2])
  redis.call('HINCRBY', KEYS[2], 'accN', 1)
  return 1
end
return 0
`;

/** Adds a scored gold annotation to its annotator's accuracy, once however often the job runs. */
export function goldScoredOps(keys: ProjectKeys, userId: string, annotationId: string, value: number): RedisOp[] {
  return [['eval', ADD_GOLD_SCORE, 2, keys.goldScored, keys.user(userId), annotationId, String(value)]];
}

/** How long the last project agreement run took (it sets the debounce window of the next). */
export const agreementRunTimeOps = (keys: ProjectKeys, ms: number): RedisOp[] => [
  ['hset', keys.stats, 'agreementMs', String(Math.round(ms))],
];

/**
 * The debounce window of the project agreement run: the configured minimum or twenty times the
 * last run's duration (a large project's run reads every item result, so it must not run back to
 * back), but never longer than `maxMs`, which bounds how stale the lead's dashboard can get — on a
 * loaded machine one slow run (a database write lock held elsewhere) would otherwise push the next
 * run minutes away.
 */
export const projectAgreementWindowMs = (debounceMs: number, lastRunMs: number, maxMs: number): number =>
  Math.max(1, Math.min(Math.max(debounceMs, 20 * lastRunMs), Math.max(debounceMs, maxMs)));

const RECORD_IMPORTED = `
if redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[2]) == 1 then
  redis.call('HINCRBY', KEYS[3], 'done', 1); redis.call('HINCRBY', KEYS[4], 'done', 1)
end
redis.call('SADD', KEYS[2], ARGV[3])
redis.call('SADD', KEYS[5], ARGV[1])
return redis.call('HLEN', KEYS[1])
`;

/**
 * An imported finished annotation fills one replica of its item: its hand-off, the user's exclusion
 * and the done counters (counted once however often this runs). Replies with the item's annotation count.
 */
export function importedAnnotationOps(keys: ProjectKeys, itemId: string, userId: string, h: AnnotationHandoff): RedisOp[] {
  return [
    [
      'eval',
      RECORD_IMPORTED,
      5,
      keys.itemAnnotations(itemId),
      keys.excluded(userId),
      keys.user(userId),
      keys.stats,
      keys.users,
      userId,
      handoffJson(h),
      itemId,
    ],
  ];
}
