import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { ObjectId } from 'mongodb';
import {
  AnnotationInserts,
  connectDatabase,
  isDatabaseUnreachable,
  isDuplicateKey,
  type AnnotationDoc,
  type Database,
} from '@labelwork/engine';
import type { ApiClient } from '../support/api-client.ts';
import { annotationDoc } from '../support/annotation-doc.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';
import { answer, makeUsers, sid, textProject, type TestUser } from '../support/tasks.ts';

// Group commit of submitted annotations (issue #17 part 2): concurrent submits of one server process
// share one insertMany, and each submit still answers for its own document only.

let t: TestApp;
let admin: ApiClient;
let lead: TestUser;
let annos: TestUser[];

beforeAll(async () => {
  t = await startTestApp();
  admin = await t.admin();
  [lead] = (await makeUsers(admin, 'lead', 1, { role: 'lead', level: 'L2' })) as [TestUser];
  annos = await makeUsers(admin, 'anno', 12);
});
afterAll(async () => {
  await t?.close();
});

const projectId = new ObjectId();
function doc(over: Partial<AnnotationDoc> = {}): AnnotationDoc {
  return annotationDoc({ projectId, submissionId: sid(), regions: [{ id: 'c', type: 'class', label: 'pos' }], ...over });
}

/** The real collection, with its writes counted (how many round trips the inserts took). */
function counted(db: Database): { db: Pick<Database, 'annotations'>; writes: { one: number; many: number[] } } {
  const writes = { one: 0, many: [] as number[] };
  const annotations = db.annotations;
  const wrapped = Object.create(annotations) as typeof annotations;
  wrapped.insertOne = (d, o) => {
    writes.one++;
    return annotations.insertOne(d, o);
  };
  wrapped.insertMany = (ds, o) => {
    writes.many.push(ds.length);
    return annotations.insertMany(ds, o);
  };
  return { db: { annotations: wrapped }, writes };
}

const outcome = (p: Promise<void>) =>
  p.then(
    () => 'stored' as const,
    (e: unknown) => (isDuplicateKey(e) ? ('duplicate' as const) : e),
  );

describe('AnnotationInserts (group commit)', () => {
  it('writes a lone insert at once and the inserts arriving meanwhile as one insertMany', async () => {
    const { db, writes } = counted(t.app.ctx.db);
    const inserts = new AnnotationInserts(db);
    const docs = Array.from({ length: 20 }, () => doc());
    const results = await Promise.all(docs.map((d) => outcome(inserts.insert(d))));
    expect(results).toEqual(docs.map(() => 'stored'));
    // The first found no write in flight; the other 19 waited for it and went together.
    expect(writes).toEqual({ one: 1, many: [19] });
    expect(await t.app.ctx.db.annotations.countDocuments({ _id: { $in: docs.map((d) => d._id) } })).toBe(20);
  });

  it('fails only the refused documents of a batch, each with its own duplicate-key error', async () => {
    const { db, writes } = counted(t.app.ctx.db);
    const inserts = new AnnotationInserts(db);
    const stored = doc();
    await inserts.insert(stored);
    const first = doc();
    const sameSubmission = doc({ submissionId: stored.submissionId });
    const second = doc();
    const sameSlotInBatch = doc({ slot: second.slot });
    const sameItemAndUser = doc({ itemId: stored.itemId, userId: stored.userId, slot: `${stored.itemId.toHexString()}-1` });
    const last = doc();
    // Written together (with `first`, or after it when it found the writer idle).
    const results = await Promise.all(
      [first, sameSubmission, second, sameSlotInBatch, sameItemAndUser, last].map((d) => outcome(inserts.insert(d))),
    );
    expect(results).toEqual(['stored', 'duplicate', 'stored', 'duplicate', 'duplicate', 'stored']);
    expect(writes.many.length).toBe(1);
    expect(writes.many[0]).toBeGreaterThanOrEqual(5);
    const ids = await t.app.ctx.db.annotations
      .find({ projectId, _id: { $in: [stored, first, sameSubmission, second, sameSlotInBatch, sameItemAndUser, last].map((d) => d._id) } })
      .map((d) => d._id.toHexString())
      .toArray();
    expect(ids.sort()).toEqual([stored, first, second, last].map((d) => d._id.toHexString()).sort());
    // The writer carries on after a partly refused batch.
    expect(await outcome(inserts.insert(doc()))).toBe('stored');
  });

  it('fails every insert of a batch the database did not take, and nothing is stored', async () => {
    const other = await connectDatabase(inject('mongoUrl'), t.dbName, { ensureIndexes: false });
    await other.close();
    const inserts = new AnnotationInserts(other);
    const docs = Array.from({ length: 4 }, () => doc());
    const results = await Promise.all(docs.map((d) => outcome(inserts.insert(d))));
    for (const r of results) {
      expect(r).toBeInstanceOf(Error);
      expect(isDuplicateKey(r)).toBe(false);
    }
    expect(await t.app.ctx.db.annotations.countDocuments({ _id: { $in: docs.map((d) => d._id) } })).toBe(0);
  });

  it('fails the inserts queued behind a write that could not reach the database at once, without writing them', async () => {
    const other = await connectDatabase(inject('mongoUrl'), t.dbName, { ensureIndexes: false });
    await other.close();
    const { db, writes } = counted(other);
    // The first write takes a while to fail (as a server selection does), so the others queue behind it.
    const slowDb = Object.create(db.annotations) as typeof db.annotations;
    slowDb.insertOne = async (d, o) => {
      await new Promise((r) => setTimeout(r, 300));
      return db.annotations.insertOne(d, o);
    };
    const inserts = new AnnotationInserts({ annotations: slowDb });
    const docs = Array.from({ length: 5 }, () => doc());
    const results = await Promise.all(docs.map((d) => outcome(inserts.insert(d))));
    for (const r of results) {
      expect(r).toBeInstanceOf(Error);
      expect(isDatabaseUnreachable(r)).toBe(true);
    }
    // One write was tried (the first); the four queued behind it were never sent.
    expect(writes).toEqual({ one: 1, many: [] });
    expect(inserts.waiting).toBe(0);
    // The writer is not stuck: the next insert is written.
    const live = new AnnotationInserts(t.app.ctx.db);
    expect(await outcome(live.insert(doc()))).toBe('stored');
    expect(await outcome(inserts.insert(doc()))).toBeInstanceOf(Error);
  });
});

