import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { connectDatabase, type Database } from '@labelwork/engine';
import { ReadAhead } from '../../workers/src/datasets/read-ahead.ts';

let db: Database;
beforeAll(async () => {
  db = await connectDatabase(inject('mongoUrl'), `t_${randomUUID().replace(/-/g, '').slice(0, 12)}`, { ensureIndexes: false });
  await db.db.collection<{ n: number }>('readahead').insertMany(Array.from({ length: 700 }, (_, n) => ({ n: 699 - n })));
});
afterAll(async () => {
  await db.db.dropDatabase().catch(() => undefined);
  await db.close();
});

describe('export cursors read ahead', () => {
  it('hands out every document once, in cursor order, across batches, and then null', async () => {
    const docs = new ReadAhead(db.db.collection<{ n: number }>('readahead').find({}).sort({ n: 1 }).batchSize(64));
    const seen: number[] = [];
    for (let d = await docs.next(); d; d = await docs.next()) {
      seen.push(d.n);
      // The worker's own work between documents: the next batch is being fetched meanwhile.
      if (d.n % 64 === 63) await new Promise((r) => setTimeout(r, 5));
    }
    expect(seen).toEqual(Array.from({ length: 700 }, (_, n) => n));
    expect(await docs.next()).toBeNull();
    await docs.close();
  });

  it('closes while a read-ahead is in flight', async () => {
    const docs = new ReadAhead(db.db.collection<{ n: number }>('readahead').find({}).sort({ n: 1 }).batchSize(50));
    for (let i = 0; i < 50; i++) expect((await docs.next())?.n).toBe(i);
    // The 50th document emptied the first batch: the next one is being asked for now.
    await docs.close();
    await expect(docs.next()).resolves.toBeNull();
  });
});
