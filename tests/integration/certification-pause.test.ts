import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultCertificationConfig } from '@labelwork/core';
import type { ApiClient } from '../support/api-client.ts';
import { makeUsers, sid, startTestWorkers, textProject, waitFor, type TestUser } from '../support/tasks.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';
import type { RunningWorkers } from '../../workers/src/app.ts';

/** Staying certified: a person whose rolling gold accuracy on a project falls below the rule is paused there until a lead lifts it. */
let t: TestApp;
let workers: RunningWorkers;
let admin: ApiClient;
let lead: TestUser;
let otherLead: TestUser;
let anno: TestUser;

beforeAll(async () => {
  t = await startTestApp();
  workers = await startTestWorkers(t);
  admin = await t.admin();
  [lead, otherLead] = (await makeUsers(admin, 'plead', 2, { role: 'lead', level: 'L2' })) as [TestUser, TestUser];
  [anno] = (await makeUsers(admin, 'panno', 1)) as [TestUser];
  const config = defaultCertificationConfig();
  config.goldAccuracy = { window: 5, threshold: 0.7, minAnswers: 3 };
  expect((await admin.put('/api/certification/config', config)).status).toBe(200);
});
afterAll(async () => {
  await workers?.close(1000);
  await t?.close();
});

const next = (u: TestUser, projectId: string) => u.client.post(`/api/projects/${projectId}/tasks/next`);

