import { ObjectId, type Filter, type FindCursor } from 'mongodb';
import type { ItemStatus, Region, SnapshotAnnotation, SnapshotEntry } from '@labelwork/core';
import type { AgreementDoc, AnnotationDoc, Database, ItemDoc, ProjectDoc, ReviewDoc } from '@labelwork/engine';
import { AnnotationSpill, type AnnotationRow } from './annotation-spill.ts';
import { ReadAhead } from './read-ahead.ts';

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

/** Builds the entries of one batch of items (in id order) from their annotations and the two sorted streams. */
async function entriesOf(
  items: ItemDoc[],
  users: UserNames,
  annotationsOf: Map<string, AnnotationRow[]>,
  streams: { consensus: ByItem<ItemAgreementDoc>; fixes: ByItem<VerdictDoc> },
  asOf?: Date,
): Promise<SnapshotEntry[]> {
  const out: SnapshotEntry[] = [];
  const perItem: { item: ItemDoc; annotations: AnnotationRow[]; consensus?: Region[]; fixed: Map<string, Region[]> }[] = [];
  for (const item of items) {
    const id = item._id.toHexString();
    const annotations = annotationsOf.get(id) ?? [];
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
 * Live entries of a project in item-id order, a batch at a time, with each batch's image file ids.
 * The item ids are read first to cut the items into ranges of ENTRY_BATCH; the annotations are then
 * read once, unsorted, and spilled per range (`AnnotationSpill`); the items are walked in id order a
 * range at a time, merge-joined with the item consensus and the fix verdicts (each one cursor sorted
 * by item id).
 */
export async function* liveEntries(
  db: Database,
  project: ProjectDoc,
  filter: LiveFilter,
): AsyncGenerator<{ entries: SnapshotEntry[]; images: Map<string, ObjectId> }> {
  const users = new UserNames(db);
  const itemQ = await itemQuery(db, project._id, filter);
  const starts: string[] = [];
  const ids = new ReadAhead(db.items.find(itemQ).project<{ _id: ObjectId }>({ _id: 1 }).sort({ _id: 1 }));
  try {
    let n = 0;
    for (let d = await ids.next(); d; d = await ids.next()) if (n++ % ENTRY_BATCH === 0 && n > 1) starts.push(d._id.toHexString());
  } finally {
    await ids.close();
  }
  const annQuery: Filter<AnnotationDoc> = { projectId: project._id };
  if (filter.asOf) annQuery.createdAt = { $lte: filter.asOf };
  const spill = await AnnotationSpill.build(db, annQuery, starts);
  const streams = {
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
  const cursor = new ReadAhead(db.items.find(itemQ).sort({ _id: 1 }));
  let batch: ItemDoc[] = [];
  let range = 0;
  const flush = async () => {
    const images = new Map<string, ObjectId>();
    for (const i of batch) if (i.image) images.set(i._id.toHexString(), i.image.fileId);
    const out = { entries: await entriesOf(batch, users, await spill.take(range), streams, filter.asOf), images };
    batch = [];
    return out;
  };
  try {
    for (let item = await cursor.next(); item; item = await cursor.next()) {
      // Items added since the ids were read fall into the range of their id (ranges only cut).
      const r = spill.rangeOf(item._id.toHexString());
      if (r !== range && batch.length) yield await flush();
      range = r;
      batch.push(item);
    }
    if (batch.length) yield await flush();
  } finally {
    await cursor.close();
    await Promise.all(Object.values(streams).map((s) => s.close()));
    await spill.dispose();
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
