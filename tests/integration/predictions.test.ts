import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ObjectId } from 'mongodb';
import { latestPrediction, predictionsOfSource, putPredictions } from '@labelwork/engine';
import { startTestApp, type TestApp } from '../support/test-app.ts';
import { makeUsers, sid, textProject, type TestUser } from '../support/tasks.ts';

/**
 * The predictions owner (engine/src/predictions): idempotent storage per (source, item), and the
 * annotator's task carrying the newest prediction of a non-gold item for the workspace to pre-fill.
 */

let t: TestApp;
let lead: TestUser;
let anno: TestUser;

beforeAll(async () => {
  t = await startTestApp({ LEASE_MS: '30000' });
  const admin = await t.admin();
  [lead] = (await makeUsers(admin, 'plead', 1, { role: 'lead', level: 'L2' })) as [TestUser];
  [anno] = (await makeUsers(admin, 'panno', 1)) as [TestUser];
});
afterAll(async () => {
  await t?.close();
});

const cls = (label: string) => ({ id: 'x', type: 'class' as const, label });

describe('predictions', () => {
  it('stores one prediction per source and item, however often a run stores it', async () => {
    const { projectId, itemIds } = await textProject(lead.client, [anno.id], { n: 3, overlap: 1, queue: false });
    const db = t.app.ctx.db;
    const pid = new ObjectId(projectId);
    const source = { kind: 'model' as const, id: 'run-1', name: 'test model', modelVersion: 'v1' };
    const batch = itemIds.map((id, i) => ({ itemId: new ObjectId(id), regions: [cls(i % 2 ? 'pos' : 'neg')], score: 0.5 + i / 10 }));
    expect(await putPredictions(db, pid, source, batch)).toBe(3);
    // A resumed run stores the same items again (one of them changed): still one per item, the newest content.
    await putPredictions(db, pid, source, [{ itemId: new ObjectId(itemIds[0]!), regions: [cls('pos')], score: 0.9 }]);
    const docs = await predictionsOfSource(db, pid, 'run-1').toArray();
    expect(docs).toHaveLength(3);
    const first = docs.find((d) => d.itemId.equals(new ObjectId(itemIds[0]!)))!;
    expect(first.regions).toEqual([{ id: 'pred-1', type: 'class', label: 'pos' }]);
    expect(first.score).toBe(0.9);
    // Another source for the same item is another prediction; the newest is the one shown.
    await putPredictions(db, pid, { kind: 'import', id: 'imp-1', name: 'coco.json' }, [{ itemId: first.itemId, regions: [cls('neg')] }]);
    const latest = await latestPrediction(db, first.itemId);
    expect(latest?.source.id).toBe('imp-1');
    expect(latest?.score).toBeNull();
  });

  it("re-stores a resumed run's 400 predictions at once, replacing each (one delete and one insert, not 400 single writes)", async () => {
    const db = t.app.ctx.db;
    const pid = new ObjectId();
    const source = { kind: 'model' as const, id: `run-${pid.toHexString()}`, name: 'test model', modelVersion: 'v1' };
    const ids = Array.from({ length: 400 }, () => new ObjectId());
    expect(
      await putPredictions(
        db,
        pid,
        source,
        ids.map((itemId) => ({ itemId, regions: [cls('neg')], score: 0.1 })),
      ),
    ).toBe(400);
    // Replacing them one _id at a time took over 20 s for 256 on FerretDB (each such write scans the collection).
    const started = Date.now();
    expect(
      await putPredictions(
        db,
        pid,
        source,
        ids.map((itemId) => ({ itemId, regions: [cls('pos')], score: 0.8 })),
      ),
    ).toBe(400);
    expect(Date.now() - started).toBeLessThan(15_000);
    const docs = await predictionsOfSource(db, pid, source.id).toArray();
    expect(docs).toHaveLength(400);
    expect(docs.every((d) => d.score === 0.8 && d.regions[0]!.type === 'class' && d.regions[0]!.label === 'pos')).toBe(true);
  }, 60_000);

  it("hands the annotator the item's newest prediction with the task, and none for a gold item", async () => {
    const { projectId, itemIds } = await textProject(lead.client, [anno.id], { n: 1, gold: 1, overlap: 1, goldRate: 1 });
    const db = t.app.ctx.db;
    const pid = new ObjectId(projectId);
    const items = await db.items.find({ projectId: pid }).toArray();
    const gold = items.find((i) => i.isGold)!;
    const plain = items.find((i) => !i.isGold)!;
    expect(itemIds).toContain(plain._id.toHexString());
    const source = { kind: 'model' as const, id: 'run-2', name: 'm', modelVersion: '2' };
    await putPredictions(db, pid, source, [
      { itemId: plain._id, regions: [cls('pos')], score: 0.3 },
      { itemId: gold._id, regions: [cls('neg')], score: 0.3 },
    ]);
    // Two tasks, in whatever order the engine serves them (gold rate 1: the gold item comes too).
    const seen = new Map<string, unknown>();
    for (let k = 0; k < 2; k++) {
      const n = await anno.client.post(`/api/projects/${projectId}/tasks/next`);
      expect(n.status, JSON.stringify(n.body)).toBe(200);
      seen.set(n.body.task.item.id, n.body.task.prediction);
      const s = await anno.client.post(`/api/tasks/${n.body.task.leaseId}/submit`, { submissionId: sid(), regions: [cls('pos')] });
      expect(s.status, JSON.stringify(s.body)).toBe(201);
    }
    expect(seen.get(plain._id.toHexString())).toEqual({
      regions: [{ id: 'pred-1', type: 'class', label: 'pos' }],
      source: { kind: 'model', name: 'm', modelVersion: '2' },
      score: 0.3,
    });
    expect(seen.has(gold._id.toHexString())).toBe(true);
    expect(seen.get(gold._id.toHexString())).toBeUndefined();
  });

  it('pre-fills tasks with predictions stored after the project was first served without any, within about a second', async () => {
    // The next-task path remembers that a project has no prediction (no database read per task),
    // fresh for a second and then refreshed in the background: later predictions are handed out
    // from the draw after that refresh.
    const { projectId } = await textProject(lead.client, [anno.id], { n: 8, overlap: 1 });
    const db = t.app.ctx.db;
    const pid = new ObjectId(projectId);
    const first = await anno.client.post(`/api/projects/${projectId}/tasks/next`);
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.body.task.prediction).toBeUndefined();
    let s = await anno.client.post(`/api/tasks/${first.body.task.leaseId}/submit`, { submissionId: sid(), regions: [cls('pos')] });
    expect(s.status, JSON.stringify(s.body)).toBe(201);
    const rest = (await db.items.find({ projectId: pid }).toArray()).filter((i) => i._id.toHexString() !== first.body.task.item.id);
    const source = { kind: 'model' as const, id: 'run-late', name: 'late', modelVersion: '1' };
    await putPredictions(
      db,
      pid,
      source,
      rest.map((i) => ({ itemId: i._id, regions: [cls('neg')], score: 0.5 })),
    );
    await new Promise((r) => setTimeout(r, 1100));
    const draws: unknown[] = [];
    for (let k = 0; k < 3; k++) {
      const n = await anno.client.post(`/api/projects/${projectId}/tasks/next`);
      expect(n.status, JSON.stringify(n.body)).toBe(200);
      draws.push(n.body.task.prediction);
      s = await anno.client.post(`/api/tasks/${n.body.task.leaseId}/submit`, { submissionId: sid(), regions: [cls('pos')] });
      expect(s.status, JSON.stringify(s.body)).toBe(201);
      await new Promise((r) => setTimeout(r, 200));
    }
    // The first draw after the second may still see the old answer (it starts the refresh); the last sees the new one.
    expect(draws[2]).toEqual({
      regions: [{ id: 'pred-1', type: 'class', label: 'neg' }],
      source: { kind: 'model', name: 'late', modelVersion: '1' },
      score: 0.5,
    });
  }, 30_000);
});
