import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  defaultCertificationConfig,
  DEFAULT_COMPREHENSIVE_RUBRIC,
  DEFAULT_SPECIFICATION_RUBRIC,
  type CertificationConfig,
} from '@labelwork/core';
import type { ApiClient } from '../support/api-client.ts';
import { signedInUser, type TestUser } from '../support/project-setup.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';

/**
 * The parts graded by people (README "Certification"): the specification exercise and its grading
 * queue, and the comprehensive review by a panel. The levels' exams are cut down to these parts so a
 * pass promotes at once.
 */
const GUIDELINE = { slug: 'vehicles-pedestrians-bbox', version: '1.1' };
let t: TestApp;
let admin: ApiClient;
let leadA: TestUser;
let leadB: TestUser;
let leadC: TestUser;
let lowLead: TestUser;
let n = 0;

const person = (role: string, level: string) => signedInUser(admin, { name: `g${role}${++n}`, role, level });

function onlyPart(config: CertificationConfig, level: 'L3' | 'L2', part: 'specification' | 'comprehensive'): void {
  const l = config.levels[level];
  l.theory.enabled = l.practical.enabled = l.review.enabled = false;
  l.specification.enabled = part === 'specification';
  l.comprehensive.enabled = part === 'comprehensive';
}

/** A complete specification for the exercise's sample. */
function completeSpec(spec: { guideline: { labels: { name: string }[] }; sample: { id: string }[] }) {
  const ids = spec.sample.map((s) => s.id);
  const labels = spec.guideline.labels.map((l) => l.name);
  return {
    scope: 'Street scenes from a dash camera; every road user that is at least partly visible.',
    labels: labels.map((name) => ({ name, definition: `What counts as ${name}.`, excludes: 'reflections and posters' })),
    edgeCases: [1, 2, 3, 4].map((i) => ({ situation: `hard case ${i}`, rule: `decision ${i}`, itemIds: [ids[i % ids.length]!] })),
    examples: [0, 1, 2].map((i) => ({ itemId: ids[i]!, label: labels[i % labels.length]!, note: `shows rule ${i + 1}` })),
  };
}

const fullPoints = (rubric: { id: string; points: number }[], share = 1) =>
  Object.fromEntries(rubric.map((c) => [c.id, Math.round(c.points * share)]));

beforeAll(async () => {
  t = await startTestApp();
  admin = await t.admin();
  const config = defaultCertificationConfig();
  onlyPart(config, 'L3', 'specification');
  onlyPart(config, 'L2', 'comprehensive');
  config.levels.L2.comprehensive.minPanel = 2;
  expect((await admin.put('/api/certification/config', config)).status).toBe(200);
  leadA = await person('lead', 'L1');
  leadB = await person('lead', 'L1');
  leadC = await person('lead', 'L2');
  lowLead = await person('lead', 'L4');
});
afterAll(async () => {
  await t?.close();
});

