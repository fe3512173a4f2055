import { createHash } from 'node:crypto';
import { ObjectId } from 'mongodb';
import type { AnnotationDoc, Database, ItemDoc } from '@labelwork/engine';

/**
 * Fills an image project with items and box annotations straight through the engine's collections
 * in bulk (the export tests and bench/export.bench.ts): a complete import, `images` items of
 * 640×480 (file names `img-00001.jpg` …) and one submitted annotation per item and annotator with
 * `boxes` boxes labelled round-robin from `labels`.
 */
export async function seedBoxProject(
  db: Database,
  opts: {
    projectId: ObjectId;
    images: number;
    boxes: number;
    labels: string[];
    annotators: ObjectId[];
    /** GridFS id every item's image points at (default: a made-up id, fine when images are not included). */
    fileId?: ObjectId;
    startSeq?: number;
  },
): Promise<{ itemIds: ObjectId[]; annotations: number }> {
  const now = new Date();
  const importId = new ObjectId();
  await db.imports.insertOne({
    _id: importId,
    schemaVersion: 1,
    projectId: opts.projectId,
    kind: 'images',
    fileName: 'seed',
    status: 'complete',
    total: opts.images,
    done: opts.images,
    byId: opts.annotators[0]!,
    createdAt: now,
    finishedAt: now,
  });
  const fileId = opts.fileId ?? new ObjectId();
  const itemIds: ObjectId[] = [];
  let annotations = 0;
  const BATCH = 500;
  for (let start = 0; start < opts.images; start += BATCH) {
    const items: ItemDoc[] = [];
    const anns: AnnotationDoc[] = [];
    for (let i = start; i < Math.min(opts.images, start + BATCH); i++) {
      const seq = (opts.startSeq ?? 0) + i + 1;
      const _id = new ObjectId();
      itemIds.push(_id);
      const name = `img-${String(seq).padStart(5, '0')}.jpg`;
      items.push({
        _id,
        schemaVersion: 1,
        projectId: opts.projectId,
        seq,
        kind: 'image',
        image: { fileId, thumbId: fileId, name, mime: 'image/jpeg', width: 640, height: 480, bytes: 1000 },
        isGold: false,
        status: 'complete',
        annotationCount: opts.annotators.length,
        sha256: createHash('sha256').update(name).digest('hex'),
        importId,
        createdAt: now,
      });
      opts.annotators.forEach((userId, a) => {
        const regions = Array.from({ length: opts.boxes }, (_, b) => ({
          id: `r${b}`,
          type: 'bbox' as const,
          label: opts.labels[b % opts.labels.length]!,
          x: (b * 6 + a) % 600,
          y: (b * 4 + seq) % 440,
          w: 20 + (b % 17),
          h: 15 + (b % 13),
        }));
        annotations += 1;
        anns.push({
          _id: new ObjectId(),
          schemaVersion: 1,
          projectId: opts.projectId,
          itemId: _id,
          userId,
          slot: `${_id.toHexString()}-${a}`,
          submissionId: `seed-${_id.toHexString()}-${a}`,
          leaseId: `seed-${_id.toHexString()}-${a}`,
          gold: false,
          regions,
          version: 1,
          status: 'submitted',
          createdAt: now,
          updatedAt: now,
        });
      });
    }
    await db.items.insertMany(items, { ordered: false });
    if (anns.length) await db.annotations.insertMany(anns, { ordered: false });
  }
  await db.projects.updateOne({ _id: opts.projectId }, { $inc: { 'counts.items': opts.images, 'counts.done': opts.images } });
  return { itemIds, annotations };
}
