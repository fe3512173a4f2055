import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ObjectId } from 'mongodb';
import { startTestApp, type TestApp } from '../support/test-app.ts';
import { classSchema, makeUsers, sid, textProject, type TestUser } from '../support/tasks.ts';

/** Removing a label that stored work uses (issue #10 item 6): usage counts, merging into another label, retiring. */

let t: TestApp;
let lead: TestUser;
let anno: TestUser;

beforeAll(async () => {
  t = await startTestApp({ LEASE_MS: '30000' });
  const admin = await t.admin();
  [lead] = (await makeUsers(admin, 'lead', 1, { role: 'lead', level: 'L2' })) as [TestUser];
  [anno] = (await makeUsers(admin, 'anno', 1)) as [TestUser];
});
afterAll(async () => {
  await t?.close();
});

/** Two submitted annotations (neg + a PER span, and pos) and a draft using `neg`; one gold answer with `pos`. */
async function projectWithWork(): Promise<{ projectId: string }> {
  const { projectId } = await textProject(lead.client, [anno.id], { n: 3, overlap: 1, gold: 1, goldRate: 0 });
  const next = async () => {
    const n = await anno.client.post(`/api/projects/${projectId}/tasks/next`);
    expect(n.status, JSON.stringify(n.body)).toBe(200);
    return n.body.task.leaseId as string;
  };
  const submit = async (regions: unknown[]) => {
    const s = await anno.client.post(`/api/tasks/${await next()}/submit`, { submissionId: sid(), durationMs: 1000, regions });
    expect(s.status, JSON.stringify(s.body)).toBe(201);
  };
  await submit([
    { id: 'c', type: 'class', label: 'neg' },
    { id: 's', type: 'span', label: 'PER', start: 0, end: 4 },
  ]);
  await submit([{ id: 'c', type: 'class', label: 'pos' }]);
  const d = await anno.client.put(`/api/tasks/${await next()}/draft`, { regions: [{ id: 'c', type: 'class', label: 'neg' }] });
  expect(d.status, JSON.stringify(d.body)).toBe(200);
  return { projectId };
}

const project = async (id: string) =>
  (await lead.client.get(`/api/projects/${id}`)).body.project as { version: number; labelSchema: typeof classSchema };
const without = (name: string) => ({ labels: classSchema.labels.filter((l) => l.name !== name) });

describe('label usage', () => {
  it('counts the regions of each label in annotations, drafts and gold answers, for managers only', async () => {
    const { projectId } = await projectWithWork();
    const r = await lead.client.get(`/api/projects/${projectId}/label-usage`);
    expect(r.status).toBe(200);
    expect(r.body.labels).toEqual({
      neg: { annotations: 1, drafts: 1, gold: 0 },
      pos: { annotations: 1, drafts: 0, gold: 1 },
      PER: { annotations: 1, drafts: 0, gold: 0 },
    });
    expect([403, 404]).toContain((await anno.client.get(`/api/projects/${projectId}/label-usage`)).status);
  });
  it('counts labels named with a dot, a $ or like Object.prototype members', async () => {
    const names = ['traffic.light', '$price', '__proto__', 'constructor'];
    const colors = ['#ff0000', '#00ff00', '#0000ff', '#ffff00'];
    const p = await lead.client.post('/api/projects', {
      name: `odd-labels-${sid().slice(0, 6)}`,
      kind: 'text',
      labelSchema: { labels: names.map((name, i) => ({ name, color: colors[i], tool: 'class-multi' })) },
      overlap: 1,
      goldRate: 0,
      minLevel: 'L5',
    });
    expect(p.status, JSON.stringify(p.body)).toBe(201);
    const projectId = p.body.project.id as string;
    const regions = names.map((label, i) => ({ id: `c${i}`, type: 'class', label }));
    const imp = await lead.client.upload(`/api/projects/${projectId}/items/text`, 'file', [
      { name: 'gold.jsonl', data: JSON.stringify({ text: 'a gold item', gold: { regions } }) },
    ]);
    expect(imp.status, JSON.stringify(imp.body)).toBe(201);
    const r = await lead.client.get(`/api/projects/${projectId}/label-usage`);
    expect(r.status).toBe(200);
    // Built with fromEntries: a literal `{ __proto__: … }` would set the prototype, not a key.
    expect(r.body.labels).toEqual(Object.fromEntries(names.map((n) => [n, { annotations: 0, drafts: 0, gold: 1 }])));
  });
});

