import { ObjectId } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiClient } from '../support/api-client.ts';
import { imageSchema } from '../support/fixtures.ts';
import { setUpProject, signedInUser, type TestUser } from '../support/project-setup.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';

/** Issue #14: leads assign mentors; mentors keep dated coaching notes and goals; who may see and write them. */
let t: TestApp;
let admin: ApiClient;
let lead: TestUser;
let otherLead: TestUser;
let trainee: TestUser;
let mentor: TestUser;
let peer: TestUser;
const M = '/api/certification/mentoring';

beforeAll(async () => {
  t = await startTestApp();
  admin = await t.admin();
  lead = await signedInUser(admin, { name: 'mlead', role: 'lead', level: 'L2' });
  otherLead = await signedInUser(admin, { name: 'mlead2', role: 'lead', level: 'L2' });
  trainee = await signedInUser(admin, { name: 'mtrainee', role: 'trainee', level: 'L5' });
  mentor = await signedInUser(admin, { name: 'mmentor', role: 'annotator', level: 'L3' });
  peer = await signedInUser(admin, { name: 'mpeer', role: 'trainee', level: 'L5' });
  await setUpProject(lead.client, { name: 'mentored', kind: 'image', labelSchema: imageSchema, members: [trainee.id, mentor.id, peer.id] });
});
afterAll(async () => {
  await t?.close();
});

