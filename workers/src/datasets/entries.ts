import { ObjectId, type Filter, type FindCursor } from 'mongodb';
import type { ItemStatus, Region, SnapshotAnnotation, SnapshotEntry } from '@labelwork/core';
import type { AgreementDoc, AnnotationDoc, Database, ItemDoc, ProjectDoc, ReviewDoc } from '@labelwork/engine';

/**
 * A project's labeled state as snapshot entries, read in item-id order in batches (constant
 * memory: one batch of items with their annotations at a time). Live exports and snapshot builds
 * both read through here; exports of a snapshot read its frozen entries instead (`frozenEntries`).
 */

export const ENTRY_BATCH = 500;

export interface LiveFilter {
  status?: ItemStatus[];
  importId?: ObjectId;
  /** Snapshot cut-off: only annotations created at or before it, consensus computed at or before it. */
  asOf?: Date;
}

/** The items a live export or a snapshot reads: visible ones (complete imports), filtered. */
export async function itemQuery(db: Database, projectId: ObjectId, filter: LiveFilter): Promise<Filter<ItemDoc>> {
  const hidden = (
    await db.imports
      .find({ projectId, status: { $in: ['running', 'failed'] } })
      .project<{ _id: ObjectId }>({ _id: 1 })
      .toArray()
  ).map((d) => d._id);
  const q: Filter<ItemDoc> = { projectId, importId: { $nin: hidden } };
  if (filter.importId) q.importId = hidden.some((h) => h.equals(filter.importId!)) ? { $in: [] } : filter.importId;
  if (filter.status) q.status = { $in: filter.status };
  return q;
}

/** Usernames by id, loaded as met (a project has few annotators). */
export class UserNames {
  private readonly names = new Map<string, string>();
  constructor(private readonly db: Database) {}
  async load(ids: readonly ObjectId[]): Promise<void> {
    const missing = [...new Set(ids.map((i) => i.toHexString()))].filter((i) => !this.names.has(i));
    if (!missing.length) return;
    const docs = await this.db.users
      .find({ _id: { $in: missing.map((i) => new ObjectId(i)) } })
      .project<{ _id: ObjectId; username: string }>({ _id: 1, username: 1 })
      .toArray();
    for (const d of docs) this.names.set(d._id.toHexString(), d.username);
  }
  get(id: ObjectId): string {
    return this.names.get(id.toHexString()) ?? id.toHexString();
  }
}

function itemName(item: ItemDoc): string {
  return item.image?.name ?? item.externalId ?? item._id.toHexString();
}

/**
 * A cursor read one document at a time that asks for its next batch as soon as the current one is
 * used up, before the caller wants it: the database decodes the next batch (on FerretDB most of an
 * export's CPU) while this process turns the previous one into entries and output. Only one
 * request is ever in flight on the cursor.
 */
export class ReadAhead<T> {
  private ahead: Promise<boolean> | null = null;
  private closed = false;
  constructor(private readonly cursor: FindCursor<T>) {}
  async next(): Promise<T | null> {
    if (this.closed) return null;
    if (this.cursor.bufferedCount() === 0 && !(await (this.ahead ?? this.cursor.hasNext()))) return null;
    this.ahead = null;
    const d = await this.cursor.next();
    if (this.cursor.bufferedCount() === 0) {
      this.ahead = this.cursor.hasNext();
      // Seen by the next call (or close); not an unhandled rejection meanwhile.
      this.ahead.catch(() => undefined);
    }
    return d;
  }
  async close(): Promise<void> {
    this.closed = true;
    await this.ahead?.catch(() => undefined);
    await this.cursor.close();
  }
}

/**
 * Documents of a cursor sorted by `itemId`, handed out per item as a merge join walks the items in
 * id order: one pass over each collection. (A query per batch of items, `itemId: {$in: …}`, costs a
 * full collection scan on FerretDB each time: quadratic in the project's size.)
 */
class ByItem<T extends { itemId: ObjectId }> {
  private next: T | null | undefined;
  private readonly docs: ReadAhead<T>;
  constructor(cursor: FindCursor<T>) {
    this.docs = new ReadAhead(cursor);
  }
  async take(itemId: string): Promise<T[]> {
    const out: T[] = [];
    for (;;) {
      if (this.next === undefined) this.next = await this.docs.next();
      const d = this.next;
      if (!d) return out;
      const k = d.itemId.toHexString();
      if (k > itemId) return out;
      if (k === itemId) out.push(d);
      this.next = undefined;
    }
  }
  close(): Promise<void> {
    return this.docs.close();
  }
}

type ItemAgreementDoc = Extract<AgreementDoc, { scope: 'item' }>;
type VerdictDoc = Extract<ReviewDoc, { type: 'verdict' }>;