describe('submits under group commit', () => {
  it('stores one annotation per submit when many submit at once, replays included, in fewer writes than submits', async () => {
    const { projectId: pid } = await textProject(
      lead.client,
      annos.map((u) => u.id),
      { n: 12, overlap: 1 },
    );
    const tasks = await Promise.all(
      annos.map(async (u) => (await u.client.post(`/api/projects/${pid}/tasks/next`)).body.task as { leaseId: string }),
    );
    const { writes } = countAppWrites(t);
    const bodies = annos.map((_, i) => ({ submissionId: sid(), ...answer(i) }));
    // Every annotator submits at once, and the first three send their submit twice (a double click, a retry).
    const sends = annos.map((u, i) => u.client.post(`/api/tasks/${tasks[i]!.leaseId}/submit`, bodies[i]));
    const replays = annos.slice(0, 3).map((u, i) => u.client.post(`/api/tasks/${tasks[i]!.leaseId}/submit`, bodies[i]));
    const answers = await Promise.all([...sends, ...replays]);
    for (const a of answers) expect([200, 201]).toContain(a.status);
    for (let i = 0; i < 3; i++) {
      expect([answers[i]!.status, answers[12 + i]!.status].sort()).toEqual([200, 201]);
      expect(answers[12 + i]!.body.annotation.id).toBe(answers[i]!.body.annotation.id);
    }
    expect(answers.filter((a) => a.status === 201)).toHaveLength(12);
    const stored = await t.app.ctx.db.annotations.find({ projectId: new ObjectId(pid) }).toArray();
    expect(stored).toHaveLength(12);
    expect(new Set(stored.map((a) => a.submissionId))).toEqual(new Set(bodies.map((b) => b.submissionId)));
    // Coalesced: at least one insertMany of several submits, fewer round trips than submits.
    expect(writes.many.some((n) => n > 1)).toBe(true);
    expect(writes.one + writes.many.length).toBeLessThan(15);
    restoreAppWrites();
    // The queue agrees: all 12 done, nothing leased.
    const counts = (await lead.client.get(`/api/projects/${pid}/queue`)).body.counts;
    expect(counts).toMatchObject({ done: 12, leased: 0 });
  });
});

let restore: (() => void) | null = null;
/** Counts the app's annotation writes (the real collection's methods, wrapped for the duration of one test). */
function countAppWrites(app: TestApp): { writes: { one: number; many: number[] } } {
  const annotations = app.app.ctx.db.annotations;
  const { insertOne, insertMany } = annotations;
  const writes = { one: 0, many: [] as number[] };
  annotations.insertOne = function (this: typeof annotations, ...args: Parameters<typeof insertOne>) {
    writes.one++;
    return insertOne.apply(this, args);
  } as typeof insertOne;
  annotations.insertMany = function (this: typeof annotations, ...args: Parameters<typeof insertMany>) {
    writes.many.push(args[0].length);
    return insertMany.apply(this, args);
  } as typeof insertMany;
  restore = () => {
    annotations.insertOne = insertOne;
    annotations.insertMany = insertMany;
  };
  return { writes };
}
function restoreAppWrites(): void {
  restore?.();
  restore = null;
}