describe('mentoring', () => {
  it('lets a lead of the trainee’s project assign a mentor of a higher level, and refuses anyone else', async () => {
    expect((await lead.client.put(`${M}/${trainee.id}/mentor`, { mentorId: peer.id })).body.error.code).toBe('MENTOR_NOT_ELIGIBLE');
    expect((await lead.client.put(`${M}/${trainee.id}/mentor`, { mentorId: trainee.id })).body.error.code).toBe('MENTOR_NOT_ELIGIBLE');
    // A lead of no project of the trainee's, and the trainee themselves, may not.
    expect((await otherLead.client.put(`${M}/${trainee.id}/mentor`, { mentorId: otherLead.id })).status).toBe(403);
    expect((await trainee.client.put(`${M}/${trainee.id}/mentor`, { mentorId: mentor.id })).status).toBe(403);
    const r = await lead.client.put(`${M}/${trainee.id}/mentor`, { mentorId: mentor.id });
    expect(r.status).toBe(200);
    expect(r.body.mentor).toMatchObject({ username: 'mmentor', level: 'L3' });
    const audit = await t.app.ctx.db.audit.findOne({ action: 'certification.mentor.assign', targetId: trainee.id });
    expect(audit?.details).toEqual({ before: null, after: mentor.id });
  });

  it('shows mentor and trainee each other, and lets only the mentor write dated notes linked to the trainee’s work and goals', async () => {
    expect((await trainee.client.get(`${M}/me`)).body.mentor).toMatchObject({ id: mentor.id });
    expect((await mentor.client.get(`${M}/me`)).body.mentees.map((p: { id: string }) => p.id)).toEqual([trainee.id]);

    // A practice answer of the trainee's to link the note to.
    const practice = await trainee.client.post('/api/certification/practice/vehicles-pedestrians-bbox/1.1/items/street-01/answers', {
      regions: [],
    });
    expect(practice.status).toBe(201);
    const note = await mentor.client.post(`${M}/${trainee.id}/notes`, {
      date: '2026-12-05',
      text: 'Missed truncated boxes in practice street-01',
      links: [{ kind: 'practice', id: 'vehicles-pedestrians-bbox@1.1:street-01' }],
    });
    expect(note.status).toBe(201);
    // Links must be the trainee's own work; days must be real.
    const peerAttempt = new ObjectId().toHexString();
    expect(
      (
        await mentor.client.post(`${M}/${trainee.id}/notes`, {
          date: '2026-12-05',
          text: 'x',
          links: [{ kind: 'attempt', id: peerAttempt }],
        })
      ).status,
    ).toBe(400);
    expect((await mentor.client.post(`${M}/${trainee.id}/notes`, { date: '2026-02-30', text: 'x' })).status).toBe(400);
    // Only the mentor writes: not the trainee, not a lead, not another trainee.
    for (const u of [trainee, lead, peer])
      expect((await u.client.post(`${M}/${trainee.id}/notes`, { date: '2026-12-05', text: 'x' })).status).toBe(403);

    const goal = (await mentor.client.post(`${M}/${trainee.id}/goals`, { text: 'Box truncated cars to the edge', due: '2026-12-20' })).body
      .goal;
    expect(goal).toMatchObject({ done: false, due: '2026-12-20' });
    const second = (await mentor.client.post(`${M}/${trainee.id}/goals`, { text: 'Pass the L5 theory', due: '2026-12-31' })).body.goal;
    expect((await trainee.client.post(`${M}/${trainee.id}/goals/${goal.id}/done`, { done: true })).status).toBe(403);
    expect((await mentor.client.post(`${M}/${trainee.id}/goals/${goal.id}/done`, { done: true })).body.goal).toMatchObject({ done: true });

    // The trainee reads the record; the lead sees mentor and open goals in the Trainees view.
    const record = (await trainee.client.get(`${M}/${trainee.id}`)).body;
    expect(record).toMatchObject({ canWrite: false, mentor: { id: mentor.id } });
    expect(record.notes).toEqual([
      expect.objectContaining({ date: '2026-12-05', text: 'Missed truncated boxes in practice street-01', author: 'mmentor' }),
    ]);
    expect(record.goals.map((g: { id: string; done: boolean }) => [g.id, g.done])).toEqual([
      [goal.id, true],
      [second.id, false],
    ]);
    const overview = (await lead.client.get(`${M}/overview`)).body.trainees;
    expect(overview.find((r: { traineeId: string }) => r.traineeId === trainee.id)).toMatchObject({
      mentor: { id: mentor.id },
      openGoals: [expect.objectContaining({ id: second.id })],
    });
  });

  it('keeps the record from everyone but the mentor, the trainee, leads of the trainee’s projects and admins', async () => {
    expect((await peer.client.get(`${M}/${trainee.id}`)).status).toBe(403);
    expect((await otherLead.client.get(`${M}/${trainee.id}`)).status).toBe(403);
    expect((await otherLead.client.get(`${M}/overview`)).body.trainees.some((r: { traineeId: string }) => r.traineeId === trainee.id)).toBe(
      false,
    );
    expect((await lead.client.get(`${M}/${trainee.id}`)).body.canAssign).toBe(true);
    expect((await admin.get(`${M}/${trainee.id}`)).status).toBe(200);
    expect((await mentor.client.get(`${M}/${trainee.id}`)).body.canWrite).toBe(true);
  });

  it('removes a mentor: the former mentor loses the record', async () => {
    expect((await lead.client.del(`${M}/${trainee.id}/mentor`)).status).toBe(200);
    expect((await mentor.client.get(`${M}/${trainee.id}`)).status).toBe(403);
    expect((await trainee.client.get(`${M}/me`)).body.mentor).toBeNull();
    expect((await lead.client.del(`${M}/${trainee.id}/mentor`)).status).toBe(404);
  });
});

describe('isMentorOf', () => {
  it('answers whether one user mentors another now', async () => {
    const { isMentorOf } = await import('../../server/src/modules/certification/index.ts');
    const [m, tr] = [new ObjectId(mentor.id), new ObjectId(trainee.id)];
    expect(await isMentorOf(t.app.ctx, m, tr)).toBe(false);
    await lead.client.put(`${M}/${trainee.id}/mentor`, { mentorId: mentor.id });
    expect(await isMentorOf(t.app.ctx, m, tr)).toBe(true);
    expect(await isMentorOf(t.app.ctx, tr, m)).toBe(false);
  });
});
