import { replicaJobId } from '@labelwork/core';
import type { ObjectId } from 'mongodb';
import type { AppContext } from '../../context.ts';
import type { ProjectDoc } from '@labelwork/engine';

/**
 * Takes items out of annotation before they are deleted (callers refuse items that have
 * annotations): their waiting replica tasks are removed through BullMQ's public `Queue.remove`,
 * their registry entry, cached payload and gold-pool entry go, and drafts and skips for them are
 * deleted. An item with a task leased right now is left alone and returned in `busy`. If a
 * removal fails half way the registry entry stays, so `requeue-all` puts the missing tasks back.
 */
export async function withdrawItems(
  ctx: AppContext,
  project: ProjectDoc,
  itemIds: ObjectId[],
): Promise<{ withdrawn: ObjectId[]; busy: ObjectId[] }> {
  const withdrawn: ObjectId[] = [];
  const busy: ObjectId[] = [];
  if (itemIds.length === 0) return { withdrawn, busy };
  const pq = ctx.tasks.project(project._id.toHexString());
  const k = pq.keys;
  for (const oid of itemIds) {
    const itemId = oid.toHexString();
    const queuedK = await ctx.redis.hget(k.queued, itemId);
    if (queuedK === null) {
      withdrawn.push(oid);
      continue;
    }
    const ids = Array.from({ length: Number(queuedK) || 0 }, (_, r) => replicaJobId(itemId, r));
    const leased = await ctx.redis.hmget(k.holders, ...(ids.length ? ids : ['-']));
    let active = leased.some((t) => t !== null);
    for (const id of ids) {
      if (active) break;
      const job = await pq.queue.getJob(id);
      if (job && (await job.isActive())) active = true;
    }
    if (active) {
      busy.push(oid);
      continue;
    }
    let removedAll = true;
    for (const id of ids) {
      const job = await pq.queue.getJob(id);
      if (job && (await pq.queue.remove(id)) === 0) removedAll = false;
    }
    if (!removedAll) {
      busy.push(oid);
      continue;
    }
    const wasGold = (await ctx.redis.sismember(k.goldPool, itemId)) === 1;
    const m = ctx.redis.multi().hdel(k.queued, itemId).del(k.item(itemId), k.goldAnswer(itemId)).srem(k.goldPool, itemId);
    if (!wasGold) m.hincrby(k.stats, 'itemsQueued', -1).hincrby(k.stats, 'replicasQueued', -ids.length);
    await m.exec();
    withdrawn.push(oid);
  }
  if (withdrawn.length) {
    await ctx.db.drafts.deleteMany({ projectId: project._id, itemId: { $in: withdrawn } });
    await ctx.db.skips.deleteMany({ projectId: project._id, itemId: { $in: withdrawn } });
  }
  return { withdrawn, busy };
}