describe('specification exercise and its grading queue', () => {
  it('is written, refused while incomplete, handed in, claimed by one of two racing leads, graded and promotes', async () => {
    const u = await person('annotator', 'L3');
    const me = (await u.client.get('/api/certification/me')).body;
    expect(me.parts).toEqual([expect.objectContaining({ part: 'specification', canStart: true, available: true })]);

    const started = await u.client.post('/api/certification/specifications', { guideline: GUIDELINE });
    expect(started.status).toBe(201);
    const spec = started.body.specification;
    expect(spec.sample).toHaveLength(6);
    expect(JSON.stringify(spec.sample)).not.toContain('"gold"');
    expect(spec.rubric.map((c: { id: string }) => c.id)).toEqual(DEFAULT_SPECIFICATION_RUBRIC.map((c) => c.id));

    // Leads see nothing while it is being written.
    expect((await leadA.client.get(`/api/certification/specifications/${spec.id}`)).status).toBe(404);
    expect((await leadA.client.post(`/api/certification/specifications/${spec.id}/claim`)).status).toBe(404);

    const incomplete = await u.client.post(`/api/certification/specifications/${spec.id}/submit`, {
      spec: { scope: 'x', labels: [], edgeCases: [], examples: [{ itemId: 'not-in-sample', label: 'car', note: 'n' }] },
    });
    expect(incomplete.status).toBe(400);
    expect(incomplete.body.error.code).toBe('SPECIFICATION_INCOMPLETE');
    const kinds = incomplete.body.error.details.problems.map((p: { kind: string }) => p.kind);
    expect(kinds).toEqual(expect.arrayContaining(['label-undefined', 'too-few-edge-cases', 'too-few-examples', 'item-not-in-sample']));

    const body = completeSpec(spec);
    expect((await u.client.put(`/api/certification/specifications/${spec.id}`, { spec: body })).status).toBe(200);
    const handed = await u.client.post(`/api/certification/specifications/${spec.id}/submit`, {});
    expect(handed.status).toBe(200);
    expect(handed.body.specification).toMatchObject({ status: 'awaiting', score: null, grade: null });
    expect((await u.client.post(`/api/certification/specifications/${spec.id}/submit`, {})).body.error.code).toBe('ATTEMPT_CLOSED');
    expect((await u.client.put(`/api/certification/specifications/${spec.id}`, { spec: body })).body.error.code).toBe('ATTEMPT_CLOSED');

    const queue = (await leadA.client.get('/api/certification/grading')).body;
    expect(queue.specifications).toEqual(expect.arrayContaining([expect.objectContaining({ id: spec.id, claimedBy: null })]));
    expect(queue.counts.specificationsOpen).toBeGreaterThanOrEqual(1);
    // A lead below the candidate's level is not an examiner: not in their queue, refused on claim.
    expect((await lowLead.client.get('/api/certification/grading')).body.specifications.map((s: { id: string }) => s.id)).not.toContain(
      spec.id,
    );
    const low = await lowLead.client.post(`/api/certification/specifications/${spec.id}/claim`);
    expect(low.status).toBe(403);
    expect(low.body.error).toMatchObject({ code: 'NOT_AN_EXAMINER', details: { reason: 'level' } });
    // The candidate is no lead; a trainee cannot reach the queue.
    expect((await u.client.post(`/api/certification/specifications/${spec.id}/claim`)).status).toBe(403);
    expect((await u.client.get('/api/certification/grading')).status).toBe(403);

    // Two leads claim at once: exactly one wins.
    const [a, b] = await Promise.all([
      leadA.client.post(`/api/certification/specifications/${spec.id}/claim`),
      leadB.client.post(`/api/certification/specifications/${spec.id}/claim`),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    const [winner, loser] = a.status === 200 ? [leadA, leadB] : [leadB, leadA];
    expect((a.status === 409 ? a : b).body.error.code).toBe('ALREADY_CLAIMED');
    expect((await loser.client.get('/api/certification/grading')).body.specifications).toEqual(
      expect.arrayContaining([expect.objectContaining({ id: spec.id, claimedByMe: false })]),
    );
    expect((await winner.client.post(`/api/certification/specifications/${spec.id}/claim`)).status).toBe(200);

    // The loser may not grade it; points must fit the rubric.
    const points = fullPoints(DEFAULT_SPECIFICATION_RUBRIC, 0.8);
    expect((await loser.client.post(`/api/certification/specifications/${spec.id}/grade`, { points, comment: 'x' })).status).toBe(403);
    const bad = await winner.client.post(`/api/certification/specifications/${spec.id}/grade`, {
      points: { ...points, definitions: 26 },
      comment: 'x',
    });
    expect(bad.status).toBe(400);

    const graded = await winner.client.post(`/api/certification/specifications/${spec.id}/grade`, {
      points,
      comments: { 'edge-cases': 'Rule 3 needs a decision for occluded cyclists.' },
      comment: 'Clear and usable.',
    });
    expect(graded.status).toBe(200);
    expect(graded.body.specification).toMatchObject({ status: 'graded', score: 80, passed: true });
    expect((await winner.client.post(`/api/certification/specifications/${spec.id}/grade`, { points, comment: 'again' })).status).toBe(409);

    const seen = (await u.client.get(`/api/certification/specifications/${spec.id}`)).body.specification;
    expect(seen.grade).toMatchObject({ comment: 'Clear and usable.', result: { total: 80, max: 100, score: 80 } });
    expect(seen.grade.comments['edge-cases']).toContain('occluded');
    const after = (await u.client.get('/api/certification/me')).body;
    expect(after.level).toBe('L2');
    expect(after.certificates[0]).toMatchObject({ level: 'L3', promotedTo: 'L2' });
    expect(after.certificates[0].examiners).toEqual([winner.id]);
    const printed = (await u.client.get(`/api/certification/certificates/${after.certificates[0].id}`)).body.certificate;
    expect(printed.examinerNames).toEqual([winner === leadA ? leadA.username : leadB.username]);
    expect((await leadA.client.get('/api/certification/grading')).body.specifications.map((s: { id: string }) => s.id)).not.toContain(
      spec.id,
    );
  });

  it('lets the claiming lead release an exercise back to the queue, and refuses a lead grading their own', async () => {
    const candidateLead = await person('lead', 'L3');
    const spec = (await candidateLead.client.post('/api/certification/specifications', { guideline: GUIDELINE })).body.specification;
    await candidateLead.client.post(`/api/certification/specifications/${spec.id}/submit`, { spec: completeSpec(spec) });
    const own = await candidateLead.client.post(`/api/certification/specifications/${spec.id}/claim`);
    expect(own.status).toBe(403);
    expect(own.body.error.details.reason).toBe('own-attempt');
    expect(
      (await candidateLead.client.get('/api/certification/grading')).body.specifications.map((s: { id: string }) => s.id),
    ).not.toContain(spec.id);
    expect((await leadA.client.post(`/api/certification/specifications/${spec.id}/claim`)).status).toBe(200);
    expect((await leadB.client.post(`/api/certification/specifications/${spec.id}/release`)).status).toBe(403);
    expect((await leadA.client.post(`/api/certification/specifications/${spec.id}/release`)).status).toBe(200);
    expect((await leadB.client.post(`/api/certification/specifications/${spec.id}/claim`)).status).toBe(200);
    const failed = await leadB.client.post(`/api/certification/specifications/${spec.id}/grade`, {
      points: fullPoints(DEFAULT_SPECIFICATION_RUBRIC, 0.4),
      comment: 'Edge cases are not decidable.',
    });
    expect(failed.body.specification).toMatchObject({ score: 40, passed: false });
    const me = (await candidateLead.client.get('/api/certification/me')).body;
    expect(me.level).toBe('L3');
    expect(me.parts[0]).toMatchObject({ part: 'specification', canStart: false, refusal: 'cooldown' });
  });
});

describe('comprehensive review by a panel', () => {
  it('convenes two leads, hides scores until both scored, decides by mean and floor, and promotes', async () => {
    const u = await person('annotator', 'L2');
    const portfolio = await u.client.post('/api/certification/panels', { statement: 'Two projects led; wrote the NER spec.', links: [] });
    expect(portfolio.status).toBe(201);
    const panel = portfolio.body.panel;
    expect(panel.stats).toMatchObject({ goldAnswers: 0, practiceAnswered: 0 });
    expect(panel.convened).toBe(false);
    expect((await u.client.post('/api/certification/panels', { statement: 'again' })).body.error).toMatchObject({
      code: 'EXAM_NOT_AVAILABLE',
      details: { reason: 'awaiting_grade' },
    });

    // The convening lead sees who is eligible: L1 leads (above L2), not the L2 lead or the candidate.
    const view = (await leadA.client.get(`/api/certification/panels/${panel.id}`)).body.panel;
    const eligible = view.eligible.map((e: { id: string }) => e.id);
    expect(eligible).toEqual(expect.arrayContaining([leadA.id, leadB.id]));
    expect(eligible).not.toContain(leadC.id);
    expect(eligible).not.toContain(u.id);

    const tooFew = await leadA.client.post(`/api/certification/panels/${panel.id}/convene`, { members: [leadB.id] });
    expect(tooFew.status).toBe(400);
    const wrong = await leadA.client.post(`/api/certification/panels/${panel.id}/convene`, { members: [leadB.id, leadC.id, u.id] });
    expect(wrong.status).toBe(403);
    expect(wrong.body.error.details.refused.map((r: { userId: string }) => r.userId).sort()).toEqual([leadC.id, u.id].sort());
    const convened = await leadA.client.post(`/api/certification/panels/${panel.id}/convene`, { members: [leadA.id, leadB.id] });
    expect(convened.status).toBe(200);
    expect(
      (await leadB.client.post(`/api/certification/panels/${panel.id}/convene`, { members: [leadA.id, leadB.id] })).body.error.code,
    ).toBe('ALREADY_CLAIMED');
    expect((await leadB.client.get('/api/certification/grading')).body.counts.panelsAwaitingMyScore).toBeGreaterThanOrEqual(1);

    // Not a member: cannot score.
    expect(
      (
        await leadC.client.post(`/api/certification/panels/${panel.id}/scores`, {
          points: fullPoints(DEFAULT_COMPREHENSIVE_RUBRIC),
          comment: 'c',
          defenseNote: 'd',
        })
      ).status,
    ).toBe(403);

    const first = await leadA.client.post(`/api/certification/panels/${panel.id}/scores`, {
      points: fullPoints(DEFAULT_COMPREHENSIVE_RUBRIC, 0.9),
      comment: 'Strong portfolio.',
      defenseNote: 'Explained the span boundary rule well.',
    });
    expect(first.status).toBe(201);
    expect(first.body.panel.myScore.result.score).toBe(90);
    expect(first.body.panel.scores).toBeNull();
    // Nobody sees A's score before B has scored: not B, not the candidate.
    const bView = JSON.stringify((await leadB.client.get(`/api/certification/panels/${panel.id}`)).body);
    expect(bView).not.toContain('Strong portfolio');
    const cView = (await u.client.get(`/api/certification/panels/${panel.id}`)).body.panel;
    expect(cView).toMatchObject({ scores: null, decision: null, myScore: null });
    expect(JSON.stringify(cView)).not.toContain('Strong portfolio');
    expect(
      (
        await leadA.client.post(`/api/certification/panels/${panel.id}/scores`, {
          points: fullPoints(DEFAULT_COMPREHENSIVE_RUBRIC),
          comment: 'again',
          defenseNote: 'again',
        })
      ).status,
    ).toBe(409);

    const second = await leadB.client.post(`/api/certification/panels/${panel.id}/scores`, {
      points: fullPoints(DEFAULT_COMPREHENSIVE_RUBRIC, 0.7),
      comment: 'Good.',
      defenseNote: 'Hesitant on model evaluation.',
    });
    expect(second.status).toBe(201);
    const outcome = (await u.client.get(`/api/certification/panels/${panel.id}`)).body.panel;
    expect(outcome.decision).toMatchObject({ complete: true, mean: 80, passed: true, rule: 'mean-and-floor' });
    expect(outcome.scores.map((s: { result: { score: number } }) => s.result.score).sort()).toEqual([70, 90]);
    const me = (await u.client.get('/api/certification/me')).body;
    expect(me.level).toBe('L1');
    expect(me.certificates[0].examiners.sort()).toEqual([leadA.id, leadB.id].sort());
  });

  it('fails a panel whose mean passes when one member scores under the floor', async () => {
    const u = await person('annotator', 'L2');
    const panel = (await u.client.post('/api/certification/panels', { statement: 'portfolio' })).body.panel;
    await leadB.client.post(`/api/certification/panels/${panel.id}/convene`, { members: [leadA.id, leadB.id] });
    await leadA.client.post(`/api/certification/panels/${panel.id}/scores`, {
      points: fullPoints(DEFAULT_COMPREHENSIVE_RUBRIC, 1),
      comment: 'a',
      defenseNote: 'a',
    });
    await leadB.client.post(`/api/certification/panels/${panel.id}/scores`, {
      points: fullPoints(DEFAULT_COMPREHENSIVE_RUBRIC, 0.3),
      comment: 'b',
      defenseNote: 'b',
    });
    const outcome = (await u.client.get(`/api/certification/panels/${panel.id}`)).body.panel;
    expect(outcome.decision).toMatchObject({ mean: 65, passed: false, reasons: ['member-below-floor'] });
    const me = (await u.client.get('/api/certification/me')).body;
    expect(me.level).toBe('L2');
    expect(me.parts[0]).toMatchObject({ part: 'comprehensive', best: 65, passed: false, canStart: false, refusal: 'cooldown' });
  });

  it("keeps the candidate's mentor off their panel and out of grading their specification", async () => {
    const u = await person('annotator', 'L2');
    expect((await admin.put(`/api/certification/mentoring/${u.id}/mentor`, { mentorId: leadB.id })).status).toBe(200);
    // The candidate mentors someone themselves: their portfolio counts it.
    const theirs = await person('trainee', 'L4');
    expect((await admin.put(`/api/certification/mentoring/${theirs.id}/mentor`, { mentorId: u.id })).status).toBe(200);
    const panel = (await u.client.post('/api/certification/panels', { statement: 'portfolio' })).body.panel;
    expect(panel.stats.mentored).toBe(1);
    const eligible = (await leadA.client.get(`/api/certification/panels/${panel.id}`)).body.panel.eligible.map((e: { id: string }) => e.id);
    expect(eligible).toContain(leadA.id);
    expect(eligible).not.toContain(leadB.id);
    const refused = await leadA.client.post(`/api/certification/panels/${panel.id}/convene`, { members: [leadA.id, leadB.id] });
    expect(refused.status).toBe(403);
    expect(refused.body.error.details.refused).toEqual([{ userId: leadB.id, reason: 'conflict' }]);
    expect((await leadB.client.get(`/api/certification/panels/${panel.id}`)).body.error).toMatchObject({
      code: 'NOT_AN_EXAMINER',
      details: { reason: 'conflict' },
    });
    const mentee = await person('annotator', 'L3');
    const spec = (await mentee.client.post('/api/certification/specifications', { guideline: GUIDELINE })).body.specification;
    expect((await admin.put(`/api/certification/mentoring/${mentee.id}/mentor`, { mentorId: leadA.id })).status).toBe(200);
    await mentee.client.post(`/api/certification/specifications/${spec.id}/submit`, { spec: completeSpec(spec) });
    const claim = await leadA.client.post(`/api/certification/specifications/${spec.id}/claim`);
    expect(claim.body.error).toMatchObject({ code: 'NOT_AN_EXAMINER', details: { reason: 'conflict' } });
    expect((await leadA.client.get('/api/certification/grading')).body.specifications.map((s: { id: string }) => s.id)).not.toContain(
      spec.id,
    );
    expect((await leadB.client.post(`/api/certification/specifications/${spec.id}/claim`)).status).toBe(200);
  });

  it('decides once when the last two members score at the same time', async () => {
    const u = await person('annotator', 'L2');
    const panel = (await u.client.post('/api/certification/panels', { statement: 'portfolio' })).body.panel;
    const third = await person('lead', 'L1');
    expect(
      (await third.client.post(`/api/certification/panels/${panel.id}/convene`, { members: [leadA.id, leadB.id, third.id] })).status,
    ).toBe(200);
    const score = (m: TestUser, share: number) =>
      m.client.post(`/api/certification/panels/${panel.id}/scores`, {
        points: fullPoints(DEFAULT_COMPREHENSIVE_RUBRIC, share),
        comment: 'c',
        defenseNote: 'd',
      });
    expect((await score(third, 0.6)).status).toBe(201);
    const [a, b] = await Promise.all([score(leadA, 0.8), score(leadB, 0.7)]);
    expect([a.status, b.status]).toEqual([201, 201]);
    const outcome = (await u.client.get(`/api/certification/panels/${panel.id}`)).body.panel;
    expect(outcome.decision).toMatchObject({ complete: true, mean: 70, passed: true });
    expect(outcome.scores).toHaveLength(3);
    const me = (await u.client.get('/api/certification/me')).body;
    expect(me.level).toBe('L1');
    expect(me.certificates).toHaveLength(1);
  });

  it('refuses a portfolio before the other parts of the level are passed', async () => {
    const config = (await admin.get('/api/certification/config')).body.config;
    config.levels.L2.theory.enabled = true;
    expect((await admin.put('/api/certification/config', config)).status).toBe(200);
    const u = await person('annotator', 'L2');
    const r = await u.client.post('/api/certification/panels', { statement: 'portfolio' });
    expect(r.body.error).toMatchObject({ code: 'EXAM_NOT_AVAILABLE', details: { reason: 'parts_pending' } });
    config.levels.L2.theory.enabled = false;
    await admin.put('/api/certification/config', config);
  });
});

describe('specification exercise past its deadline', () => {
  let clock = Date.UTC(2026, 11, 6, 9, 0, 0);
  let own: TestApp;
  afterAll(async () => {
    await own?.close();
  });

  it('is handed in as it stands, takes no more edits, and waits for a grader', async () => {
    own = await startTestApp({}, { now: () => clock });
    const ownAdmin = await own.admin();
    const config = defaultCertificationConfig();
    onlyPart(config, 'L3', 'specification');
    expect((await ownAdmin.put('/api/certification/config', config)).status).toBe(200);
    const u = await signedInUser(ownAdmin, { name: 'late-writer', role: 'annotator', level: 'L3' });
    const lead = await signedInUser(ownAdmin, { name: 'late-lead', role: 'lead', level: 'L1' });
    const spec = (await u.client.post('/api/certification/specifications', { guideline: GUIDELINE })).body.specification;
    const draft = { scope: 'half done', labels: [], edgeCases: [], examples: [] };
    expect((await u.client.put(`/api/certification/specifications/${spec.id}`, { spec: draft })).status).toBe(200);
    clock += 121 * 60_000;
    // Reading the Training page closes it: handed in, timed out, in the queue.
    const me = (await u.client.get('/api/certification/me')).body;
    expect(me.parts[0]).toMatchObject({ part: 'specification', canStart: false, refusal: 'awaiting_grade', openAttemptId: spec.id });
    const seen = (await u.client.get(`/api/certification/specifications/${spec.id}`)).body.specification;
    expect(seen).toMatchObject({ status: 'awaiting', timedOut: true, spec: { scope: 'half done' } });
    expect((await u.client.put(`/api/certification/specifications/${spec.id}`, { spec: draft })).body.error.code).toBe('ATTEMPT_CLOSED');
    expect((await u.client.post(`/api/certification/specifications/${spec.id}/submit`, {})).body.error.code).toBe('ATTEMPT_CLOSED');
    const queue = (await lead.client.get('/api/certification/grading')).body;
    expect(queue.specifications).toEqual([expect.objectContaining({ id: spec.id, timedOut: true })]);
    // The generic attempt routes do not serve a part graded by people.
    expect((await u.client.get(`/api/certification/attempts/${spec.id}`)).status).toBe(404);
  });
});
