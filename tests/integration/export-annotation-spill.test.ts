import { randomUUID } from 'node:crypto';
import { ObjectId } from 'mongodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { connectDatabase, type AnnotationDoc, type Database } from '@labelwork/engine';
import { AnnotationSpill } from '../../workers/src/datasets/annotation-spill.ts';
import { annotationDoc } from '../support/annotation-doc.ts';

let db: Database;
beforeAll(async () => {
  db = await connectDatabase(inject('mongoUrl'), `t_${randomUUID().replace(/-/g, '').slice(0, 12)}`, { ensureIndexes: false });
});
afterAll(async () => {
  await db.db.dropDatabase().catch(() => undefined);
  await db.close();
});

function annotation(projectId: ObjectId, itemId: ObjectId, n: number, extra: Partial<AnnotationDoc> = {}): AnnotationDoc {
  const at = new Date(Date.UTC(2026, 0, 1, 0, 0, n, 123));
  return annotationDoc({
    projectId,
    itemId,
    slot: randomUUID(),
    leaseId: randomUUID(),
    regions: [{ id: `r${n}`, type: 'bbox', label: '交通 标志', x: 0.1 * n, y: 0, w: 1e-7, h: 12345.678 }],
    version: n,
    createdAt: at,
    updatedAt: at,
    ...extra,
  });
}

describe('annotations read unsorted for an export', () => {
  it('hands out each item range its annotations, grouped by item, each item’s in id order, with every field as stored', async () => {
    const projectId = new ObjectId();
    const items = Array.from({ length: 6 }, () => new ObjectId());
    // Two annotations per item, inserted newest item first and, per item, the later id first.
    const docs: AnnotationDoc[] = [];
    items.forEach((itemId, i) => {
      docs.push(annotation(projectId, itemId, 2 * i, { guidelineVersion: 'v2' }), annotation(projectId, itemId, 2 * i + 1));
    });
    const shuffled = [...docs].reverse();
    await db.annotations.insertMany(shuffled);
    await db.annotations.insertOne(annotation(new ObjectId(), items[0]!, 99)); // another project's
    // Ranges: items 0–1, 2–4, 5.
    const spill = await AnnotationSpill.build(db, { projectId }, [items[2]!.toHexString(), items[5]!.toHexString()]);
    try {
      expect(items.map((i) => spill.rangeOf(i.toHexString()))).toEqual([0, 0, 1, 1, 1, 2]);
      const seen = new Map<string, unknown[]>();
      for (const range of [0, 1, 2]) for (const [itemId, list] of await spill.take(range)) seen.set(itemId, list);
      expect([...seen.keys()].sort()).toEqual(items.map((i) => i.toHexString()).sort());
      for (const [i, itemId] of items.entries()) {
        const expected = docs
          .slice(2 * i, 2 * i + 2)
          .sort((a, b) => (a._id.toHexString() < b._id.toHexString() ? -1 : 1))
          .map((a) => ({
            _id: a._id,
            itemId: a.itemId,
            userId: a.userId,
            version: a.version,
            updatedAt: a.updatedAt,
            status: a.status,
            ...(a.guidelineVersion ? { guidelineVersion: a.guidelineVersion } : {}),
            regions: a.regions,
          }));
        expect(seen.get(itemId.toHexString())).toEqual(expected);
      }
      expect((await spill.take(1)).size).toBe(0); // a range is handed out once
    } finally {
      await spill.dispose();
    }
  });
});
