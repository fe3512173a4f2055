import { ObjectId } from 'mongodb';
import { replicaJobId, replicaJobs, uncertaintyPriority, type QueueItemsInput } from '@labelwork/core';
import type { AppContext } from '../../context.ts';
import { latestScores, type ItemDoc, type ProjectDoc, type UserDoc } from '@labelwork/engine';
import { AppError } from '../../http/errors.ts';
import { audit } from '../audit/index.ts';
import { loadProject } from '../access/index.ts';
import { forgetSettings, settingsOf } from './task-runtime.ts';
import { goldOf } from './task-item.ts';
import { taskItemOf } from '@labelwork/core';
import { batchesRepo, queuesRepo } from './tasks.repository.ts';

const CHUNK = 1000;

export interface QueueResult {
  /** Items put up now (replica tasks + gold pool). */
  queued: number;
  /** Items that were already up (each item is put up once). */
  already: number;
  /** Of the queued: gold items, which go to the gold pool instead of replica tasks. */
  gold: number;
  /** Ids asked for that are not (visible) items of the project. */
  missing: number;
}

/**
 * Puts items up for annotation with the project's current overlap k: k replica tasks each, gold
 * items into the gold pool. Each item is put up once (a Redis registry answers "already queued").
 * The annotator's view of each item is cached in Redis so that handing out a task reads no Mongo.
 * Crash between the registry and the job adds: `requeue-all` re-adds what is missing.
 * With `order: 'uncertainty'` each item's priority comes from its newest scored prediction (least
 * confident first); items without one get `priority`.
 */
export async function queueItemDocs(
  ctx: AppContext,
  project: ProjectDoc,
  docs: Iterable<ItemDoc> | AsyncIterable<ItemDoc>,
  priority: number,
  byId: ObjectId,
  order: QueueItemsInput['order'] = 'given',
): Promise<QueueResult> {
  const projectId = project._id.toHexString();
  const pq = ctx.tasks.project(projectId);
  const k = pq.keys;
  const overlap = project.overlap;
  const settings = await settingsOf(ctx, project._id);
  await queuesRepo.ensure(ctx.db, project._id, new Date(ctx.now()));
  const result: QueueResult = { queued: 0, already: 0, gold: 0, missing: 0 };
  let chunk: ItemDoc[] = [];
  const flush = async () => {
    if (!chunk.length) return;
    const marks = ctx.redis.pipeline();
    for (const d of chunk) marks.hsetnx(k.queued, d._id.toHexString(), String(overlap));
    const res = (await marks.exec()) ?? [];
    const fresh = chunk.filter((_, i) => res[i]?.[1] === 1);
    result.already += chunk.length - fresh.length;
    chunk = [];
    if (!fresh.length) return;
    const scores =
      order === 'uncertainty'
        ? await latestScores(
            ctx.db,
            fresh.map((d) => d._id),
          )
        : null;
    const priorityOf = (d: ItemDoc) => (scores ? uncertaintyPriority(scores.get(d._id.toHexString()), priority) : priority);
    // One batch record per priority: requeue-all puts items back with the priority they were given.
    const byPriority = new Map<number, ObjectId[]>();
    for (const d of fresh) {
      const p = priorityOf(d);
      const ids = byPriority.get(p);
      if (ids) ids.push(d._id);
      else byPriority.set(p, [d._id]);
    }
    for (const [p, itemIds] of byPriority)
      await batchesRepo.insert(ctx.db, {
        _id: new ObjectId(),
        schemaVersion: 1,
        projectId: project._id,
        itemIds,
        k: overlap,
        priority: p,
        byId,
        at: new Date(ctx.now()),
      });
    const cache = ctx.redis.pipeline();
    const ordinary: ItemDoc[] = [];
    for (const d of fresh) {
      const itemId = d._id.toHexString();
      cache.set(k.item(itemId), JSON.stringify(taskItemOf(d)));
      const gold = goldOf(d);
      if (gold) {
        cache.set(k.goldAnswer(itemId), JSON.stringify(gold));
        cache.sadd(k.goldPool, itemId);
        result.gold++;
      } else ordinary.push(d);
    }
    // Slots an import of finished annotations filled before the item went up get no replica job.
    const filled = new Set(
      (
        await ctx.db.annotations
          .find({ itemId: { $in: ordinary.map((d) => d._id) } })
          .project<{ slot: string }>({ slot: 1 })
          .toArray()
      ).map((a) => a.slot),
    );
    const replicaItems = ordinary.map((d) => {
      const itemId = d._id.toHexString();
      const skip = new Set<number>();
      for (let r = 0; r < overlap; r++) if (filled.has(replicaJobId(itemId, r))) skip.add(r);
      return { itemId, k: overlap, priority: priorityOf(d), skip };
    });
    cache.hincrby(k.stats, 'itemsQueued', ordinary.length);
    cache.hincrby(k.stats, 'replicasQueued', ordinary.length * overlap - filled.size);
    await cache.exec();
    // Replicas interleaved in windows of `spread` items (core's interleaveReplicas, shared with requeue-all).
    const jobs = replicaJobs(projectId, replicaItems, settings.spread);
    for (let i = 0; i < jobs.length; i += 3000) await pq.queue.addBulk(jobs.slice(i, i + 3000));
    result.queued += fresh.length;
  };
  for await (const d of docs) {
    chunk.push(d);
    if (chunk.length >= CHUNK) await flush();
  }
  await flush();
  return result;
}

