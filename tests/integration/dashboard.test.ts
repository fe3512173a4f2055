import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningWorkers } from '../../workers/src/app.ts';
import type { ApiClient } from '../support/api-client.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';
import { signedInUser } from '../support/project-setup.ts';
import { answer, sid, startTestWorkers, textProject, waitFor, type TestUser } from '../support/tasks.ts';

let t: TestApp;
let workers: RunningWorkers;
let admin: ApiClient;
let lead: TestUser;
let annos: TestUser[];
let reviewer: TestUser;
let projectId = '';

const user = (username: string, role: string, level: string, reviewer = false) =>
  signedInUser(admin, { name: username, role, level, reviewer, lang: 'zh-CN' });

/** Annotates until the queue has nothing for this user; answers alternate so agreement is not perfect. */
async function annotateAll(u: TestUser, offset: number): Promise<number> {
  let n = 0;
  for (;;) {
    const next = await u.client.post(`/api/projects/${projectId}/tasks/next`);
    if (next.status !== 200) return n;
    const isGold = next.body.task.item.text.startsWith('gold');
    const body = isGold ? { regions: [{ id: 'c', type: 'class', label: offset === 2 ? 'neg' : 'pos' }] } : answer(n + offset);
    const s = await u.client.post(`/api/tasks/${next.body.task.leaseId}/submit`, {
      submissionId: sid(),
      durationMs: 1000 * (offset + 1),
      ...body,
    });
    if (s.status !== 201) throw new Error(JSON.stringify(s.body));
    n++;
  }
}

beforeAll(async () => {
  t = await startTestApp();
  workers = await startTestWorkers(t);
  admin = await t.admin();
  lead = await user('lead', 'lead', 'L2');
  annos = [await user('张三', 'annotator', 'L4'), await user('li4', 'annotator', 'L4'), await user('wang5', 'annotator', 'L4')];
  reviewer = await user('rev', 'annotator', 'L1', true);
  ({ projectId } = await textProject(
    lead.client,
    [...annos, reviewer].map((u) => u.id),
    { n: 6, overlap: 2, gold: 1, goldRate: 0.2, reviewPolicy: { sampleRate: 1 } },
  ));
  await Promise.all(annos.map((u, i) => annotateAll(u, i)));
  // Project agreement is debounced: wait for a run that saw all six items.
  await waitFor(
    'project agreement over all items',
    async () => {
      const d = (await lead.client.get(`/api/projects/${projectId}/dashboard`)).body;
      return d.progress?.done === 6 && d.pairs.reduce((s: number, p: { items: number }) => s + p.items, 0) === 6;
    },
    // A wait, not a timing claim: on a busy 2-core machine the debounced run can take a while.
    60_000,
  );
  // Two verdicts on 张三's work: one reject, one accept.
  for (const verdict of ['reject', 'accept']) {
    for (;;) {
      const task = (await reviewer.client.post(`/api/projects/${projectId}/review/next`)).body.task;
      if (task.annotatorId !== annos[0]!.id) {
        await reviewer.client.post(`/api/projects/${projectId}/review/tasks/${task.taskId}/verdict`, {
          token: task.token,
          verdict: 'accept',
        });
        continue;
      }
      const r = await reviewer.client.post(`/api/projects/${projectId}/review/tasks/${task.taskId}/verdict`, {
        token: task.token,
        verdict,
        comments: [{ anchor: { kind: 'item' }, text: '再看看' }],
      });
      if (r.status !== 201) throw new Error(JSON.stringify(r.body));
      break;
    }
  }
});
afterAll(async () => {
  await workers?.close(1000);
  await t?.close();
});

