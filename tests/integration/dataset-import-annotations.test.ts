import { ObjectId } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningWorkers } from '../../workers/src/app.ts';
import { Readable } from 'node:stream';
import yauzl from 'yauzl';
import { ApiClient } from '../support/api-client.ts';
import { signedInUser } from '../support/project-setup.ts';
import { sid, startTestWorkers, textProject, waitFor, type TestUser } from '../support/tasks.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';

let t: TestApp;
let workers: RunningWorkers;
let admin: ApiClient;
let lead: TestUser;
let alice: TestUser;
let bob: TestUser;
let carol: TestUser;
let dave: TestUser;
let outsider: TestUser;
let projectId = '';
let itemIds: string[] = [];

beforeAll(async () => {
  t = await startTestApp();
  workers = await startTestWorkers(t);
  admin = await t.admin();
  const user = (name: string, role = 'annotator') => signedInUser(admin, { name, role, level: 'L4' });
  lead = await user('lead', 'lead');
  alice = await user('alice');
  bob = await user('bob');
  carol = await user('carol');
  dave = await user('dave');
  outsider = await user('outsider');
  // Three text items t0..t2 put up with overlap k = 2.
  ({ projectId, itemIds } = await textProject(lead.client, [alice.id, bob.id, carol.id, dave.id], { n: 3, overlap: 2 }));
}, 60_000);
afterAll(async () => {
  await workers?.close();
  await t?.close();
});

/** A Label Studio export: per task, annotations with their `completed_by`. */
function labelStudio(tasks: { item: string; by: { who: string; label: string }[] }[]): string {
  return JSON.stringify(
    tasks.map((task, i) => ({
      id: i + 1,
      data: { text: `text of ${task.item}` },
      meta: { name: task.item },
      annotations: task.by.map((b) => ({
        completed_by: { email: b.who },
        result: [{ id: `r${i}`, from_name: 'c', to_name: 'text', type: 'choices', value: { choices: [b.label] } }],
      })),
    })),
  );
}

/** Every file of a zip, as one text. */
function unzipText(buf: Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(buf, { lazyEntries: true }, (err, zip) => {
      if (err) return reject(err);
      let out = '';
      zip.on('entry', (e: yauzl.Entry) => {
        zip.openReadStream(e, (err2, s) => {
          if (err2) return reject(err2);
          (s as Readable).on('data', (c: Buffer) => (out += c.toString('utf8')));
          (s as Readable).on('end', () => zip.readEntry());
        });
      });
      zip.on('end', () => resolve(out));
      zip.on('error', reject);
      zip.readEntry();
    });
  });
}

const preview = (name: string, data: string, format = 'labelstudio') =>
  lead.client.upload(`/api/projects/${projectId}/dataset-imports`, 'file', [{ name, data }], { format, as: 'annotations' });

async function annotationsOf(itemId: string): Promise<{ userId: string; slot: string; status: string; leaseId: string }[]> {
  const docs = await t.app.ctx.db.annotations.find({ itemId: new ObjectId(itemId) }).toArray();
  return docs.map((d) => ({ userId: d.userId.toHexString(), slot: d.slot, status: d.status, leaseId: d.leaseId }));
}