describe('merging a removed label into another', () => {
  it('rewrites the label on stored annotations (version bumped), drafts and gold, in one save with the new schema', async () => {
    const { projectId } = await projectWithWork();
    const before = await t.app.ctx.db.annotations.find({ projectId: new ObjectId(projectId) }).toArray();
    const p = await project(projectId);
    const r = await lead.client.patch(`/api/projects/${projectId}`, {
      version: p.version,
      labelSchema: without('neg'),
      labelMerges: [{ from: 'neg', into: 'pos' }],
    });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.project.labelSchema.labels.map((l: { name: string }) => l.name)).toEqual(['pos', 'PER']);
    const usage = (await lead.client.get(`/api/projects/${projectId}/label-usage`)).body.labels;
    expect(usage.neg).toBeUndefined();
    expect(usage.pos).toEqual({ annotations: 2, drafts: 1, gold: 1 });
    const after = await t.app.ctx.db.annotations.find({ projectId: new ObjectId(projectId) }).toArray();
    const changed = after.find((a) => before.find((b) => b._id.equals(a._id))!.regions.some((x) => x.label === 'neg'))!;
    expect(changed.regions).toEqual([
      { id: 'c', type: 'class', label: 'pos' },
      { id: 's', type: 'span', label: 'PER', start: 0, end: 4 },
    ]);
    expect(changed.version).toBe(before.find((b) => b._id.equals(changed._id))!.version + 1);
    const drafts = await t.app.ctx.db.drafts.find({ projectId: new ObjectId(projectId) }).toArray();
    expect(drafts.map((d) => d.regions)).toEqual([[{ id: 'c', type: 'class', label: 'pos' }]]);
  });

  it('refuses merges into a missing label, into a different kind of region or of a label still there, and changes nothing', async () => {
    const { projectId } = await projectWithWork();
    const p = await project(projectId);
    const tries = [
      { labelSchema: without('neg'), labelMerges: [{ from: 'neg', into: 'nope' }], reason: 'merge_target_unknown' },
      { labelSchema: without('neg'), labelMerges: [{ from: 'neg', into: 'PER' }], reason: 'merge_tool_mismatch' },
      { labelSchema: classSchema, labelMerges: [{ from: 'neg', into: 'pos' }], reason: 'unknown_label' },
      { labelSchema: without('neg'), labelMerges: [{ from: 'neg', into: 'neg' }], reason: 'merge_into_itself' },
    ];
    for (const { reason, ...body } of tries) {
      const r = await lead.client.patch(`/api/projects/${projectId}`, { version: p.version, ...body });
      expect(r.status, reason).toBe(400);
      expect(r.body.error.details.map((d: { reason: string }) => d.reason)).toEqual([reason]);
    }
    expect((await project(projectId)).version).toBe(p.version);
    expect((await lead.client.get(`/api/projects/${projectId}/label-usage`)).body.labels.neg).toEqual({
      annotations: 1,
      drafts: 1,
      gold: 0,
    });
  });
});

describe('retiring a label', () => {
  it('keeps the label and its regions; stored work is untouched', async () => {
    const { projectId } = await projectWithWork();
    const p = await project(projectId);
    const labels = classSchema.labels.map((l) => (l.name === 'neg' ? { ...l, retired: true } : l));
    const r = await lead.client.patch(`/api/projects/${projectId}`, { version: p.version, labelSchema: { labels } });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.project.labelSchema.labels[1]).toMatchObject({ name: 'neg', retired: true });
    expect((await lead.client.get(`/api/projects/${projectId}/label-usage`)).body.labels.neg).toEqual({
      annotations: 1,
      drafts: 1,
      gold: 0,
    });
    // A merge may not target a retired label.
    const m = await lead.client.patch(`/api/projects/${projectId}`, {
      version: r.body.project.version,
      labelSchema: { labels: labels.filter((l) => l.name !== 'pos') },
      labelMerges: [{ from: 'pos', into: 'neg' }],
    });
    expect(m.body.error.details.map((d: { reason: string }) => d.reason)).toEqual(['merge_target_unknown']);
  });
});
