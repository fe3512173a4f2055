import type { ObjectId } from 'mongodb';
import type { AppContext } from '../../context.ts';

/** Writes one audit record: who did what to which target, and when. */
export async function audit(
  ctx: AppContext,
  actorId: ObjectId | null,
  action: string,
  target: { type: string; id: string | ObjectId },
  details?: Record<string, unknown>,
): Promise<void> {
  await ctx.db.audit.insertOne({
    schemaVersion: 1,
    at: new Date(ctx.now()),
    actorId,
    action,
    targetType: target.type,
    targetId: String(target.id),
    ...(details ? { details } : {}),
  });
}