describe('dataset import as finished annotations', () => {
  it('stores a file annotator’s work as a member’s submitted annotations in free replica slots, skipping what would exceed k', async () => {
    // Carol annotates one item live first: it has one of its two annotations.
    const next = await carol.client.post(`/api/projects/${projectId}/tasks/next`);
    expect(next.status).toBe(200);
    const carolItem = next.body.task.item.id as string;
    const s = await carol.client.post(`/api/tasks/${next.body.task.leaseId}/submit`, {
      submissionId: sid(),
      regions: [{ id: 'c', type: 'class', label: 'pos' }],
    });
    expect(s.status).toBe(201);
    const names = new Map(itemIds.map((id, i) => [id, `t${i}`]));
    const carolName = names.get(carolItem)!;

    // The file: ann1 annotated every item, ann2 annotated Carol's item too (that would be a third annotation).
    const file = labelStudio(
      itemIds.map((id) => ({
        item: names.get(id)!,
        by:
          id === carolItem
            ? [
                { who: 'ann1@x', label: 'pos' },
                { who: 'ann2@x', label: 'neg' },
              ]
            : [{ who: 'ann1@x', label: 'neg' }],
      })),
    );
    const p = await preview('ls.json', file);
    expect(p.status, JSON.stringify(p.body)).toBe(201);
    expect(p.body.import.preview.annotators).toEqual([
      { name: 'ann1@x', annotations: 3 },
      { name: 'ann2@x', annotations: 1 },
    ]);
    const id = p.body.import.id as string;
    const url = `/api/projects/${projectId}/dataset-imports/${id}/confirm`;
    const before = await t.app.ctx.db.annotations.countDocuments();

    // Refused, nothing stored: an unmapped file annotator, and a user who is not a member.
    const unmapped = await lead.client.post(url, { annotators: { bySource: { 'ann1@x': alice.id } } });
    expect(unmapped.status).toBe(400);
    expect(unmapped.body.error).toMatchObject({
      code: 'VALIDATION_FAILED',
      details: { reason: 'ANNOTATOR_REQUIRED', unmapped: ['ann2@x'] },
    });
    const stranger = await lead.client.post(url, { annotators: { default: outsider.id } });
    expect(stranger.body.error).toMatchObject({ code: 'VALIDATION_FAILED', details: { reason: 'NOT_A_MEMBER' } });
    expect(await t.app.ctx.db.annotations.countDocuments()).toBe(before);

    const c = await lead.client.post(url, { annotators: { bySource: { 'ann1@x': alice.id, 'ann2@x': dave.id } } });
    expect(c.status, JSON.stringify(c.body)).toBe(200);
    expect(c.body.import).toMatchObject({
      status: 'complete',
      result: {
        stored: 3,
        skipped: 1,
        skippedByReason: { item_full: 1 },
        skips: [{ item: carolName, annotator: 'ann2@x', reason: 'item_full' }],
      },
    });
    for (const itemId of itemIds) {
      const anns = await annotationsOf(itemId);
      const mine = anns.filter((a) => a.userId === alice.id);
      expect(mine).toHaveLength(1);
      expect(mine[0]).toMatchObject({ status: 'submitted', leaseId: `import:${id}` });
      expect(anns.some((a) => a.userId === dave.id)).toBe(false);
      expect(anns.length).toBe(itemId === carolItem ? 2 : 1);
      expect(new Set(anns.map((a) => a.slot)).size).toBe(anns.length);
    }
    const audit = await t.app.ctx.db.audit.findOne({ action: 'dataset.import', 'details.importId': id });
    // The audit entry keeps the annotator mapping as pairs (a stored key may not hold the '.' of an e-mail address).
    expect(audit?.details).toMatchObject({
      as: 'annotations',
      annotators: {
        bySource: [
          { source: 'ann1@x', userId: alice.id },
          { source: 'ann2@x', userId: dave.id },
        ],
      },
    });

    // The item now at k gets its agreement computed, as after a normal submit.
    await waitFor('agreement of the filled item', () => t.app.ctx.db.agreements.findOne({ _id: `item:${carolItem}` }));

    // Alice filled a slot on every item: the queue has nothing for her.
    const aliceNext = await alice.client.post(`/api/projects/${projectId}/tasks/next`);
    expect(aliceNext.status).toBe(404);
    expect(aliceNext.body.error.code).toBe('NOTHING_TO_DO');

    // Bob gets exactly the two items that still need a second annotation, each once.
    const got: string[] = [];
    for (;;) {
      const n = await bob.client.post(`/api/projects/${projectId}/tasks/next`);
      if (n.status === 404) break;
      expect(n.status).toBe(200);
      got.push(n.body.task.item.id as string);
      const r = await bob.client.post(`/api/tasks/${n.body.task.leaseId}/submit`, {
        submissionId: sid(),
        regions: [{ id: 'c', type: 'class', label: 'neg' }],
      });
      expect(r.status).toBe(201);
    }
    expect(got.sort()).toEqual(itemIds.filter((i) => i !== carolItem).sort());
    for (const itemId of itemIds) expect(await annotationsOf(itemId)).toHaveLength(2);
    // Dave's only annotation was skipped, but every item has its k now.
    const daveNext = await dave.client.post(`/api/projects/${projectId}/tasks/next`);
    expect(daveNext.status).toBe(404);
    for (const itemId of itemIds) await waitFor(`agreement of ${itemId}`, () => t.app.ctx.db.agreements.findOne({ _id: `item:${itemId}` }));
    const queue = (await lead.client.get(`/api/projects/${projectId}/queue`)).body;
    expect(queue.counts).toMatchObject({ waiting: 0, leased: 0, done: 6 });
  }, 60_000);

  it('skips an item its member already annotated instead of storing a second annotation', async () => {
    const p = await preview('again.json', labelStudio([{ item: 't0', by: [{ who: 'x', label: 'pos' }] }]));
    expect(p.status).toBe(201);
    const c = await lead.client.post(`/api/projects/${projectId}/dataset-imports/${p.body.import.id}/confirm`, {
      annotators: { default: alice.id },
    });
    expect(c.status, JSON.stringify(c.body)).toBe(200);
    expect(c.body.import.result).toMatchObject({ stored: 0, skipped: 1, skippedByReason: { already_annotated: 1 } });
    expect((await annotationsOf(itemIds[0]!)).filter((a) => a.userId === alice.id)).toHaveLength(1);
  });

  it('fills slots of items not put up yet: queueing them later adds only the missing replicas', async () => {
    const later = await textProject(lead.client, [alice.id, bob.id], { n: 2, overlap: 2, queue: false });
    const up = await lead.client.upload(
      `/api/projects/${later.projectId}/dataset-imports`,
      'file',
      [{ name: 'cvat-like.json', data: labelStudio([{ item: 't0', by: [{ who: '', label: 'pos' }] }]) }],
      { format: 'labelstudio', as: 'annotations' },
    );
    expect(up.status).toBe(201);
    const c = await lead.client.post(`/api/projects/${later.projectId}/dataset-imports/${up.body.import.id}/confirm`, {
      annotators: { default: alice.id },
    });
    expect(c.body.import.result).toMatchObject({ stored: 1, skipped: 0 });
    const q = await lead.client.post(`/api/projects/${later.projectId}/queue/items`, { all: true });
    expect(q.status, JSON.stringify(q.body)).toBe(200);
    // Item t0 has one of its two replicas filled by the import: three replica tasks wait, not four.
    const queue = (await lead.client.get(`/api/projects/${later.projectId}/queue`)).body;
    expect(queue.counts).toMatchObject({ waiting: 3, itemsQueued: 2 });
    const aliceGot: string[] = [];
    for (;;) {
      const n = await alice.client.post(`/api/projects/${later.projectId}/tasks/next`);
      if (n.status === 404) break;
      aliceGot.push(n.body.task.item.id as string);
      await alice.client.post(`/api/tasks/${n.body.task.leaseId}/submit`, { submissionId: sid(), regions: [] });
    }
    const t1 = await t.app.ctx.db.items.findOne({ projectId: new ObjectId(later.projectId), externalId: 't1' });
    expect(aliceGot).toEqual([t1!._id.toHexString()]);
  });

  it('imports a file annotator as a placeholder annotator that cannot sign in, is given no work, and is the provenance of its exports', async () => {
    const side = await textProject(lead.client, [alice.id, bob.id], { n: 2, overlap: 2 });
    const source = `ext-${Date.now()}@example.com`;
    const up = await lead.client.upload(
      `/api/projects/${side.projectId}/dataset-imports`,
      'file',
      [
        {
          name: 'outside.json',
          data: labelStudio([
            { item: 't0', by: [{ who: source, label: 'pos' }] },
            { item: 't1', by: [{ who: source, label: 'neg' }] },
          ]),
        },
      ],
      { format: 'labelstudio', as: 'annotations' },
    );
    expect(up.status, JSON.stringify(up.body)).toBe(201);
    // Without a member or a placeholder for the file annotator, the confirm is refused.
    const refused = await lead.client.post(`/api/projects/${side.projectId}/dataset-imports/${up.body.import.id}/confirm`, {});
    expect(refused.body.error?.details?.reason).toBe('ANNOTATOR_REQUIRED');
    // An e-mail address (a '.' in it) as the file annotator is kept as is (the session stores the mapping as pairs).
    const c = await lead.client.post(`/api/projects/${side.projectId}/dataset-imports/${up.body.import.id}/confirm`, {
      annotators: { placeholders: [source] },
    });
    expect(c.status, JSON.stringify(c.body)).toBe(200);
    expect(c.body.import.result).toMatchObject({ stored: 2, skipped: 0 });
    const users = (await admin.get('/api/users')).body.users as { id: string; username: string; disabled: boolean; imported?: boolean }[];
    const placeholder = users.find((u) => u.username === `imported:${source}`);
    expect(placeholder).toMatchObject({ disabled: true, imported: true });
    const pid = new ObjectId(side.projectId);
    expect(await t.app.ctx.db.annotations.countDocuments({ projectId: pid, userId: new ObjectId(placeholder!.id) })).toBe(2);
    // Not a member: never given work.
    expect((await lead.client.get(`/api/projects/${side.projectId}`)).body.project.memberIds).not.toContain(placeholder!.id);
    // Not live work: the dashboard's active annotators leave it out; its annotators table (agreement) keeps it.
    const dash = (await lead.client.get(`/api/projects/${side.projectId}/dashboard`)).body;
    expect(dash.throughput.active).toMatchObject({ annotators: 0, submissions: 0 });
    expect(dash.annotators.map((a: { username: string }) => a.username)).toContain(`imported:${source}`);
    // It cannot sign in, not even after an admin enables it and gives it a password.
    const login = (password: string) => new ApiClient(t.url).login(`imported:${source}`, password);
    expect((await login('!imported-placeholder')).status).toBe(401);
    expect((await admin.patch(`/api/users/${placeholder!.id}`, { disabled: false, password: 'a-long-enough-password' })).status).toBe(200);
    expect((await login('a-long-enough-password')).status).toBe(401);
    // A second import of the same annotator finds the same placeholder.
    const again = await lead.client.upload(
      `/api/projects/${projectId}/dataset-imports`,
      'file',
      [{ name: 'again.json', data: labelStudio([{ item: 't2', by: [{ who: source, label: 'pos' }] }]) }],
      { format: 'labelstudio', as: 'annotations' },
    );
    const c2 = await lead.client.post(`/api/projects/${projectId}/dataset-imports/${again.body.import.id}/confirm`, {
      annotators: { placeholders: [source] },
    });
    expect(c2.status, JSON.stringify(c2.body)).toBe(200);
    expect(
      (await admin.get('/api/users')).body.users.filter((u: { username: string }) => u.username === `imported:${source}`),
    ).toHaveLength(1);
    // Its annotations go out with it as their annotator (provenance).
    const e = await lead.client.post(`/api/projects/${side.projectId}/exports`, { format: 'jsonl', annotations: 'all' });
    expect(e.status, JSON.stringify(e.body)).toBe(201);
    await waitFor('the export', async () => {
      const r = (await lead.client.get(`/api/projects/${side.projectId}/exports/${e.body.export.id as string}`)).body.export;
      return r.status === 'complete' ? r : null;
    });
    const zip = await fetch(`${t.url}/api/projects/${side.projectId}/exports/${e.body.export.id as string}/download`, {
      headers: { cookie: lead.client.cookie },
    });
    expect(zip.status).toBe(200);
    const text = await unzipText(Buffer.from(await zip.arrayBuffer()));
    expect(text).toContain(`imported:${source}`);
  }, 90_000);

  it('puts imported annotations up for review by the project’s review policy, as submits are (here: sample everything)', async () => {
    const sampled = await textProject(lead.client, [alice.id, bob.id], { n: 2, overlap: 2, reviewPolicy: { sampleRate: 1 } });
    const up = await lead.client.upload(
      `/api/projects/${sampled.projectId}/dataset-imports`,
      'file',
      [
        {
          name: 'reviewed.json',
          data: labelStudio([
            { item: 't0', by: [{ who: 'x', label: 'pos' }] },
            { item: 't1', by: [{ who: 'x', label: 'neg' }] },
          ]),
        },
      ],
      { format: 'labelstudio', as: 'annotations' },
    );
    expect(up.status).toBe(201);
    const c = await lead.client.post(`/api/projects/${sampled.projectId}/dataset-imports/${up.body.import.id}/confirm`, {
      annotators: { default: alice.id },
    });
    expect(c.body.import.result).toMatchObject({ stored: 2, skipped: 0 });
    const counts = await waitFor('the imported annotations in the review queue', async () => {
      const r = (await lead.client.get(`/api/projects/${sampled.projectId}/review/counts`)).body;
      return r.pending === 2 ? r : null;
    });
    expect(counts).toMatchObject({ pending: 2, leased: 0 });
  }, 60_000);
});
