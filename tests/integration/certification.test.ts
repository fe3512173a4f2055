import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PracticeSet, parseGuideline, questionRef, rightOptions, type Guideline, type Region } from '@labelwork/core';
import type { ApiClient, ApiResponse } from '../support/api-client.ts';
import { imageSchema } from '../support/fixtures.ts';
import { setUpProject, signedInUser, type TestUser } from '../support/project-setup.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SLUG = 'vehicles-pedestrians-bbox';
const VERSION = '1.1';
const GUIDELINE = { slug: SLUG, version: VERSION };

function guideline(): Guideline {
  const r = parseGuideline(readFileSync(path.join(root, 'guidelines', SLUG, `${VERSION}.md`), 'utf8'), `${SLUG}/${VERSION}.md`);
  if (!r.ok) throw new Error('guideline does not parse');
  return r.guideline;
}
const g = guideline();
const bank = new Map(g.quiz.map((q) => [questionRef(SLUG, VERSION, q.id), q]));
const set = PracticeSet.parse(JSON.parse(readFileSync(path.join(root, 'guidelines', SLUG, `practice-${VERSION}`, 'set.json'), 'utf8')));
const goldOf = new Map(set.items.map((it) => [it.id, it.gold]));

let clock = Date.UTC(2026, 11, 6, 9, 0, 0);
let t: TestApp;
let admin: ApiClient;
let lead: TestUser;
let n = 0;

const trainee = (level = 'L5') => signedInUser(admin, { name: `trainee${++n}`, role: 'trainee', level });
const start = (u: TestUser, part: 'theory' | 'practical' | 'review') =>
  u.client.post('/api/certification/attempts', { part, guideline: GUIDELINE });
const rightTheory = (refs: string[]) => Object.fromEntries(refs.map((ref) => [ref, rightOptions(bank.get(ref)!)]));

beforeAll(async () => {
  t = await startTestApp({}, { now: () => clock });
  admin = await t.admin();
  lead = await signedInUser(admin, { name: 'certlead', role: 'lead', level: 'L2' });
});
afterAll(async () => {
  await t?.close();
});