describe('gold accuracy pause', () => {
  it('pauses a person whose gold answers fall below the threshold, shows why, and a lead lifts it (audited)', async () => {
    const { projectId } = await textProject(lead.client, [anno.id], { n: 4, overlap: 1, gold: 3 });
    await lead.client.patch(`/api/projects/${projectId}/queue`, { goldWarmup: 3 });
    for (let i = 0; i < 3; i++) {
      const task = (await next(anno, projectId)).body.task;
      expect(task.item.text).toMatch(/^gold text/);
      // The gold answer is "pos"; every answer here is wrong.
      const s = await anno.client.post(`/api/tasks/${task.leaseId}/submit`, {
        submissionId: sid(),
        regions: [{ id: 'c', type: 'class', label: 'neg' }],
      });
      expect(s.status).toBe(201);
    }
    await waitFor('gold scores', async () => ((await t.app.ctx.db.agreements.countDocuments({ scope: 'gold' })) >= 3 ? true : null));

    const paused = await next(anno, projectId);
    expect(paused.status).toBe(403);
    expect(paused.body.error).toMatchObject({ code: 'GOLD_PAUSED', details: { accuracy: 0, answers: 3, threshold: 0.7 } });
    // Still paused on the next try; the reason is on the person's Training page.
    expect((await next(anno, projectId)).body.error.code).toBe('GOLD_PAUSED');
    const mine = (await anno.client.get('/api/certification/me')).body.pauses;
    expect(mine).toEqual([expect.objectContaining({ projectId, accuracy: 0, answers: 3 })]);

    // The project's lead sees it; another lead neither sees nor lifts it.
    expect((await lead.client.get('/api/certification/pauses')).body.pauses).toEqual([
      expect.objectContaining({ projectId, userId: anno.id, username: anno.username }),
    ]);
    expect((await otherLead.client.get('/api/certification/pauses')).body.pauses).toEqual([]);
    expect((await otherLead.client.post(`/api/certification/pauses/${projectId}/${anno.id}/lift`)).status).toBe(403);
    expect((await anno.client.post(`/api/certification/pauses/${projectId}/${anno.id}/lift`)).status).toBe(403);

    // With no gold left to serve, "next" takes a task from the queue while the pause check's read is
    // out (side by side, one round trip); the check then refuses it, and the task goes back where it was.
    expect((await lead.client.patch(`/api/projects/${projectId}/queue`, { goldWarmup: 0 })).status).toBe(200);
    const before = (await lead.client.get(`/api/projects/${projectId}/queue`)).body;
    expect(before.counts).toMatchObject({ waiting: 4, leased: 0 });
    expect((await next(anno, projectId)).body.error.code).toBe('GOLD_PAUSED');
    expect((await lead.client.get(`/api/projects/${projectId}/queue`)).body.counts).toMatchObject({ waiting: 4, leased: 0 });
    expect(await t.app.ctx.redis.llen(t.app.ctx.tasks.project(projectId).keys.bull.active)).toBe(0);

    expect((await lead.client.post(`/api/certification/pauses/${projectId}/${anno.id}/lift`)).status).toBe(200);
    expect((await lead.client.post(`/api/certification/pauses/${projectId}/${anno.id}/lift`)).status).toBe(404);
    const again = await next(anno, projectId);
    expect(again.status).toBe(200);
    // The first of the project's tasks in order: the one refused above was put back at the front.
    expect(again.body.task.item.text).toBe('text number 0 about Alice');
    const audit = await t.app.ctx.db.audit
      .find({ targetId: anno.id, action: { $in: ['certification.pause', 'certification.pause.lift'] } })
      .toArray();
    expect(audit.map((a) => a.action).sort()).toEqual(['certification.pause', 'certification.pause.lift']);
    expect(audit.find((a) => a.action === 'certification.pause.lift')!.actorId!.toHexString()).toBe(lead.id);
  });

  it('takes answers to a gold item out of the rolling accuracy once a lead accepts a contest of it', async () => {
    const [b] = (await makeUsers(admin, 'pcontest', 1)) as [TestUser];
    const { projectId } = await textProject(lead.client, [b.id], { n: 4, overlap: 1, gold: 3 });
    await lead.client.patch(`/api/projects/${projectId}/queue`, { goldWarmup: 3 });
    const golds: string[] = [];
    for (let i = 0; i < 3; i++) {
      const task = (await next(b, projectId)).body.task;
      golds.push(task.item.id);
      await b.client.post(`/api/tasks/${task.leaseId}/submit`, {
        submissionId: sid(),
        regions: [{ id: 'c', type: 'class', label: 'neg' }],
      });
    }
    await waitFor('gold scores', async () =>
      (await t.app.ctx.db.agreements.countDocuments({ scope: 'gold', userId: new (await import('mongodb')).ObjectId(b.id) })) >= 3
        ? true
        : null,
    );
    const contest = await b.client.post('/api/certification/contests', {
      itemId: golds[0],
      note: 'the text is negative, the gold says pos',
    });
    expect(contest.status).toBe(201);
    expect((await b.client.post('/api/certification/contests', { itemId: golds[0], note: 'again' })).body.error.code).toBe('CONFLICT');
    // Only gold the caller answered can be contested.
    expect((await anno.client.post('/api/certification/contests', { itemId: golds[1], note: 'never saw it' })).status).toBe(404);
    expect((await lead.client.get('/api/certification/contests')).body.contests).toEqual([
      expect.objectContaining({ id: contest.body.contest.id, itemId: golds[0], username: b.username, status: 'open' }),
    ]);
    expect((await otherLead.client.get('/api/certification/contests')).body.contests).toEqual([]);
    expect((await otherLead.client.post(`/api/certification/contests/${contest.body.contest.id}/resolve`, { accept: true })).status).toBe(
      403,
    );
    const accepted = await lead.client.post(`/api/certification/contests/${contest.body.contest.id}/resolve`, {
      accept: true,
      note: 'fixed',
    });
    expect(accepted.body.contest).toMatchObject({ status: 'accepted', resolution: 'fixed' });
    expect(
      (await lead.client.post(`/api/certification/contests/${contest.body.contest.id}/resolve`, { accept: false })).body.error.code,
    ).toBe('CONFLICT');
    // Two wrong answers left, fewer than the rule's minimum of three: not paused.
    expect((await next(b, projectId)).status).toBe(200);
    const audit = await t.app.ctx.db.audit.find({ action: { $in: ['certification.contest', 'certification.contest.accept'] } }).toArray();
    expect(audit.map((a) => a.action).sort()).toEqual(['certification.contest', 'certification.contest.accept']);
  });

  // The first draw in a project reads no gold results once the project's gold answerers are counted into Redis.
  const certKey = (projectId: string, name: string) => `${t.app.ctx.config.REDIS_PREFIX}:cert-{${projectId}}:${name}`;
  const accN = async (projectId: string, userId: string) =>
    Number((await t.app.ctx.redis.hget(t.app.ctx.tasks.keys(projectId).user(userId), 'accN')) ?? 0);
  const answerWrong = async (u: TestUser, projectId: string, times: number) => {
    for (let i = 0; i < times; i++) {
      const task = (await next(u, projectId)).body.task;
      expect(task.item.text).toMatch(/^gold text/);
      const s = await u.client.post(`/api/tasks/${task.leaseId}/submit`, {
        submissionId: sid(),
        regions: [{ id: 'c', type: 'class', label: 'neg' }],
      });
      expect(s.status).toBe(201);
    }
  };

  it('still pauses someone whose first wrong gold answers come after the project was counted', async () => {
    const [e] = (await makeUsers(admin, 'pcounted', 1)) as [TestUser];
    const { projectId } = await textProject(lead.client, [e.id], { n: 4, overlap: 1, gold: 3 });
    await lead.client.patch(`/api/projects/${projectId}/queue`, { goldWarmup: 3 });
    await answerWrong(e, projectId, 1);
    await waitFor('gold answerers counted', async () =>
      (await t.app.ctx.redis.get(certKey(projectId, 'gold-counted'))) === '1' ? true : null,
    );
    await answerWrong(e, projectId, 2);
    await waitFor('gold scores counted', async () => ((await accN(projectId, e.id)) >= 3 ? true : null));
    const paused = await next(e, projectId);
    expect(paused.body.error).toMatchObject({ code: 'GOLD_PAUSED', details: { accuracy: 0, answers: 3 } });
  });

  it('checks against the database someone with gold answers on record whose Redis counters are gone, and lets a newcomer draw', async () => {
    const [f, newcomer] = (await makeUsers(admin, 'plost', 2)) as [TestUser, TestUser];
    const { projectId } = await textProject(lead.client, [f.id, newcomer.id], { n: 4, overlap: 2, gold: 3 });
    await lead.client.patch(`/api/projects/${projectId}/queue`, { goldWarmup: 3 });
    await answerWrong(f, projectId, 3);
    await waitFor('gold scores counted', async () => ((await accN(projectId, f.id)) >= 3 ? true : null));
    // Redis lost the counters and markers (the gold results stay in the database, the record).
    const redis = t.app.ctx.redis;
    await redis.hdel(t.app.ctx.tasks.keys(projectId).user(f.id), 'accN', 'accSum');
    await redis.del(certKey(projectId, 'gold-counted'), certKey(projectId, 'gold-answerers'), certKey(projectId, 'gold-counting'));
    await redis.del(certKey(projectId, `gold-checked:${f.id}`));
    expect((await next(f, projectId)).body.error.code).toBe('GOLD_PAUSED');
    await waitFor('gold answerers counted', async () => ((await redis.get(certKey(projectId, 'gold-counted'))) === '1' ? true : null));
    expect(await redis.smembers(certKey(projectId, 'gold-answerers'))).toEqual([f.id]);
    // Counted, no accN: still found by the answerers set, still paused.
    expect((await next(f, projectId)).body.error.code).toBe('GOLD_PAUSED');
    // Someone with no gold answer here draws, checked from Redis alone; their state is marked, so later draws stop at the first reads.
    const first = await next(newcomer, projectId);
    expect(first.status).toBe(200);
    const generation = (await redis.get(`${t.app.ctx.config.REDIS_PREFIX}:cert:gold-generation`)) ?? '0';
    expect(await redis.get(certKey(projectId, `gold-checked:${newcomer.id}`))).toBe(`0:${generation}`);
  });
});
