import { SERVER_EVENTS, reviewRooms, rooms } from '@labelwork/core';
import type { AppContext } from '../../context.ts';
import { ReviewQueue } from './review.queue.ts';

export const reviewQueue = (ctx: AppContext, projectId: string) => new ReviewQueue(ctx.redis, ctx.config.REDIS_PREFIX, projectId);

/** Sends the queue's counts to its reviewers and to the project's dashboard. */
export async function emitCounts(ctx: AppContext, q: ReviewQueue): Promise<void> {
  if (!ctx.io) return;
  const c = await q.counts(ctx.now());
  ctx.io.to([reviewRooms.review(q.projectId), rooms.project(q.projectId)]).emit(SERVER_EVENTS.reviewCounts, c);
}
