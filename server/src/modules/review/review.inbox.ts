import { ObjectId } from 'mongodb';
import {
  SERVER_EVENTS,
  itemTitleOf,
  rooms,
  reviewRooms,
  type InboxEntry,
  type InboxPage,
  type ReviewComment,
  type ReviewRecord,
} from '@labelwork/core';
import type { AppContext } from '../../context.ts';
import type { InboxDoc, UserDoc } from '@labelwork/engine';
import { AppError } from '../../http/errors.ts';
import { inboxRepo } from './review.inbox.repository.ts';

/**
 * The annotator's inbox: every verdict and stand-alone comment on their work is stored here with
 * read state when it is made, then sent live to their user room. A client reads the inbox on load
 * and after every reconnect, so someone who was offline sees what happened meanwhile.
 */

function toEntry(d: InboxDoc): InboxEntry {
  return {
    id: d._id.toHexString(),
    kind: d.kind,
    ...(d.verdict ? { verdict: d.verdict } : {}),
    projectId: d.projectId.toHexString(),
    itemId: d.itemId.toHexString(),
    annotationId: d.annotationId.toHexString(),
    taskId: d.taskId,
    itemName: d.itemName,
    text: d.text,
    at: d.at.toISOString(),
    read: d.read,
  };
}

async function itemName(ctx: AppContext, itemId: string): Promise<string | null> {
  const item = await inboxRepo.itemNaming(ctx.db, new ObjectId(itemId));
  // Image by its file name, text by its first words (people recognise those, not an external id).
  return item ? itemTitleOf({ name: item.image?.name ?? null, text: item.text ?? null }) : null;
}

/** Stores the entry; a failed write is logged and the live event still goes out (the verdict itself is stored already). */
async function put(ctx: AppContext, doc: InboxDoc): Promise<void> {
  try {
    await inboxRepo.put(ctx.db, doc);
  } catch (e) {
    ctx.log.warn('inbox write failed', { id: doc._id.toHexString(), err: e });
  }
}

/** A verdict on an annotator's work: into their inbox, then `review:verdict` to their user room. */
export async function deliverVerdict(ctx: AppContext, v: ReviewRecord): Promise<void> {
  const name = await itemName(ctx, v.itemId);
  await put(ctx, {
    _id: new ObjectId(v.id),
    schemaVersion: 1,
    userId: new ObjectId(v.annotatorId),
    kind: 'verdict',
    verdict: v.verdict,
    projectId: new ObjectId(v.projectId),
    itemId: new ObjectId(v.itemId),
    annotationId: new ObjectId(v.annotationId),
    taskId: v.taskId,
    itemName: name,
    text: v.comments.map((c) => c.text).join(' · '),
    at: new Date(v.at),
    read: false,
    readAt: null,
  });
  ctx.io?.to(rooms.user(v.annotatorId)).emit(SERVER_EVENTS.reviewVerdict, {
    reviewId: v.id,
    taskId: v.taskId,
    projectId: v.projectId,
    itemId: v.itemId,
    annotationId: v.annotationId,
    verdict: v.verdict,
    comments: v.comments,
    at: v.at,
    itemName: name,
  });
}

/** A comment on its own (not with a verdict): into the annotator's inbox, then live to them and to the item's room. */
export async function deliverComment(ctx: AppContext, c: ReviewComment, annotatorId: string): Promise<void> {
  const name = await itemName(ctx, c.itemId);
  await put(ctx, {
    _id: new ObjectId(c.id),
    schemaVersion: 1,
    userId: new ObjectId(annotatorId),
    kind: 'comment',
    projectId: new ObjectId(c.projectId),
    itemId: new ObjectId(c.itemId),
    annotationId: new ObjectId(c.annotationId),
    taskId: c.taskId,
    itemName: name,
    text: c.text,
    at: new Date(c.at),
    read: false,
    readAt: null,
  });
  ctx.io?.to([rooms.user(annotatorId), reviewRooms.item(c.itemId)]).emit(SERVER_EVENTS.reviewComment, { ...c, itemName: name });
}

/** One page of the user's inbox, unread first, then newest first. */
export async function listInbox(ctx: AppContext, user: UserDoc, page: number, pageSize: number): Promise<InboxPage> {
  const [docs, total, unread] = await Promise.all([
    inboxRepo.page(ctx.db, user._id, (page - 1) * pageSize, pageSize),
    inboxRepo.total(ctx.db, user._id),
    inboxRepo.unread(ctx.db, user._id),
  ]);
  return { entries: docs.map(toEntry), total, unread, page, pageSize };
}

export async function unreadCount(ctx: AppContext, user: UserDoc): Promise<number> {
  return inboxRepo.unread(ctx.db, user._id);
}

function announceRead(ctx: AppContext, user: UserDoc, ids: string[], all: boolean, unread: number): void {
  ctx.io?.to(rooms.user(user._id.toHexString())).emit(SERVER_EVENTS.inboxRead, { ids, all, unread });
}

/** Marks one of the user's entries read (again is fine); NOT_FOUND for anyone else's. */
export async function markRead(ctx: AppContext, user: UserDoc, id: ObjectId): Promise<{ entry: InboxEntry; unread: number }> {
  const changed = await inboxRepo.markRead(ctx.db, user._id, id, new Date(ctx.now()));
  const doc = await inboxRepo.byId(ctx.db, user._id, id);
  if (!doc) throw new AppError('NOT_FOUND', 'no such inbox entry');
  const unread = await inboxRepo.unread(ctx.db, user._id);
  if (changed) announceRead(ctx, user, [doc._id.toHexString()], false, unread);
  return { entry: toEntry(doc), unread };
}

export async function markAllRead(ctx: AppContext, user: UserDoc): Promise<{ marked: number; unread: number }> {
  const marked = await inboxRepo.markAllRead(ctx.db, user._id, new Date(ctx.now()));
  const unread = await inboxRepo.unread(ctx.db, user._id);
  if (marked > 0) announceRead(ctx, user, [], true, unread);
  return { marked, unread };
}
