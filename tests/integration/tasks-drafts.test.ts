import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ObjectId } from 'mongodb';
import { startTestApp, type TestApp } from '../support/test-app.ts';
import { answer, makeUsers, textProject, type TestUser } from '../support/tasks.ts';

/** Draft saves: concurrent saves of one lease (issue #10 item 3) and drafts checked like submissions (issue #11). */

let t: TestApp;
let lead: TestUser;
let anno: TestUser;

beforeAll(async () => {
  t = await startTestApp({ LEASE_MS: '30000', DRAFT_MAX_BYTES: String(256 * 1024) });
  const admin = await t.admin();
  [lead] = (await makeUsers(admin, 'lead', 1, { role: 'lead', level: 'L2' })) as [TestUser];
  [anno] = (await makeUsers(admin, 'anno', 1)) as [TestUser];
});
afterAll(async () => {
  await t?.close();
});

async function lease(): Promise<{ projectId: string; leaseId: string; itemId: string; text: string }> {
  const { projectId } = await textProject(lead.client, [anno.id], { n: 1, overlap: 1 });
  const n = await anno.client.post(`/api/projects/${projectId}/tasks/next`);
  expect(n.status).toBe(200);
  return { projectId, leaseId: n.body.task.leaseId, itemId: n.body.task.item.id, text: n.body.task.item.text };
}

const span = (i: number) => ({ regions: [{ id: `s${i}`, type: 'span', label: 'PER', start: 0, end: 1 + (i % 4) }] });

describe('concurrent draft saves', () => {
  it('answers 200 to 20 concurrent saves of one lease and keeps one draft with the latest content', async () => {
    // Several rounds: the race (two upserts both inserting) needs the first saves of a lease to meet.
    for (let round = 0; round < 5; round++) {
      const { leaseId, itemId } = await lease();
      const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => anno.client.put(`/api/tasks/${leaseId}/draft`, span(i))));
      expect(
        answers.map((r) => r.status),
        JSON.stringify(answers.find((r) => r.status !== 200)?.body),
      ).toEqual(Array(20).fill(200));
      const docs = await t.app.ctx.db.drafts.find({ itemId: new ObjectId(itemId) }).toArray();
      expect(docs).toHaveLength(1);
      expect(Array.from({ length: 20 }, (_, i) => span(i).regions)).toContainEqual(docs[0]!.regions);
      // The next save replaces it.
      expect((await anno.client.put(`/api/tasks/${leaseId}/draft`, answer(0))).status).toBe(200);
      const after = await t.app.ctx.db.drafts.find({ itemId: new ObjectId(itemId) }).toArray();
      expect(after.map((d) => d.regions)).toEqual([answer(0).regions]);
    }
  });
});

describe('drafts are checked like submissions', () => {
  it('refuses unknown labels, regions outside the item and huge coordinates with 400 and the region', async () => {
    const { leaseId, itemId, text } = await lease();
    const put = (regions: unknown[]) => anno.client.put(`/api/tasks/${leaseId}/draft`, { regions });
    const unknown = await put([{ id: 'a', type: 'class', label: 'x'.repeat(1400) }]);
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.code).toBe('VALIDATION_FAILED');
    expect(unknown.body.error.details[0].path).toBe('regions[0].label');
    const outside = await put([answer(0).regions[0], { id: 's', type: 'span', label: 'PER', start: 0, end: [...text].length + 5 }]);
    expect(outside.status).toBe(400);
    expect(outside.body.error.details[0].path).toBe('regions[1]');
    const huge = await put([{ id: 'b', type: 'span', label: 'PER', start: 0, end: 1e300 }]);
    expect(huge.status).toBe(400);
    expect(huge.body.error.code).toBe('VALIDATION_FAILED');
    expect(huge.body.error.details[0].path).toMatch(/^regions\[0\]/);
    // Nothing of it was stored.
    expect(await t.app.ctx.db.drafts.countDocuments({ itemId: new ObjectId(itemId) })).toBe(0);
    expect((await put(answer(0).regions)).status).toBe(200);
  });

  it('refuses a draft above the size cap with DRAFT_TOO_LARGE', async () => {
    const { leaseId, itemId } = await lease();
    // Many valid regions whose JSON is larger than the draft cap (256 KiB here).
    const regions = Array.from({ length: 3000 }, (_, i) => ({
      id: `r${i}-${'x'.repeat(50)}`,
      type: 'span',
      label: 'PER',
      start: 0,
      end: 1,
    }));
    const r = await anno.client.put(`/api/tasks/${leaseId}/draft`, { regions });
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('DRAFT_TOO_LARGE');
    expect(await t.app.ctx.db.drafts.countDocuments({ itemId: new ObjectId(itemId) })).toBe(0);
  });
});
