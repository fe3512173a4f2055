import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/test-app.ts';
import { signedInUser } from '../support/project-setup.ts';
import { answer, makeUsers, sid, textProject, type TestUser } from '../support/tasks.ts';

/** Security issue #11 item 5: a reviewed annotation can no longer be edited by its author. */

let t: TestApp;
let lead: TestUser;
let anno: TestUser;
let reviewer: TestUser;

beforeAll(async () => {
  t = await startTestApp({ LEASE_MS: '10000' });
  const admin = await t.admin();
  [lead] = (await makeUsers(admin, 'lead', 1, { role: 'lead', level: 'L2' })) as [TestUser];
  [anno] = (await makeUsers(admin, 'anno', 1)) as [TestUser];
  reviewer = await signedInUser(admin, { name: 'rev', role: 'annotator', level: 'L2', reviewer: true });
});
afterAll(async () => {
  await t?.close();
});

async function reviewedAnnotation(verdict: Record<string, unknown>): Promise<{ projectId: string; annotationId: string; taskId: string }> {
  const { projectId } = await textProject(lead.client, [anno.id, reviewer.id], { n: 1, overlap: 1, reviewPolicy: { sampleRate: 1 } });
  const n = await anno.client.post(`/api/projects/${projectId}/tasks/next`);
  const s = await anno.client.post(`/api/tasks/${n.body.task.leaseId}/submit`, { submissionId: sid(), ...answer(0) });
  expect(s.status).toBe(201);
  const task = (await reviewer.client.post(`/api/projects/${projectId}/review/next`)).body.task;
  const v = await reviewer.client.post(`/api/projects/${projectId}/review/tasks/${task.taskId}/verdict`, { token: task.token, ...verdict });
  expect(v.status, JSON.stringify(v.body)).toBe(201);
  return { projectId, annotationId: s.body.annotation.id, taskId: task.taskId };
}

const emptyIt = (annotationId: string, version = 1) => anno.client.patch(`/api/annotations/${annotationId}`, { version, regions: [] });

describe('editing reviewed work', () => {
  it('refuses the author\'s edit after an accept, and the annotation reads "accepted"', async () => {
    const { annotationId } = await reviewedAnnotation({ verdict: 'accept' });
    const r = await emptyIt(annotationId);
    expect(r.status).toBe(409);
    expect(r.body.error.code).toBe('ANNOTATION_REVIEWED');
    const a = (await anno.client.get(`/api/annotations/${annotationId}`)).body.annotation;
    expect(a).toMatchObject({ status: 'accepted', version: 1, regions: answer(0).regions });
  });

  it("refuses the author's edit after a fix", async () => {
    const { annotationId } = await reviewedAnnotation({ verdict: 'fix', regions: answer(1).regions });
    const r = await emptyIt(annotationId);
    expect(r.status).toBe(409);
    expect(r.body.error.code).toBe('ANNOTATION_REVIEWED');
    expect((await anno.client.get(`/api/annotations/${annotationId}`)).body.annotation).toMatchObject({
      status: 'fixed',
      regions: answer(0).regions,
    });
  });

  it('after a reject allows only the rework path, which puts it back under review', async () => {
    const { projectId, annotationId, taskId } = await reviewedAnnotation({
      verdict: 'reject',
      comments: [{ anchor: { kind: 'item' }, text: 'wrong class' }],
    });
    const r = await emptyIt(annotationId);
    expect(r.status).toBe(409);
    expect(r.body.error.code).toBe('ANNOTATION_REVIEWED');
    expect((await anno.client.get(`/api/annotations/${annotationId}`)).body.annotation).toMatchObject({ status: 'rejected', version: 1 });
    const rw = await anno.client.post(`/api/projects/${projectId}/rework/${taskId}`, { version: 1, ...answer(1) });
    expect(rw.status).toBe(200);
    expect((await anno.client.get(`/api/annotations/${annotationId}`)).body.annotation).toMatchObject({
      status: 'submitted',
      version: 2,
      regions: answer(1).regions,
    });
    // Re-reviewed and accepted: closed again.
    const again = (await reviewer.client.post(`/api/projects/${projectId}/review/next`)).body.task;
    expect(
      (
        await reviewer.client.post(`/api/projects/${projectId}/review/tasks/${again.taskId}/verdict`, {
          token: again.token,
          verdict: 'accept',
        })
      ).status,
    ).toBe(201);
    const late = await emptyIt(annotationId, 2);
    expect(late.body.error?.code).toBe('ANNOTATION_REVIEWED');
  });
});