describe('lead dashboard', () => {
  it('reports progress, throughput and a forecast', async () => {
    const d = (await lead.client.get(`/api/projects/${projectId}/dashboard`)).body;
    expect(d.progress).toMatchObject({ items: 6, done: 6, submitted: 12, tasksTotal: 12 });
    expect(d.progress.forecast).toMatchObject({ remaining: 0, etaHours: 0 });
    // 48 hours and 30 days back from now, on bucket boundaries (the current bucket is partial).
    expect([48, 49]).toContain(d.throughput.hourly.length);
    expect([30, 31]).toContain(d.throughput.daily.length);
    expect(d.throughput.hourly.reduce((s: number, b: { count: number }) => s + b.count, 0)).toBe(12);
  });

  it('reports agreement per label type with an interval, its series, pairs and label confusion', async () => {
    const d = (await lead.client.get(`/api/projects/${projectId}/dashboard`)).body;
    const cls = d.agreement.byTool['class-single'];
    expect(cls.ci.n).toBe(6);
    expect(cls.ci.mean).toBeGreaterThanOrEqual(0);
    expect(cls.ci.low).toBeLessThanOrEqual(cls.ci.mean);
    expect(cls.ci.high).toBeGreaterThanOrEqual(cls.ci.mean);
    expect(d.agreement.series.at(-1).byTool).toHaveProperty('class-single');
    expect(d.pairs.length).toBeGreaterThan(0);
    expect(d.pairs.reduce((s: number, p: { items: number }) => s + p.items, 0)).toBe(6);
    const totalBetween = Object.values(d.confusion.between as Record<string, Record<string, number>>)
      .flatMap((r) => Object.values(r))
      .reduce((s, v) => s + v, 0);
    expect(totalBetween).toBe(12);
    // The per-annotator matrices against consensus add up to the summed one.
    const sum = (m: Record<string, Record<string, number>>) =>
      Object.values(m)
        .flatMap((r) => Object.values(r))
        .reduce((s, v) => s + v, 0);
    const by = d.confusion.vsConsensusBy as Record<string, Record<string, Record<string, number>>>;
    expect(Object.keys(by).every((id) => annos.some((u) => u.id === id))).toBe(true);
    expect(Object.values(by).reduce((s, m) => s + sum(m), 0)).toBe(sum(d.confusion.vsConsensus));
  });

  it('has per-annotator gold accuracy, rejection rate and time per item; review totals', async () => {
    const d = (await lead.client.get(`/api/projects/${projectId}/dashboard`)).body;
    const z = d.annotators.find((a: { username: string }) => a.username === '张三');
    expect(z).toMatchObject({ reviewed: 2, rejected: 1, rejectionRate: 0.5, secondsPerItem: 1 });
    const withGold = d.annotators.filter((a: { goldN: number }) => a.goldN > 0);
    for (const a of withGold) expect(a.goldAccuracy).toBe(a.username === 'wang5' ? 0 : 1);
    expect(d.review).toMatchObject({ rejected: 1 });
    expect(d.review.accepted).toBeGreaterThanOrEqual(1);
    expect(d.review.counts.rework).toBe(1);
  });

  it("exports the annotator table as CSV in the lead's language, and shows one annotator's history", async () => {
    const r = await lead.client.get(`/api/projects/${projectId}/dashboard/annotators.csv`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/text\/csv/);
    const lines = (r.body as string)
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    expect(lines[0]).toBe('标注员,已提交,每条用时(秒),金标准确率,金标条数,已审核,被驳回,驳回率,与他人一致性');
    expect(lines.some((l) => l.startsWith('张三,'))).toBe(true);
    const en = (await lead.client.get(`/api/projects/${projectId}/dashboard/annotators.csv?lang=en`)).body as string;
    expect(en).toContain('annotator,submitted');
    const h = (await lead.client.get(`/api/projects/${projectId}/dashboard/annotators/${annos[0]!.id}`)).body;
    expect(h.username).toBe('张三');
    expect(h.items.length).toBe(h.figures.submitted);
    expect(h.items.flatMap((i: { verdicts: string[] }) => i.verdicts).sort()).toEqual(['accept', 'reject']);
    // Newest first, each with the item's number and its external id (text imports) as name.
    const times = h.items.map((i: { at: string }) => Date.parse(i.at));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    for (const i of h.items) expect(i).toMatchObject({ seq: expect.any(Number), name: expect.stringMatching(/^[tg]\d$/) });
  });

  it('is for leads of the project only', async () => {
    expect((await annos[0]!.client.get(`/api/projects/${projectId}/dashboard`)).status).toBe(403);
    expect((await reviewer.client.get(`/api/projects/${projectId}/dashboard/annotators.csv`)).status).toBe(403);
  });
});
