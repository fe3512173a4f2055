import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultCertificationConfig, parseGuideline, questionRef, rightOptions, type Guideline } from '@labelwork/core';
import type { ApiClient } from '../support/api-client.ts';
import { signedInUser, type TestUser } from '../support/project-setup.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';

/** Issue #14: leads edit the exam banks in the UI; attempts keep the questions they drew. */
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SLUG = 'vehicles-pedestrians-bbox';
const VERSION = '1.1';
const BASE = `/api/certification/questions/${SLUG}/${VERSION}`;

function guideline(): Guideline {
  const r = parseGuideline(readFileSync(path.join(root, 'guidelines', SLUG, `${VERSION}.md`), 'utf8'), `${SLUG}/${VERSION}.md`);
  if (!r.ok) throw new Error('guideline does not parse');
  return r.guideline;
}
const g = guideline();

let t: TestApp;
let admin: ApiClient;
let lead: TestUser;
let n = 0;
const trainee = () => signedInUser(admin, { name: `qtrainee${++n}`, role: 'trainee', level: 'L5' });
const startTheory = (u: TestUser) =>
  u.client.post('/api/certification/attempts', { part: 'theory', guideline: { slug: SLUG, version: VERSION } });

const newQuestion = (stem: string, extra: Record<string, unknown> = {}) => ({
  type: 'single',
  question: { 'zh-CN': `${stem}（中文）`, en: stem },
  options: [
    { 'zh-CN': '甲', en: 'first' },
    { 'zh-CN': '乙', en: 'second' },
    { 'zh-CN': '丙', en: 'third' },
  ],
  answer: [1],
  explanation: { 'zh-CN': `解析：${stem}`, en: `Because: ${stem}` },
  topic: 'truncation',
  difficulty: 2,
  ...extra,
});

beforeAll(async () => {
  t = await startTestApp();
  admin = await t.admin();
  lead = await signedInUser(admin, { name: 'qlead', role: 'lead', level: 'L2' });
});

/** An L5 paper of `questions` questions of one type only (the other levels keep the defaults). */
async function l5Paper(type: 'true-false' | 'single', questions: number): Promise<void> {
  const config = defaultCertificationConfig();
  config.levels.L5.theory.questions = questions;
  config.levels.L5.theory.mix = { 'true-false': type === 'true-false' ? 1 : 0, single: type === 'single' ? 1 : 0, multiple: 0 };
  expect((await admin.put('/api/certification/config', config)).status).toBe(200);
}
afterAll(async () => {
  await t?.close();
});