describe('certification: from L5 to L4', () => {
  it('passes the theory and practical exams, gets a certificate and can then work on an L4 project', async () => {
    const u = await trainee();
    const projectId = await setUpProject(lead.client, {
      name: 'needs L4',
      kind: 'image',
      labelSchema: imageSchema,
      minLevel: 'L4',
      members: [u.id],
    });
    expect((await u.client.post(`/api/projects/${projectId}/tasks/next`)).body.error.code).toBe('LEVEL_TOO_LOW');

    const me = (await u.client.get('/api/certification/me')).body;
    expect(me).toMatchObject({ level: 'L5', nextLevel: 'L4', ready: false });
    expect(me.parts.map((p: { part: string; canStart: boolean }) => [p.part, p.canStart])).toEqual([
      ['theory', true],
      ['practical', true],
    ]);
    expect(me.guidelines).toEqual(expect.arrayContaining([expect.objectContaining({ slug: SLUG, version: VERSION, quiz: 42 })]));

    const theory = (await start(u, 'theory')).body.attempt;
    expect(theory.questions).toHaveLength(20);
    const submitted = await u.client.post(`/api/certification/attempts/${theory.id}/submit`, {
      answers: rightTheory(theory.questions.map((q: { ref: string }) => q.ref)),
    });
    expect(submitted.status).toBe(200);
    expect(submitted.body.attempt).toMatchObject({ status: 'graded', score: 100, passed: true, passMark: 60 });
    expect(Object.keys(submitted.body.attempt.report.explanations)).toHaveLength(20);
    // Still L5 until the practical is passed too.
    expect((await u.client.get('/api/certification/me')).body.level).toBe('L5');

    const practical = (await start(u, 'practical')).body.attempt;
    expect(practical.items).toHaveLength(8);
    const answers = Object.fromEntries(practical.items.map((it: { id: string }) => [it.id, goldOf.get(it.id)]));
    const graded = (await u.client.post(`/api/certification/attempts/${practical.id}/submit`, { answers })).body.attempt;
    expect(graded).toMatchObject({ status: 'graded', score: 100, passed: true });
    expect(Object.keys(graded.report.gold)).toHaveLength(8);

    const after = (await u.client.get('/api/certification/me')).body;
    expect(after.level).toBe('L4');
    expect(after.certificates).toHaveLength(1);
    const cert = (await u.client.get(`/api/certification/certificates/${after.certificates[0].id}`)).body.certificate;
    expect(cert).toMatchObject({
      level: 'L5',
      promotedTo: 'L4',
      examiners: ['system'],
      guidelines: [GUIDELINE],
      holder: { username: u.username },
    });
    expect(cert.number).toMatch(/^LW-2026-L5-\d{6}$/);
    expect(cert.parts.map((p: { part: string; score: number }) => [p.part, p.score])).toEqual([
      ['theory', 100],
      ['practical', 100],
    ]);
    // The level gate now lets the trainee in.
    expect((await u.client.post(`/api/projects/${projectId}/tasks/next`)).body.error?.code).not.toBe('LEVEL_TOO_LOW');
    const audit = await t.app.ctx.db.audit.find({ targetId: u.id, action: { $in: ['user.promote', 'certificate.issue'] } }).toArray();
    expect(audit.map((a) => a.action).sort()).toEqual(['certificate.issue', 'user.promote']);
    // The lead sees it in the cohort view; a trainee may not look.
    const cohort = (await lead.client.get('/api/certification/trainees')).body.trainees;
    expect(cohort.find((x: { id: string }) => x.id === u.id)).toMatchObject({
      level: 'L4',
      certificates: [expect.objectContaining({ level: 'L5' })],
    });
    expect((await u.client.get('/api/certification/trainees')).status).toBe(403);
  });

  it('never sends quiz answers, explanations or gold before the attempt is submitted', async () => {
    const u = await trainee();
    const seen: ApiResponse[] = [];
    const call = async (p: Promise<ApiResponse>) => {
      const r = await p;
      seen.push(r);
      return r;
    };
    await call(u.client.get('/api/certification/me'));
    await call(u.client.get(`/api/certification/practice/${SLUG}/${VERSION}/items`));
    const theory = (await call(start(u, 'theory'))).body.attempt;
    await call(u.client.get(`/api/certification/attempts/${theory.id}?lang=en`));
    await call(u.client.put(`/api/certification/attempts/${theory.id}/answers`, { answers: { [theory.questions[0].ref]: [0] } }));
    const practical = (await call(start(u, 'practical'))).body.attempt;
    await call(u.client.get(`/api/certification/attempts/${practical.id}`));
    await call(u.client.get('/api/certification/me'));
    const keys = new Set<string>();
    const walk = (v: unknown): void => {
      if (Array.isArray(v)) v.forEach(walk);
      else if (v && typeof v === 'object') {
        for (const [k, x] of Object.entries(v)) {
          keys.add(k);
          walk(x);
        }
      }
    };
    const texts = seen.map((r) => JSON.stringify(r.body));
    for (const r of seen) walk(r.body);
    for (const k of ['answer', 'explanation', 'explanations', 'gold', 'report', 'result']) expect(keys.has(k), k).toBe(false);
    // No explanation text of a drawn question, in either language, and no gold box of a drawn item.
    for (const q of theory.questions as { ref: string }[]) {
      const ex = bank.get(q.ref)!.explanation;
      for (const s of texts) for (const lang of ['zh-CN', 'en'] as const) expect(s.includes(ex[lang]!)).toBe(false);
    }
    for (const it of practical.items as { id: string }[]) {
      for (const box of goldOf.get(it.id) as Extract<Region, { type: 'bbox' }>[])
        for (const s of texts) expect(s.includes(`"x":${box.x},"y":${box.y}`)).toBe(false);
    }
    // Exam items are not practice items, and their images are only for their attempt.
    const practiceIds = new Set((seen[1]!.body.items as { id: string }[]).map((i) => i.id));
    for (const it of practical.items as { id: string }[]) expect(practiceIds.has(it.id)).toBe(false);
    expect((await u.client.get(`/api/certification/practice/${SLUG}/${VERSION}/items/${practical.items[0].id}/image`)).status).toBe(404);
    expect((await u.client.get(`/api/certification/attempts/${practical.id}/items/${practical.items[0].id}/image`)).status).toBe(200);
    const other = await trainee();
    expect((await other.client.get(`/api/certification/attempts/${practical.id}`)).status).toBe(404);
    expect((await other.client.get(`/api/certification/attempts/${practical.id}/items/${practical.items[0].id}/image`)).status).toBe(404);
  });
});

