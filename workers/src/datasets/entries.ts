import { ObjectId, type Filter } from 'mongodb';
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

/** Builds the entries of one batch of items (annotations, fixed versions, consensus, gold). */
async function entriesOf(db: Database, project: ProjectDoc, items: ItemDoc[], users: UserNames, asOf?: Date): Promise<SnapshotEntry[]> {
  const ids = items.map((i) => i._id);
  const annQuery: Filter<AnnotationDoc> = { itemId: { $in: ids } };
  if (asOf) annQuery.createdAt = { $lte: asOf };
  const annotations = await db.annotations.find(annQuery).toArray();
  await users.load(annotations.map((a) => a.userId));
  const fixedIds = annotations.filter((a) => a.status === 'fixed').map((a) => a._id);
  const fixed = new Map<string, Region[]>();
  if (fixedIds.length) {
    const verdicts = await db.reviews
      .find({ projectId: project._id, type: 'verdict', annotationId: { $in: fixedIds } } as Filter<ReviewDoc>)
      .sort({ at: 1 })
      .toArray();
    for (const v of verdicts) if (v.type === 'verdict' && v.fixedRegions) fixed.set(v.annotationId.toHexString(), v.fixedRegions);
  }
  const agreements = await db.agreements.find({ _id: { $in: ids.map((i) => `item:${i.toHexString()}`) } }).toArray();
  const consensus = new Map<string, Region[]>();
  for (const a of agreements) {
    if (a.scope !== 'item' || (asOf && a.at > asOf)) continue;
    consensus.set(a.itemId.toHexString(), (a as Extract<AgreementDoc, { scope: 'item' }>).consensus.regions);
  }
  const byItem = new Map<string, AnnotationDoc[]>();
  for (const a of annotations) {
    const k = a.itemId.toHexString();
    const list = byItem.get(k);
    if (list) list.push(a);
    else byItem.set(k, [a]);
  }
  return items.map((item) => {
    const id = item._id.toHexString();
    const anns: SnapshotAnnotation[] = (byItem.get(id) ?? []).map((a) => ({
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
    const c = consensus.get(id);
    if (c) anns.push({ kind: 'consensus', ref: 'consensus', version: 0, regions: c });
    return {
      itemId: id,
      itemHash: item.sha256 ?? '',
      name: itemName(item),
      kind: item.kind,
      ...(item.image ? { width: item.image.width, height: item.image.height } : {}),
      ...(item.text !== undefined ? { text: item.text } : {}),
      status: item.status,
      annotations: anns,
    };
  });
}

/** Live entries of a project in item-id order, a batch at a time, with each batch's image file ids. */
export async function* liveEntries(
  db: Database,
  project: ProjectDoc,
  filter: LiveFilter,
): AsyncGenerator<{ entries: SnapshotEntry[]; images: Map<string, ObjectId> }> {
  const users = new UserNames(db);
  const cursor = db.items.find(await itemQuery(db, project._id, filter)).sort({ _id: 1 });
  let batch: ItemDoc[] = [];
  const flush = async () => {
    const images = new Map<string, ObjectId>();
    for (const i of batch) if (i.image) images.set(i._id.toHexString(), i.image.fileId);
    const out = { entries: await entriesOf(db, project, batch, users, filter.asOf), images };
    batch = [];
    return out;
  };
  try {
    for await (const item of cursor) {
      batch.push(item);
      if (batch.length >= ENTRY_BATCH) yield await flush();
    }
    if (batch.length) yield await flush();
  } finally {
    await cursor.close();
  }
}

/** A snapshot's frozen entries in item-id order, as their canonical lines and parsed. */
export async function* frozenEntries(db: Database, snapshotId: ObjectId): AsyncGenerator<{ line: string; entry: SnapshotEntry }> {
  const cursor = db.snapshotEntries.find({ snapshotId }).sort({ snapshotId: 1, itemId: 1 });
  try {
    for await (const d of cursor) yield { line: d.line, entry: JSON.parse(d.line) as SnapshotEntry };
  } finally {
    await cursor.close();
  }
}