/** Import ids whose items are not visible (still running or failed). */
async function hiddenImports(ctx: AppContext, projectId: ObjectId): Promise<ObjectId[]> {
  const docs = await ctx.db.imports
    .find({ projectId, status: { $in: ['running', 'failed'] } })
    .project<{ _id: ObjectId }>({ _id: 1 })
    .toArray();
  return docs.map((d) => d._id);
}

/** A lead puts all items, or a selection, up for annotation. */
export async function queueItems(ctx: AppContext, user: UserDoc, projectId: ObjectId, input: QueueItemsInput): Promise<QueueResult> {
  const project = await loadProject(ctx, user, projectId, 'manage');
  if (project.status === 'archived') throw new AppError('PROJECT_ARCHIVED', 'unarchive the project first');
  const hidden = await hiddenImports(ctx, project._id);
  let result: QueueResult;
  if (input.all) {
    const cursor = ctx.db.items.find({ projectId: project._id, importId: { $nin: hidden } }).batchSize(CHUNK);
    result = await queueItemDocs(ctx, project, cursor, input.priority, user._id, input.order);
  } else {
    const ids = [...new Set(input.itemIds ?? [])].map((s) => new ObjectId(s));
    const docs = await ctx.db.items.find({ _id: { $in: ids }, projectId: project._id, importId: { $nin: hidden } }).toArray();
    // Keep the lead's order.
    const pos = new Map(ids.map((id, i) => [id.toHexString(), i]));
    docs.sort((a, b) => (pos.get(a._id.toHexString()) ?? 0) - (pos.get(b._id.toHexString()) ?? 0));
    result = await queueItemDocs(ctx, project, docs, input.priority, user._id, input.order);
    result.missing = ids.length - docs.length;
  }
  await audit(
    ctx,
    user._id,
    'queue.items',
    { type: 'project', id: project._id },
    { ...result, priority: input.priority, order: input.order, all: input.all === true, overlap: project.overlap },
  );
  return result;
}

/** Called when an import completes: with `autoQueue` on, its items go up at the default priority. */
export async function onItemsImported(ctx: AppContext, project: ProjectDoc, docs: ItemDoc[], byId: ObjectId): Promise<QueueResult | null> {
  const settings = await settingsOf(ctx, project._id);
  if (!settings.autoQueue || project.status === 'archived') return null;
  return queueItemDocs(ctx, project, docs, 50, byId);
}

/**
 * A project made from another's snapshot takes the source's queue settings (autoQueue, gold
 * warm-up, spread), and — as any import into a project with autoQueue — its items go up now. Called
 * once the restore has stored the ground truth, so gold items go to the gold pool and slots the
 * restored annotations filled are not put up again.
 */
export async function queueRestoredItems(
  ctx: AppContext,
  source: ProjectDoc,
  project: ProjectDoc,
  byId: ObjectId,
): Promise<QueueResult | null> {
  const from = await settingsOf(ctx, source._id);
  await queuesRepo.ensure(ctx.db, project._id, new Date(ctx.now()));
  await queuesRepo.update(ctx.db, project._id, {
    autoQueue: from.autoQueue,
    goldWarmup: from.goldWarmup,
    spread: from.spread,
    updatedAt: new Date(ctx.now()),
  });
  forgetSettings(ctx, project._id);
  if (!from.autoQueue || project.status === 'archived') return null;
  return queueItemDocs(ctx, project, ctx.db.items.find({ projectId: project._id }).batchSize(CHUNK), 50, byId);
}