describe('exam banks edited by leads', () => {
  it('lists the bank seeded from the guideline file, filtered by type, topic and status; trainees may not', async () => {
    const all = (await lead.client.get(BASE)).body;
    expect(all.questions).toHaveLength(g.quiz.length);
    expect(all.active).toEqual({ 'true-false': 14, single: 23, multiple: 5 });
    expect(all.topics).toContain('pedestrian');
    expect(all.needs.find((x: { level: string }) => x.level === 'L1').needs).toEqual({ 'true-false': 9, single: 16, multiple: 15 });
    const multiple = (await lead.client.get(`${BASE}?type=multiple`)).body.questions;
    expect(multiple).toHaveLength(5);
    expect(multiple.every((q: { type: string; answer: number[] }) => q.type === 'multiple' && q.answer.length >= 1)).toBe(true);
    const ped = (await lead.client.get(`${BASE}?topic=pedestrian`)).body.questions;
    expect(ped.length).toBeGreaterThan(0);
    expect(ped.every((q: { topic: string }) => q.topic === 'pedestrian')).toBe(true);
    expect((await lead.client.get(`${BASE}?status=retired`)).body.questions).toEqual([]);
    expect((await lead.client.get(`${BASE}?type=essay`)).status).toBe(400);
    const u = await trainee();
    expect((await u.client.get(BASE)).status).toBe(403);
    expect((await u.client.post(BASE, newQuestion('May a trainee write questions?'))).status).toBe(403);
    expect((await lead.client.get('/api/certification/questions/no-such/1.0')).status).toBe(404);
  });

  it('refuses a question without both languages, enough options, a right answer that exists, or with a duplicate stem', async () => {
    const reasons = async (body: unknown) => {
      const r = await lead.client.post(BASE, body);
      expect(r.status).toBe(400);
      expect(r.body.error.code).toBe('VALIDATION_FAILED');
      return (r.body.error.details as { path: string; reason: string }[]).map((d) => `${d.path}:${d.reason}`);
    };
    expect(await reasons(newQuestion('Only one language', { question: { en: 'Only one language' } }))).toContain(
      'question.zh-CN:missing_language_text',
    );
    expect(await reasons(newQuestion('One option', { options: [{ 'zh-CN': '甲', en: 'first' }], answer: [0] }))).toEqual([
      expect.stringMatching(/^options:/),
    ]);
    expect(await reasons(newQuestion('Answer out of range', { answer: [3] }))).toContain('answer[0]:answer_out_of_range');
    expect(await reasons(newQuestion('No answer', { answer: [] }))).toEqual([expect.stringMatching(/^answer:/)]);
    expect(await reasons(newQuestion('Two answers for single', { answer: [0, 1] }))).toContain('type:quiz_type_mismatch');
    const file = g.quiz[0]!;
    expect(await reasons(newQuestion(`  ${file.question.en!.toUpperCase()}  `))).toContain('question.en:duplicate_question');
    expect(await reasons(newQuestion('Which go in a box? (Select all that apply)', { type: 'multiple', answer: [0, 1] }))).toContain(
      'question.en:quiz_type_hint',
    );
  });

  it('creates and edits questions; an attempt already started keeps the version it drew, the next one draws the edit', async () => {
    const created = await lead.client.post(BASE, newQuestion('Is a car cut by the image edge boxed to the edge?'));
    expect(created.status).toBe(201);
    const q = created.body.question;
    expect(q).toMatchObject({ version: 1, status: 'active', source: 'ui', type: 'single', answer: [1], topic: 'truncation' });
    const ref = questionRef(SLUG, VERSION, q.id);

    // 23 single-choice questions in the file and this one: a paper of 24 single-choice questions holds it.
    await l5Paper('single', 24);
    const first = await trainee();
    const before = (await startTheory(first)).body.attempt;
    const drawn = before.questions.find((x: { ref: string }) => x.ref === ref);
    expect(drawn.question).toBe('Is a car cut by the image edge boxed to the edge?（中文）');
    expect(before.questions).toHaveLength(24);

    const edit = { ...newQuestion('Is a truncated car boxed up to the image edge?'), answer: [2], version: 1 };
    const edited = await lead.client.put(`${BASE}/${q.id}`, edit);
    expect(edited.status).toBe(200);
    expect(edited.body.question).toMatchObject({ version: 2, answer: [2] });
    // A second save from the version already replaced is refused.
    expect((await lead.client.put(`${BASE}/${q.id}`, { ...edit, version: 1 })).body.error.code).toBe('VERSION_CONFLICT');

    // The running attempt still shows and grades the question as drawn.
    const again = (await first.client.get(`/api/certification/attempts/${before.id}?lang=zh-CN`)).body.attempt;
    expect(again.questions.find((x: { ref: string }) => x.ref === ref).question).toBe(
      'Is a car cut by the image edge boxed to the edge?（中文）',
    );
    const graded = (await first.client.post(`/api/certification/attempts/${before.id}/submit`, { answers: { [ref]: [1] } })).body.attempt;
    expect(graded.report.questions.find((x: { ref: string }) => x.ref === ref)).toMatchObject({ answer: [1], credit: 1 });
    expect(graded.report.explanations[ref]).toBe('解析：Is a car cut by the image edge boxed to the edge?');

    const second = await trainee();
    const after = (await startTheory(second)).body.attempt;
    expect(after.questions.find((x: { ref: string }) => x.ref === ref).question).toBe(
      'Is a truncated car boxed up to the image edge?（中文）',
    );
    // Nothing of the answers reaches the candidate while the attempt runs.
    const body = JSON.stringify(after);
    for (const k of ['"answer"', '"explanation"', '"topic"', '"difficulty"']) expect(body.includes(k), k).toBe(false);

    // Every change is audited with who, when, before and after.
    const audit = await t.app.ctx.db.audit.find({ targetType: 'question', targetId: ref }).sort({ at: 1 }).toArray();
    expect(audit.map((a) => a.action)).toEqual(['certification.question.create', 'certification.question.update']);
    expect(audit[1]!.actorId?.toHexString()).toBe(lead.id);
    expect(audit[1]!.details).toMatchObject({
      before: { answer: [1], question: { en: 'Is a car cut by the image edge boxed to the edge?' } },
      after: { answer: [2], question: { en: 'Is a truncated car boxed up to the image edge?' } },
    });
    const history = (await lead.client.get(`${BASE}/${q.id}/history`)).body.versions;
    expect(history.map((v: { version: number; by: string }) => [v.version, v.by])).toEqual([
      [1, 'qlead'],
      [2, 'qlead'],
    ]);
  });

  it('retires a question: no longer drawn, an old attempt still renders it; retiring what a level needs is refused', async () => {
    // Papers of 13 of the 14 true/false questions: after one is retired, the next paper is the 13 others.
    await l5Paper('true-false', 13);
    const old = await trainee();
    const oldAttempt = (await startTheory(old)).body.attempt;
    const ref = oldAttempt.questions[0].ref as string;
    const tf = g.quiz.find((q) => questionRef(SLUG, VERSION, q.id) === ref)!;
    await old.client.post(`/api/certification/attempts/${oldAttempt.id}/submit`, { answers: { [ref]: rightOptions(tf) } });

    const cur = (await lead.client.get(`${BASE}?type=true-false`)).body.questions.find((q: { id: string }) => q.id === tf.id);
    expect((await lead.client.post(`${BASE}/${tf.id}/retire`, { version: cur.version + 1 })).body.error.code).toBe('VERSION_CONFLICT');
    const retired = await lead.client.post(`${BASE}/${tf.id}/retire`, { version: cur.version });
    expect(retired.status).toBe(200);
    expect(retired.body.question.status).toBe('retired');
    expect((await lead.client.get(`${BASE}?status=retired`)).body.questions.map((q: { id: string }) => q.id)).toEqual([tf.id]);

    const next = (await startTheory(await trainee())).body.attempt;
    expect(next.questions.some((q: { ref: string }) => q.ref === ref)).toBe(false);
    const shown = (await old.client.get(`/api/certification/attempts/${oldAttempt.id}?lang=en`)).body.attempt;
    expect(shown.questions.find((q: { ref: string }) => q.ref === ref).question).toBe(tf.question.en);
    expect(shown.report.explanations[ref]).toBe(tf.explanation.en);

    // The bank has 5 multiple-choice questions and the L1 paper takes 15: none of them may go.
    const multiple = (await lead.client.get(`${BASE}?type=multiple`)).body.questions[0];
    const refused = await lead.client.post(`${BASE}/${multiple.id}/retire`, { version: multiple.version });
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatchObject({ code: 'QUESTION_NEEDED', details: { level: 'L1', type: 'multiple', needed: 15, left: 4 } });
    // Nor may a multiple-choice question become a single-choice one.
    const { question, options, explanation, topic, difficulty, version } = multiple;
    const retype = await lead.client.put(`${BASE}/${multiple.id}`, {
      version,
      type: 'single',
      question,
      options,
      answer: [multiple.answer[0]],
      explanation,
      topic,
      difficulty,
    });
    expect(retype.body.error.code).toBe('QUESTION_NEEDED');

    const restored = await lead.client.post(`${BASE}/${tf.id}/restore`, { version: retired.body.question.version });
    expect(restored.body.question).toMatchObject({ status: 'active', version: retired.body.question.version + 1 });
    const actions = (await t.app.ctx.db.audit.find({ targetType: 'question', targetId: ref }).toArray()).map((a) => a.action);
    expect(actions).toEqual(['certification.question.retire', 'certification.question.restore']);
  });

  it('lets exactly one of two retirements racing for the last spare question through', async () => {
    // 14 active true/false questions and an L5 paper of 13 of them: one may go, not two.
    await l5Paper('true-false', 13);
    const [a, b] = (
      (await lead.client.get(`${BASE}?type=true-false&status=active`)).body.questions as { id: string; version: number }[]
    ).slice(-2);
    const [ra, rb] = await Promise.all([a!, b!].map((q) => lead.client.post(`${BASE}/${q.id}/retire`, { version: q.version })));
    expect([ra!.status, rb!.status].sort()).toEqual([200, 409]);
    expect([ra, rb].find((r) => r!.status === 409)!.body.error.code).toBe('QUESTION_NEEDED');
    expect((await lead.client.get(BASE)).body.active['true-false']).toBe(13);
  });

  it('imports the file questions the bank lacks and keeps the questions edited in the UI', async () => {
    const r = await lead.client.post(`${BASE}/import`, {});
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ added: 0, kept: g.quiz.length });
    await t.app.ctx.db.certQuestions.deleteOne({ _id: questionRef(SLUG, VERSION, g.quiz[1]!.id) });
    expect((await lead.client.post(`${BASE}/import`, {})).body).toEqual({ added: 1, kept: g.quiz.length - 1 });
    expect((await lead.client.get(BASE)).body.questions).toHaveLength(g.quiz.length + 1);
  });
});
