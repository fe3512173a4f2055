import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ObjectId } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PracticeSet, type Region } from '@labelwork/core';
import type { ApiClient } from '../support/api-client.ts';
import { signedInUser } from '../support/project-setup.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';

// Label names a stored key may not hold as they are ('.' anywhere, a leading '$'), one that looks escaped,
// and names of Object.prototype members (an object keyed by label must not reach the prototype).
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SLUG = 'vehicles-pedestrians-bbox';
const VERSION = '1.1';
const GUIDELINE = { slug: SLUG, version: VERSION };
const set = PracticeSet.parse(JSON.parse(readFileSync(path.join(root, 'guidelines', SLUG, `practice-${VERSION}`, 'set.json'), 'utf8')));
const goldOf = new Map(set.items.map((it) => [it.id, it.gold]));
const ODD = ['traffic.light', '$price', 'a%2Eb', '__proto__', 'constructor'];

/** The gold answer of an item plus one extra box per odd label name (labels the guideline does not have). */
function withOddLabels(gold: readonly Region[]): Region[] {
  const extra = ODD.map((label, i): Region => ({ id: `odd-${i}`, type: 'bbox', label, x: 1 + i, y: 1, w: 5, h: 5 }));
  return [...gold, ...extra];
}

let t: TestApp;
let admin: ApiClient;

beforeAll(async () => {
  t = await startTestApp();
  admin = await t.admin();
});
afterAll(async () => {
  await t?.close();
});

describe('certification: label names with "." or "$", or named like Object.prototype members', () => {
  it('stores a practice answer whose regions carry such labels and shows them unchanged in the progress', async () => {
    const u = await signedInUser(admin, { name: 'oddpractice', role: 'trainee', level: 'L5' });
    const item = (await u.client.get(`/api/certification/practice/${SLUG}/${VERSION}/items`)).body.items[0] as { id: string };
    const r = await u.client.post(`/api/certification/practice/${SLUG}/${VERSION}/items/${item.id}/answers`, {
      regions: withOddLabels(goldOf.get(item.id)!),
    });
    expect(r.status).toBe(201);
    expect(r.body.counted).toBe(true);
    for (const label of ODD) expect(r.body.feedback.perLabel[label]).toMatchObject({ tp: 0, fp: 1, fn: 0 });
    const me = (await u.client.get('/api/certification/me')).body;
    expect(me.practice.answered).toBe(1);
    for (const label of ODD) expect(me.practice.perLabel[label]).toMatchObject({ tp: 0, fp: 1, fn: 0, f1: 0 });
    expect(me.practice.weakLabels).toEqual(expect.arrayContaining(ODD));
    // The stored keys are escaped: no '.' and no '$' in a field name.
    const stored = await t.app.ctx.db.certPractice.findOne({ userId: new ObjectId(u.id) });
    expect(Object.keys(stored!.perLabel)).toEqual(expect.arrayContaining(['traffic%2Elight', '%24price', 'a%252Eb']));
    expect(Object.keys(stored!.perLabel).some((k) => k.includes('.') || k.startsWith('$'))).toBe(false);
  });

  it('grades a practical attempt whose answers carry such labels and reports them unchanged', async () => {
    const u = await signedInUser(admin, { name: 'oddpractical', role: 'trainee', level: 'L5' });
    const attempt = (await u.client.post('/api/certification/attempts', { part: 'practical', guideline: GUIDELINE })).body.attempt;
    const answers = Object.fromEntries(attempt.items.map((it: { id: string }) => [it.id, withOddLabels(goldOf.get(it.id)!)]));
    const submitted = await u.client.post(`/api/certification/attempts/${attempt.id}/submit`, { answers });
    expect(submitted.status).toBe(200);
    const n = attempt.items.length;
    for (const label of ODD) {
      expect(submitted.body.attempt.report.perLabel[label]).toMatchObject({ tp: 0, fp: n, fn: 0 });
      expect(submitted.body.attempt.report.items[0].perLabel[label]).toMatchObject({ tp: 0, fp: 1, fn: 0 });
    }
    const again = (await u.client.get(`/api/certification/attempts/${attempt.id}`)).body.attempt;
    expect(again.status).toBe('graded');
    expect(Object.keys(again.report.perLabel)).toEqual(expect.arrayContaining(ODD));
    expect(Object.keys(again.report.items[0].perLabel)).toEqual(expect.arrayContaining(ODD));
    const stored = (await t.app.ctx.db.certAttempts.findOne({ _id: new ObjectId(attempt.id) }))!.result as {
      perLabel: object;
      items: { perLabel: object }[];
    };
    const keys = [stored.perLabel, ...stored.items.map((it) => it.perLabel)].flatMap((p) => Object.keys(p));
    expect(keys).toContain('traffic%2Elight');
    expect(keys.some((k) => k.includes('.') || k.startsWith('$'))).toBe(false);
  });
});