/** Builds the entries of one batch of items (in id order) from the three sorted streams. */
async function entriesOf(
  items: ItemDoc[],
  users: UserNames,
  streams: { annotations: ByItem<AnnotationDoc>; consensus: ByItem<ItemAgreementDoc>; fixes: ByItem<VerdictDoc> },
  asOf?: Date,
): Promise<SnapshotEntry[]> {
  const out: SnapshotEntry[] = [];
  const perItem: { item: ItemDoc; annotations: AnnotationDoc[]; consensus?: Region[]; fixed: Map<string, Region[]> }[] = [];
  for (const item of items) {
    const id = item._id.toHexString();
    const annotations = await streams.annotations.take(id);
    const agreements = (await streams.consensus.take(id)).filter((a) => !asOf || a.at <= asOf);
    const fixed = new Map<string, Region[]>();
    for (const v of await streams.fixes.take(id))
      if (v.fixedRegions && (!asOf || v.at <= asOf)) fixed.set(v.annotationId.toHexString(), v.fixedRegions);
    perItem.push({ item, annotations, consensus: agreements.at(-1)?.consensus.regions, fixed });
  }
  await users.load(perItem.flatMap((p) => p.annotations.map((a) => a.userId)));
  for (const { item, annotations, consensus, fixed } of perItem) {
    const anns: SnapshotAnnotation[] = annotations.map((a) => ({
      kind: 'annotation',
      ref: a._id.toHexString(),
      version: a.version,
      regions: fixed.get(a._id.toHexString()) ?? a.regions,
      provenance: {
        annotator: users.get(a.userId),
        at: a.updatedAt.toISOString(),
        ...(a.guidelineVersion ? { guidelineVersion: a.guidelineVersion } : {}),
        verdict: a.status,
      },
    }));
    if (item.gold) anns.push({ kind: 'gold', ref: 'gold', version: 0, regions: item.gold.regions });
    if (consensus) anns.push({ kind: 'consensus', ref: 'consensus', version: 0, regions: consensus });
    out.push({
      itemId: item._id.toHexString(),
      itemHash: item.sha256 ?? '',
      name: itemName(item),
      kind: item.kind,
      ...(item.image ? { width: item.image.width, height: item.image.height } : {}),
      ...(item.text !== undefined ? { text: item.text } : {}),
      status: item.status,
      annotations: anns,
    });
  }
  return out;
}

/**
 * Live entries of a project in item-id order, a batch at a time, with each batch's image file ids:
 * a merge join of the items (by id) with the annotations, the item consensus and the fix verdicts
 * (each one cursor sorted by item id).
 */
export async function* liveEntries(
  db: Database,
  project: ProjectDoc,
  filter: LiveFilter,
): AsyncGenerator<{ entries: SnapshotEntry[]; images: Map<string, ObjectId> }> {
  const users = new UserNames(db);
  const annQuery: Filter<AnnotationDoc> = { projectId: project._id };
  if (filter.asOf) annQuery.createdAt = { $lte: filter.asOf };
  const streams = {
    annotations: new ByItem(db.annotations.find(annQuery).sort({ itemId: 1, _id: 1 })),
    consensus: new ByItem(
      db.agreements
        .find({ projectId: project._id, scope: 'item' } as Filter<AgreementDoc>)
        .sort({ itemId: 1, at: 1 }) as unknown as FindCursor<ItemAgreementDoc>,
    ),
    fixes: new ByItem(
      db.reviews
        .find({ projectId: project._id, type: 'verdict', verdict: 'fix' } as Filter<ReviewDoc>)
        .sort({ itemId: 1, at: 1 }) as unknown as FindCursor<VerdictDoc>,
    ),
  };
  const cursor = new ReadAhead(db.items.find(await itemQuery(db, project._id, filter)).sort({ _id: 1 }));
  let batch: ItemDoc[] = [];
  const flush = async () => {
    const images = new Map<string, ObjectId>();
    for (const i of batch) if (i.image) images.set(i._id.toHexString(), i.image.fileId);
    const out = { entries: await entriesOf(batch, users, streams, filter.asOf), images };
    batch = [];
    return out;
  };
  try {
    for (let item = await cursor.next(); item; item = await cursor.next()) {
      batch.push(item);
      if (batch.length >= ENTRY_BATCH) yield await flush();
    }
    if (batch.length) yield await flush();
  } finally {
    await cursor.close();
    await Promise.all(Object.values(streams).map((s) => s.close()));
  }
}

/** A snapshot's frozen entries in item-id order, as their canonical lines and parsed. */
export async function* frozenEntries(
  db: Database,
  snapshotId: ObjectId,
): AsyncGenerator<{ line: string; entry: SnapshotEntry; itemRef: string }> {
  const cursor = db.snapshotEntries.find({ snapshotId }).sort({ snapshotId: 1, itemId: 1 });
  try {
    // `itemRef`: the item the entry stands for now (a snapshot restored from a backup keeps its lines, its items got new ids).
    for await (const d of cursor) yield { line: d.line, entry: JSON.parse(d.line) as SnapshotEntry, itemRef: d.itemRef ?? d.itemId };
  } finally {
    await cursor.close();
  }
}