describe('certification: from L4 to L3 with the review exercise', () => {
  it('flags the planted errors, passes the review exercise with theory and practical, and is promoted to L3', async () => {
    const u = await trainee('L4');
    const me = (await u.client.get('/api/certification/me')).body;
    expect(me.parts.map((p: { part: string }) => p.part)).toEqual(['theory', 'practical', 'review']);
    const review = (await start(u, 'review')).body.attempt;
    expect(review.items).toHaveLength(8);
    expect(JSON.stringify(review)).not.toMatch(/planted|"gold"/);
    // A careful reviewer compares each item with the guideline (here: the gold file) and flags what differs.
    const same = (a: Region, b: Region) => JSON.stringify({ ...a, id: '' }) === JSON.stringify({ ...b, id: '' });
    const flags: Record<string, string[]> = {};
    for (const it of review.items as { id: string }[]) {
      const shown = review.shown[it.id] as Region[];
      const gold = goldOf.get(it.id)!;
      const wrong = shown.filter((r) => !gold.some((g) => same(g, r))).map((r) => r.id);
      flags[it.id] = shown.length < gold.length ? [...wrong, 'missing'] : wrong;
    }
    const graded = (await u.client.post(`/api/certification/attempts/${review.id}/submit`, { answers: flags })).body.attempt;
    expect(graded).toMatchObject({ part: 'review', score: 100, passed: true });
    expect(graded.report.found.every((f: { found: boolean }) => f.found)).toBe(true);
    // Flagging everything instead costs precision: a second candidate.
    const v = await trainee('L4');
    const r2 = (await start(v, 'review')).body.attempt;
    const all = Object.fromEntries(
      (r2.items as { id: string }[]).map((it) => [it.id, [...(r2.shown[it.id] as Region[]).map((r) => r.id), 'missing']]),
    );
    const sloppy = (await v.client.post(`/api/certification/attempts/${r2.id}/submit`, { answers: all })).body.attempt;
    expect(sloppy.report.recall).toBe(1);
    expect(sloppy.report.precision).toBeLessThan(0.5);

    const theory = (await start(u, 'theory')).body.attempt;
    await u.client.post(`/api/certification/attempts/${theory.id}/submit`, {
      answers: rightTheory(theory.questions.map((q: { ref: string }) => q.ref)),
    });
    const practical = (await start(u, 'practical')).body.attempt;
    const answers = Object.fromEntries(practical.items.map((it: { id: string }) => [it.id, goldOf.get(it.id)]));
    await u.client.post(`/api/certification/attempts/${practical.id}/submit`, { answers });
    const after = (await u.client.get('/api/certification/me')).body;
    expect(after.level).toBe('L3');
    expect(after.certificates[0]).toMatchObject({ level: 'L4', promotedTo: 'L3' });
    expect(after.certificates[0].parts.map((p: { part: string }) => p.part)).toEqual(['theory', 'practical', 'review']);
  });
});

describe('certification: attempt rules', () => {
  it('refuses a retake before the cooldown, says when, and allows it after', async () => {
    const u = await trainee();
    const a = (await start(u, 'theory')).body.attempt;
    const failed = (await u.client.post(`/api/certification/attempts/${a.id}/submit`, { answers: {} })).body.attempt;
    expect(failed).toMatchObject({ score: 0, passed: false });
    const again = await start(u, 'theory');
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('RETAKE_TOO_EARLY');
    expect(again.body.error.details.earliest).toBe(new Date(clock + 24 * 3_600_000).toISOString());
    const me = (await u.client.get('/api/certification/me')).body;
    expect(me.parts[0]).toMatchObject({
      part: 'theory',
      canStart: false,
      refusal: 'cooldown',
      earliest: again.body.error.details.earliest,
    });
    // The other part is not held back.
    expect((await start(u, 'practical')).status).toBe(201);
    clock += 24 * 3_600_000;
    const retake = await start(u, 'theory');
    expect(retake.status).toBe(201);
    // A new draw: not the same paper in the same order.
    expect(retake.body.attempt.questions.map((q: { ref: string }) => q.ref)).not.toEqual(a.questions.map((q: { ref: string }) => q.ref));
  });

  it('starts one attempt when several starts race, and grades one of several racing submits', async () => {
    const u = await trainee();
    const starts = await Promise.all(Array.from({ length: 5 }, () => start(u, 'theory')));
    expect(starts.filter((r) => r.status === 201)).toHaveLength(1);
    for (const r of starts.filter((x) => x.status !== 201)) expect(r.body.error.code).toBe('EXAM_NOT_AVAILABLE');
    const id = starts.find((r) => r.status === 201)!.body.attempt.id;
    const submits = await Promise.all(Array.from({ length: 4 }, () => u.client.post(`/api/certification/attempts/${id}/submit`, {})));
    expect(submits.filter((r) => r.status === 200)).toHaveLength(1);
    for (const r of submits.filter((x) => x.status !== 200)) expect(r.body.error.code).toBe('ATTEMPT_CLOSED');
    expect(
      await t.app.ctx.db.certAttempts.countDocuments({ userId: (await t.app.ctx.db.users.findOne({ username: u.username }))!._id }),
    ).toBe(1);
  });

  it('grades a timed-out attempt as it stands and takes no more answers', async () => {
    const u = await trainee();
    const a = (await start(u, 'theory')).body.attempt;
    const refs = (a.questions as { ref: string }[]).map((q) => q.ref);
    // Half the paper answered right and saved; then the time runs out.
    const saved = await u.client.put(`/api/certification/attempts/${a.id}/answers`, { answers: rightTheory(refs.slice(0, 10)) });
    expect(saved.status).toBe(200);
    expect((await u.client.put(`/api/certification/attempts/${a.id}/answers`, { answers: { 'no-such#q': [0] } })).status).toBe(400);
    clock += 31 * 60_000;
    const late = await u.client.put(`/api/certification/attempts/${a.id}/answers`, { answers: rightTheory(refs) });
    expect(late.body.error.code).toBe('ATTEMPT_CLOSED');
    const got = (await u.client.get(`/api/certification/attempts/${a.id}`)).body.attempt;
    expect(got).toMatchObject({ status: 'graded', timedOut: true, score: 50, passed: false });
    expect((await u.client.post(`/api/certification/attempts/${a.id}/submit`, { answers: rightTheory(refs) })).body.error.code).toBe(
      'ATTEMPT_CLOSED',
    );
  });

  it('takes points off a practical submitted over time', async () => {
    const u = await trainee();
    const a = (await start(u, 'practical')).body.attempt;
    clock += 33 * 60_000 + 1000; // 3 minutes and a bit over the 30-minute limit
    const answers = Object.fromEntries(a.items.map((it: { id: string }) => [it.id, goldOf.get(it.id)]));
    const graded = (await u.client.post(`/api/certification/attempts/${a.id}/submit`, { answers })).body.attempt;
    expect(graded).toMatchObject({ score: 96, timedOut: false });
    expect(graded.report.time).toEqual({ overMinutes: 4, penalty: 4, stopped: false });
  });
});

describe('certification: practice', () => {
  it('shows the work beside the gold; only the first answer to an item counts', async () => {
    const u = await trainee();
    const list = (await u.client.get(`/api/certification/practice/${SLUG}/${VERSION}/items`)).body;
    expect(list.items).toHaveLength(16);
    const item = list.items.find((i: { id: string }) => i.id === 'street-09')!;
    const gold = goldOf.get(item.id)!;
    // street-09: a person walking a bike (hard case 1). Label the person as a rider.
    const wrong = gold.map((r) => (r.label === 'pedestrian' ? { ...r, id: 'mine', label: 'rider' } : { ...r, id: `m-${r.id}` }));
    const first = await u.client.post(`/api/certification/practice/${SLUG}/${VERSION}/items/${item.id}/answers?lang=en`, {
      regions: wrong,
      timeMs: 4200,
    });
    expect(first.status).toBe(201);
    expect(first.body.counted).toBe(true);
    expect(first.body.feedback.regions.map((r: { verdict: string }) => r.verdict).sort()).toEqual(['matched', 'wrong-label']);
    expect(first.body.gold).toEqual(gold);
    expect(first.body.hardCase.title).toMatch(/^Hard case 1/);
    const second = await u.client.post(`/api/certification/practice/${SLUG}/${VERSION}/items/${item.id}/answers`, { regions: gold });
    expect(second.body).toMatchObject({ counted: false, feedback: { score: 1 } });
    const again = (await u.client.get(`/api/certification/practice/${SLUG}/${VERSION}/items`)).body.items.find(
      (i: { id: string }) => i.id === item.id,
    );
    expect(again.firstScore).toBeCloseTo(first.body.feedback.score);
    const me = (await u.client.get('/api/certification/me')).body;
    expect(me.practice).toMatchObject({ answered: 1, meanTimeMs: 4200, weakLabels: ['pedestrian', 'rider'] });
    expect((await u.client.get(`/api/certification/practice/${SLUG}/${VERSION}/items/${item.id}/image`)).headers.get('content-type')).toBe(
      'image/png',
    );
  });

  it('lets only admins change the level configuration, checked whole', async () => {
    const cfg = (await lead.client.get('/api/certification/config')).body.config;
    expect((await lead.client.put('/api/certification/config', cfg)).status).toBe(403);
    const bad = await admin.put('/api/certification/config', {
      ...cfg,
      levels: { ...cfg.levels, L5: { ...cfg.levels.L5, cooldownHours: -1 } },
    });
    expect(bad.status).toBe(400);
    const changed = { ...cfg, levels: { ...cfg.levels, L3: { ...cfg.levels.L3, cooldownHours: 48 } } };
    expect((await admin.put('/api/certification/config', changed)).body.config.levels.L3.cooldownHours).toBe(48);
    expect((await lead.client.get('/api/certification/config')).body.config.levels.L3.cooldownHours).toBe(48);
  });
});
