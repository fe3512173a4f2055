import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiClient, ApiResponse } from '../support/api-client.ts';
import { pngBuffer } from '../support/fixtures.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';
import { signedInUser } from '../support/project-setup.ts';
import { answer, makeUsers, sid, textProject, type TestUser } from '../support/tasks.ts';
import { defaultCertificationConfig, parseGuideline, questionRef, rightOptions, PracticeSet } from '@labelwork/core';

/**
 * Issue #11: the authorization matrix. Every route the Express app has (walked from its router at
 * run time) is called as each outsider role against the objects of a project they have nothing to
 * do with, with a well-formed body and real ids, lease ids and tokens, and must be refused: 401,
 * 403 or 404 with an error code; never 2xx, never 500. A route added without an entry in CALLS
 * below, or without a line in the README's API tables (README.md and docs/*.md), fails this file.
 */

const root = path.resolve(import.meta.dirname, '../..');
type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
type Role =
  | 'signed out'
  | 'trainee'
  | 'annotator'
  | 'reviewer-annotator'
  | 'lead of another project'
  | 'trainee in the project'
  | 'annotator in the project';
/** Outsiders: members (or the lead) of another project, and a signed-out caller. */
const OUTSIDERS: Role[] = ['signed out', 'trainee', 'annotator', 'reviewer-annotator', 'lead of another project'];
/** Members of the victim project below its managers: they may see it, never its managers' routes or others' work. */
const MEMBERS: Role[] = ['trainee in the project', 'annotator in the project'];
const ROLES: Role[] = [...OUTSIDERS, ...MEMBERS];
const WHO: Record<Role, string> = {
  'signed out': 'a signed-out caller',
  trainee: 'a trainee of another project',
  annotator: 'an annotator of another project',
  'reviewer-annotator': 'a reviewer (L1, reviewer flag) of another project',
  'lead of another project': 'the lead of another project',
  'trainee in the project': 'a trainee member of the project',
  'annotator in the project': "an annotator member of the project (not the work's author)",
};

/** The victim project's objects, created by its own lead and members in beforeAll. */
interface Victim {
  projectId: string;
  imageProjectId: string;
  itemIds: string[];
  goldItemId: string;
  fileId: string;
  annotationId: string;
  annotationVersion: number;
  leaseId: string;
  reviewTaskId: string;
  reviewToken: string;
  reviewedTaskId: string;
  verdictId: string;
  annotatorId: string;
  leadId: string;
  jobId: string;
  datasetImportId: string;
  exportId: string;
  snapshotId: string;
  projectVersion: number;
  guideline: string;
  /** A practical exam attempt of the victim annotator, one of its drawn items, and a certificate of a victim trainee. */
  certAttemptId: string;
  certItemId: string;
  certificateId: string;
}

interface Call {
  path: (v: Victim, self: { id: string }) => string;
  body?: (v: Victim, self: { id: string }) => unknown;
  upload?: { field: string; name: string; data: () => Promise<Buffer | string> };
}

const V = (f: (v: Victim) => string) => (v: Victim) => f(v);
const CERT_GUIDELINE = 'vehicles-pedestrians-bbox/1.1';
const UNKNOWN_CERT_ID = '0123456789abcdef01234567';

/** Passes the L5 theory and practical exams through the API with the right answers; returns the certificate id. */
async function passL5(u: TestUser): Promise<string> {
  const dir = path.join(root, 'guidelines', 'vehicles-pedestrians-bbox');
  const parsed = parseGuideline(readFileSync(path.join(dir, '1.1.md'), 'utf8'), 'vehicles-pedestrians-bbox/1.1.md');
  if (!parsed.ok) throw new Error('guideline');
  const bank = new Map(parsed.guideline.quiz.map((q) => [questionRef('vehicles-pedestrians-bbox', '1.1', q.id), q]));
  const gold = new Map(
    PracticeSet.parse(JSON.parse(readFileSync(path.join(dir, 'practice-1.1', 'set.json'), 'utf8'))).items.map((i) => [i.id, i.gold]),
  );
  const guideline = { slug: 'vehicles-pedestrians-bbox', version: '1.1' };
  const th = (await u.client.post('/api/certification/attempts', { part: 'theory', guideline })).body.attempt;
  const thAnswers = Object.fromEntries((th.questions as { ref: string }[]).map((q) => [q.ref, rightOptions(bank.get(q.ref)!)]));
  await u.client.post(`/api/certification/attempts/${th.id}/submit`, { answers: thAnswers });
  const pr = (await u.client.post('/api/certification/attempts', { part: 'practical', guideline })).body.attempt;
  const prAnswers = Object.fromEntries((pr.items as { id: string }[]).map((i) => [i.id, gold.get(i.id)]));
  await u.client.post(`/api/certification/attempts/${pr.id}/submit`, { answers: prAnswers });
  const certs = (await u.client.get('/api/certification/me')).body.certificates as { id: string }[];
  expect(certs).toHaveLength(1);
  return certs[0]!.id;
}

/**
 * How to aim each route at the victim. Keys are `METHOD /path` exactly as the router spells them.
 * Bodies are valid, so a refusal comes from the access check and not from validation.
 */
const CALLS: Record<string, Call> = {
  'GET /api/health': { path: () => '/api/health' },
  // A wrong password (for a name of its own per role, so the lockout after 5 failures does not answer instead).
  'POST /api/auth/login': {
    path: () => '/api/auth/login',
    body: (_v, self) => ({ username: `guess-${self.id.slice(-8)}`, password: 'not-the-password' }),
  },
  'POST /api/auth/logout': { path: () => '/api/auth/logout' },
  'GET /api/auth/me': { path: () => '/api/auth/me' },
  'PATCH /api/auth/me': { path: () => '/api/auth/me', body: () => ({ lang: 'en' }) },
  'GET /api/users': { path: () => '/api/users' },
  'POST /api/users': {
    path: () => '/api/users',
    body: () => ({ username: `mallory${Math.floor(Math.random() * 1e6)}`, password: 'mallory-password', role: 'admin' }),
  },
  'PATCH /api/users/:id': { path: V((v) => `/api/users/${v.annotatorId}`), body: () => ({ disabled: true }) },
  'GET /api/projects': { path: () => '/api/projects?status=all' },
  'POST /api/projects': {
    path: () => '/api/projects',
    body: () => ({
      name: `own-${Math.floor(Math.random() * 1e6)}`,
      kind: 'text',
      labelSchema: { labels: [{ name: 'PER', color: '#123456', tool: 'span' }] },
    }),
  },
  'GET /api/projects/:id': { path: V((v) => `/api/projects/${v.projectId}`) },
  'GET /api/projects/:id/leads': { path: V((v) => `/api/projects/${v.projectId}/leads`) },
  'GET /api/projects/:id/label-usage': { path: V((v) => `/api/projects/${v.projectId}/label-usage`) },
  'PATCH /api/projects/:id': {
    path: V((v) => `/api/projects/${v.projectId}`),
    body: (v) => ({ version: v.projectVersion, name: 'taken over' }),
  },
  'POST /api/projects/:id/archive': { path: V((v) => `/api/projects/${v.projectId}/archive`) },
  'POST /api/projects/:id/unarchive': { path: V((v) => `/api/projects/${v.projectId}/unarchive`) },
  'PUT /api/projects/:id/members': { path: V((v) => `/api/projects/${v.projectId}/members`), body: (_v, self) => ({ userIds: [self.id] }) },
  'DELETE /api/projects/:id/members/:userId': { path: V((v) => `/api/projects/${v.projectId}/members/${v.annotatorId}`) },
  'GET /api/guidelines': { path: () => '/api/guidelines' },
  'GET /api/guidelines/:slug/:version': { path: V((v) => `/api/guidelines/${v.guideline}`) },
  'POST /api/projects/:id/items/images': {
    path: V((v) => `/api/projects/${v.imageProjectId}/items/images`),
    upload: { field: 'files', name: 'x.png', data: () => pngBuffer(8, 8) },
  },
  'POST /api/projects/:id/items/text': {
    path: V((v) => `/api/projects/${v.projectId}/items/text`),
    upload: { field: 'file', name: 'x.jsonl', data: async () => '{"text":"planted"}' },
  },
  'GET /api/projects/:id/items': { path: V((v) => `/api/projects/${v.projectId}/items`) },
  'POST /api/projects/:id/items/delete': {
    path: V((v) => `/api/projects/${v.projectId}/items/delete`),
    body: (v) => ({ ids: [v.goldItemId] }),
  },
  'GET /api/projects/:id/imports': { path: V((v) => `/api/projects/${v.projectId}/imports`) },
  'POST /api/projects/:id/dataset-imports': {
    path: V((v) => `/api/projects/${v.imageProjectId}/dataset-imports`),
    upload: { field: 'file', name: 'coco.json', data: async () => JSON.stringify({ images: [], annotations: [], categories: [] }) },
  },
  'GET /api/projects/:id/dataset-imports/:importId': {
    path: V((v) => `/api/projects/${v.imageProjectId}/dataset-imports/${v.datasetImportId}`),
  },
  'POST /api/projects/:id/dataset-imports/:importId/plan': {
    path: V((v) => `/api/projects/${v.imageProjectId}/dataset-imports/${v.datasetImportId}/plan`),
    body: () => ({ mapping: {} }),
  },
  'POST /api/projects/:id/dataset-imports/:importId/confirm': {
    path: V((v) => `/api/projects/${v.imageProjectId}/dataset-imports/${v.datasetImportId}/confirm`),
    body: () => ({ mapping: {} }),
  },
  'POST /api/projects/:id/dataset-imports/:importId/cancel': {
    path: V((v) => `/api/projects/${v.imageProjectId}/dataset-imports/${v.datasetImportId}/cancel`),
  },
  // Dataset exports and snapshots (the project's managers).
  'POST /api/projects/:id/exports': { path: V((v) => `/api/projects/${v.projectId}/exports`), body: () => ({ format: 'jsonl' }) },
  'GET /api/projects/:id/exports': { path: V((v) => `/api/projects/${v.projectId}/exports`) },
  'GET /api/projects/:id/exports/:exportId': { path: V((v) => `/api/projects/${v.projectId}/exports/${v.exportId}`) },
  'POST /api/projects/:id/exports/:exportId/cancel': { path: V((v) => `/api/projects/${v.projectId}/exports/${v.exportId}/cancel`) },
  'GET /api/projects/:id/exports/:exportId/download': { path: V((v) => `/api/projects/${v.projectId}/exports/${v.exportId}/download`) },
  'POST /api/projects/:id/snapshots': { path: V((v) => `/api/projects/${v.projectId}/snapshots`), body: () => ({ note: 'taken' }) },
  'GET /api/projects/:id/snapshots': { path: V((v) => `/api/projects/${v.projectId}/snapshots`) },
  'GET /api/projects/:id/snapshots/:snapshotId': { path: V((v) => `/api/projects/${v.projectId}/snapshots/${v.snapshotId}`) },
  'GET /api/projects/:id/snapshots/:snapshotId/diff/:otherId': {
    path: V((v) => `/api/projects/${v.projectId}/snapshots/${v.snapshotId}/diff/${v.snapshotId}`),
  },
  'POST /api/projects/:id/snapshots/:snapshotId/restore': {
    path: V((v) => `/api/projects/${v.projectId}/snapshots/${v.snapshotId}/restore`),
    body: () => ({ name: 'a branch of the victim', groundTruth: 'none' }),
  },
  // The project's access is checked before the restore is looked up: any restore id is refused alike.
  'GET /api/projects/:id/snapshots/:snapshotId/restores/:restoreId': {
    path: V((v) => `/api/projects/${v.projectId}/snapshots/${v.snapshotId}/restores/${v.snapshotId}`),
  },
  // Whole-project backups (admins only: a backup holds every annotator's work and the images).
  'POST /api/projects/:id/backup': { path: V((v) => `/api/projects/${v.projectId}/backup`) },
  'POST /api/backups/restore': { path: () => '/api/backups/restore' },
  'GET /api/items/:id': { path: V((v) => `/api/items/${v.goldItemId}`) },
  'PUT /api/items/:id/gold': { path: V((v) => `/api/items/${v.goldItemId}/gold`), body: () => ({ gold: null }) },
  'GET /api/files/:id': { path: V((v) => `/api/files/${v.fileId}`) },
  // A large image's tile pyramid: the image's own access check comes first.
  'GET /api/files/:id/tiles': { path: V((v) => `/api/files/${v.fileId}/tiles`) },
  'GET /api/files/:id/tiles/:level/:col/:row': { path: V((v) => `/api/files/${v.fileId}/tiles/0/0/0`) },
  // Model backends (admin only) and a project's Models panel (its managers); the media link without a signature.
  'GET /api/ml/backends': { path: () => '/api/ml/backends' },
  'POST /api/ml/backends': {
    path: () => '/api/ml/backends',
    body: () => ({ name: 'evil', url: 'http://127.0.0.1:9/', allowPrivate: true }),
  },
  'DELETE /api/ml/backends/:id': { path: () => '/api/ml/backends/0123456789abcdef01234567' },
  'POST /api/ml/backends/:id/health': { path: () => '/api/ml/backends/0123456789abcdef01234567/health' },
  'GET /api/ml/media/:fileId': { path: V((v) => `/api/ml/media/${v.fileId}?p=${v.imageProjectId}&e=9999999999&s=forged`) },
  'GET /api/projects/:id/ml': { path: V((v) => `/api/projects/${v.projectId}/ml`) },
  'GET /api/projects/:id/ml/quality': { path: V((v) => `/api/projects/${v.projectId}/ml/quality`) },
  'POST /api/projects/:id/ml/train': {
    path: V((v) => `/api/projects/${v.projectId}/ml/train`),
    body: () => ({ backendId: '0123456789abcdef01234567' }),
  },
  'POST /api/projects/:id/ml/attach': {
    path: V((v) => `/api/projects/${v.projectId}/ml/attach`),
    body: () => ({ backendId: '0123456789abcdef01234567' }),
  },
  'POST /api/projects/:id/ml/detach': {
    path: V((v) => `/api/projects/${v.projectId}/ml/detach`),
    body: () => ({ backendId: '0123456789abcdef01234567' }),
  },
  'POST /api/projects/:id/ml/runs': {
    path: V((v) => `/api/projects/${v.projectId}/ml/runs`),
    body: () => ({ backendId: '0123456789abcdef01234567' }),
  },
  'POST /api/projects/:id/ml/webhook': {
    path: V((v) => `/api/projects/${v.projectId}/ml/webhook`),
    body: () => ({ backendId: '0123456789abcdef01234567', enabled: true }),
  },
  'GET /api/projects/:id/ml/assist': { path: V((v) => `/api/projects/${v.projectId}/ml/assist`) },
  'POST /api/tasks/:leaseId/assist': {
    path: V((v) => `/api/tasks/${v.leaseId}/assist`),
    body: () => ({ label: 'pedestrian', hint: { kind: 'box', x: 10, y: 10, w: 40, h: 80 } }),
  },
  'POST /api/projects/:id/ml/runs/:runId/cancel': {
    path: V((v) => `/api/projects/${v.projectId}/ml/runs/0123456789abcdef01234567/cancel`),
  },
  'POST /api/projects/:id/tasks/next': { path: V((v) => `/api/projects/${v.projectId}/tasks/next`) },
  'POST /api/tasks/:leaseId/heartbeat': { path: V((v) => `/api/tasks/${v.leaseId}/heartbeat`) },
  'PUT /api/tasks/:leaseId/draft': { path: V((v) => `/api/tasks/${v.leaseId}/draft`), body: () => ({ regions: [] }) },
  'POST /api/tasks/:leaseId/submit': {
    path: V((v) => `/api/tasks/${v.leaseId}/submit`),
    body: () => ({ submissionId: sid(), ...answer(1) }),
  },
  'POST /api/tasks/:leaseId/skip': { path: V((v) => `/api/tasks/${v.leaseId}/skip`), body: () => ({ reason: 'not mine' }) },
  'POST /api/tasks/:leaseId/release': { path: V((v) => `/api/tasks/${v.leaseId}/release`) },
  'POST /api/tasks/:leaseId/requeue': { path: V((v) => `/api/tasks/${v.leaseId}/requeue`) },
  'POST /api/tasks/:leaseId/reassign': { path: V((v) => `/api/tasks/${v.leaseId}/reassign`), body: (_v, self) => ({ userId: self.id }) },
  'GET /api/projects/:id/queue': { path: V((v) => `/api/projects/${v.projectId}/queue`) },
  'PATCH /api/projects/:id/queue': { path: V((v) => `/api/projects/${v.projectId}/queue`), body: () => ({ goldWarmup: 5 }) },
  'POST /api/projects/:id/queue/items': { path: V((v) => `/api/projects/${v.projectId}/queue/items`), body: () => ({ all: true }) },
  'POST /api/projects/:id/queue/pause': { path: V((v) => `/api/projects/${v.projectId}/queue/pause`) },
  'POST /api/projects/:id/queue/resume': { path: V((v) => `/api/projects/${v.projectId}/queue/resume`) },
  'GET /api/projects/:id/queue/items/:itemId': { path: V((v) => `/api/projects/${v.projectId}/queue/items/${v.itemIds[0]}`) },
  'POST /api/projects/:id/queue/items/:itemId/assign': {
    path: V((v) => `/api/projects/${v.projectId}/queue/items/${v.itemIds[2]}/assign`),
    body: (_v, self) => ({ userId: self.id }),
  },
  'GET /api/projects/:id/queue/leases': { path: V((v) => `/api/projects/${v.projectId}/queue/leases`) },
  'GET /api/projects/:id/drafts': { path: V((v) => `/api/projects/${v.projectId}/drafts`) },
  'GET /api/projects/:id/agreement': { path: V((v) => `/api/projects/${v.projectId}/agreement`) },
  'POST /api/projects/:id/queue/requeue-all': { path: V((v) => `/api/projects/${v.projectId}/queue/requeue-all`) },
  'POST /api/projects/:id/queue/recompute': { path: V((v) => `/api/projects/${v.projectId}/queue/recompute`) },
  'GET /api/projects/:id/queue/jobs/:jobId': { path: V((v) => `/api/projects/${v.projectId}/queue/jobs/${v.jobId}`) },
  'GET /api/annotations/:id': { path: V((v) => `/api/annotations/${v.annotationId}`) },
  'PATCH /api/annotations/:id': {
    path: V((v) => `/api/annotations/${v.annotationId}`),
    body: (v) => ({ version: v.annotationVersion, regions: [] }),
  },
  'GET /api/projects/:id/annotations': { path: V((v) => `/api/projects/${v.projectId}/annotations`) },
  'POST /api/projects/:id/review/next': { path: V((v) => `/api/projects/${v.projectId}/review/next`) },
  'POST /api/projects/:id/review/tasks/:taskId/heartbeat': {
    path: V((v) => `/api/projects/${v.projectId}/review/tasks/${v.reviewTaskId}/heartbeat`),
    body: (v) => ({ token: v.reviewToken }),
  },
  'POST /api/projects/:id/review/tasks/:taskId/release': {
    path: V((v) => `/api/projects/${v.projectId}/review/tasks/${v.reviewTaskId}/release`),
    body: (v) => ({ token: v.reviewToken }),
  },
  'POST /api/projects/:id/review/tasks/:taskId/verdict': {
    path: V((v) => `/api/projects/${v.projectId}/review/tasks/${v.reviewTaskId}/verdict`),
    body: (v) => ({ token: v.reviewToken, verdict: 'accept', comments: [] }),
  },
  'POST /api/projects/:id/review/tasks/:taskId/comments': {
    path: V((v) => `/api/projects/${v.projectId}/review/tasks/${v.reviewTaskId}/comments`),
    body: (v) => ({ token: v.reviewToken, anchor: { kind: 'item' }, text: 'planted' }),
  },
  'GET /api/projects/:id/review/counts': { path: V((v) => `/api/projects/${v.projectId}/review/counts`) },
  'GET /api/projects/:id/reviews': { path: V((v) => `/api/projects/${v.projectId}/reviews`) },
  'GET /api/projects/:id/items/:itemId/detail': { path: V((v) => `/api/projects/${v.projectId}/items/${v.itemIds[0]}/detail`) },
  'GET /api/projects/:id/rework': { path: V((v) => `/api/projects/${v.projectId}/rework`) },
  'POST /api/projects/:id/rework/:taskId': {
    path: V((v) => `/api/projects/${v.projectId}/rework/${v.reviewedTaskId}`),
    body: (v) => ({ version: v.annotationVersion, regions: [] }),
  },
  'GET /api/review/inbox': { path: () => '/api/review/inbox' },
  'GET /api/inbox': { path: () => '/api/inbox' },
  'GET /api/inbox/unread-count': { path: () => '/api/inbox/unread-count' },
  'POST /api/inbox/read-all': { path: () => '/api/inbox/read-all' },
  'POST /api/inbox/:id/read': { path: V((v) => `/api/inbox/${v.verdictId}/read`) },
  'GET /api/projects/:id/dashboard': { path: V((v) => `/api/projects/${v.projectId}/dashboard`) },
  'GET /api/projects/:id/dashboard/annotators.csv': { path: V((v) => `/api/projects/${v.projectId}/dashboard/annotators.csv`) },
  'GET /api/projects/:id/dashboard/annotators/:userId': {
    path: V((v) => `/api/projects/${v.projectId}/dashboard/annotators/${v.annotatorId}`),
  },
  // Certification: the caller's own training and exams; someone else's attempt and certificate; admin configuration.
  'GET /api/certification/me': { path: () => '/api/certification/me' },
  'GET /api/certification/config': { path: () => '/api/certification/config' },
  'PUT /api/certification/config': { path: () => '/api/certification/config', body: () => defaultCertificationConfig() },
  'GET /api/certification/practice/:slug/:version/items': { path: () => `/api/certification/practice/${CERT_GUIDELINE}/items` },
  'GET /api/certification/practice/:slug/:version/items/:itemId/image': {
    path: () => `/api/certification/practice/${CERT_GUIDELINE}/items/street-01/image`,
  },
  'POST /api/certification/practice/:slug/:version/items/:itemId/answers': {
    path: () => `/api/certification/practice/${CERT_GUIDELINE}/items/street-01/answers`,
    body: () => ({ regions: [] }),
  },
  'POST /api/certification/attempts': {
    path: () => '/api/certification/attempts',
    body: () => ({ part: 'theory', guideline: { slug: 'vehicles-pedestrians-bbox', version: '1.1' } }),
  },
  'GET /api/certification/attempts/:id': { path: V((v) => `/api/certification/attempts/${v.certAttemptId}`) },
  'PUT /api/certification/attempts/:id/answers': {
    path: V((v) => `/api/certification/attempts/${v.certAttemptId}/answers`),
    body: () => ({ answers: {} }),
  },
  'POST /api/certification/attempts/:id/submit': {
    path: V((v) => `/api/certification/attempts/${v.certAttemptId}/submit`),
    body: () => ({}),
  },
  'GET /api/certification/attempts/:id/items/:itemId/image': {
    path: V((v) => `/api/certification/attempts/${v.certAttemptId}/items/${v.certItemId}/image`),
  },
  'GET /api/certification/certificates/:id': { path: V((v) => `/api/certification/certificates/${v.certificateId}`) },
  'GET /api/certification/trainees': { path: () => '/api/certification/trainees' },
  'GET /api/certification/pauses': { path: () => '/api/certification/pauses' },
  'POST /api/certification/contests': {
    path: () => '/api/certification/contests',
    body: (v) => ({ itemId: v.goldItemId, note: 'the gold is wrong' }),
  },
  'GET /api/certification/contests': { path: () => '/api/certification/contests' },
  // No contest exists in the victim project (no worker scores gold here): an unknown id must be refused like any other.
  'POST /api/certification/contests/:id/resolve': {
    path: () => '/api/certification/contests/0123456789abcdef01234567/resolve',
    body: () => ({ accept: true }),
  },
  'POST /api/certification/pauses/:projectId/:userId/lift': {
    path: V((v) => `/api/certification/pauses/${v.projectId}/${v.annotatorId}/lift`),
  },
  // Exam banks (leads and admins edit them; certification-questions.test.ts checks real edits): a question no bank has.
  'GET /api/certification/questions/:slug/:version': { path: () => `/api/certification/questions/${CERT_GUIDELINE}` },
  'POST /api/certification/questions/:slug/:version': {
    path: () => `/api/certification/questions/${CERT_GUIDELINE}`,
    body: () => ({
      type: 'true-false',
      question: { 'zh-CN': `矩阵测试题 ${Math.random()}`, en: `Matrix question ${Math.random()}` },
      options: [
        { 'zh-CN': '正确', en: 'True' },
        { 'zh-CN': '错误', en: 'False' },
      ],
      answer: [0],
      explanation: { 'zh-CN': '测试。', en: 'A test.' },
      topic: 'general',
      difficulty: 1,
    }),
  },
  'POST /api/certification/questions/:slug/:version/import': { path: () => `/api/certification/questions/${CERT_GUIDELINE}/import` },
  'PUT /api/certification/questions/:slug/:version/:qid': {
    path: () => `/api/certification/questions/${CERT_GUIDELINE}/no-such-question`,
    body: () => ({ version: 1 }),
  },
  'POST /api/certification/questions/:slug/:version/:qid/retire': {
    path: () => `/api/certification/questions/${CERT_GUIDELINE}/no-such-question/retire`,
    body: () => ({ version: 1 }),
  },
  'POST /api/certification/questions/:slug/:version/:qid/restore': {
    path: () => `/api/certification/questions/${CERT_GUIDELINE}/no-such-question/restore`,
    body: () => ({ version: 1 }),
  },
  'GET /api/certification/questions/:slug/:version/:qid/history': {
    path: () => `/api/certification/questions/${CERT_GUIDELINE}/no-such-question/history`,
  },
  // Mentoring records of the project's annotator: only their mentor, themselves and leads of their projects.
  'GET /api/certification/mentoring/me': { path: () => '/api/certification/mentoring/me' },
  'GET /api/certification/mentoring/overview': { path: () => '/api/certification/mentoring/overview' },
  'GET /api/certification/mentoring/:traineeId': { path: V((v) => `/api/certification/mentoring/${v.annotatorId}`) },
  'PUT /api/certification/mentoring/:traineeId/mentor': {
    path: V((v) => `/api/certification/mentoring/${v.annotatorId}/mentor`),
    body: (_v, self) => ({ mentorId: self.id }),
  },
  'DELETE /api/certification/mentoring/:traineeId/mentor': { path: V((v) => `/api/certification/mentoring/${v.annotatorId}/mentor`) },
  'POST /api/certification/mentoring/:traineeId/notes': {
    path: V((v) => `/api/certification/mentoring/${v.annotatorId}/notes`),
    body: () => ({ date: '2026-12-06', text: 'a note' }),
  },
  'POST /api/certification/mentoring/:traineeId/goals': {
    path: V((v) => `/api/certification/mentoring/${v.annotatorId}/goals`),
    body: () => ({ text: 'a goal', due: '2026-12-31' }),
  },
  'POST /api/certification/mentoring/:traineeId/goals/:goalId/done': {
    path: V((v) => `/api/certification/mentoring/${v.annotatorId}/goals/0123456789abcdef01234567/done`),
    body: () => ({ done: true }),
  },
  // Parts graded by people: the caller's own exercise and portfolio; someone's exercise or panel (unknown
  // here, like contests: certification-grading.test.ts checks who may see, claim, grade and score real ones).
  'GET /api/certification/grading': { path: () => '/api/certification/grading' },
  'POST /api/certification/specifications': {
    path: () => '/api/certification/specifications',
    body: () => ({ guideline: { slug: 'vehicles-pedestrians-bbox', version: '1.1' } }),
  },
  'GET /api/certification/specifications/:id': { path: () => `/api/certification/specifications/${UNKNOWN_CERT_ID}` },
  'PUT /api/certification/specifications/:id': {
    path: () => `/api/certification/specifications/${UNKNOWN_CERT_ID}`,
    body: () => ({ spec: { scope: 'x' } }),
  },
  'POST /api/certification/specifications/:id/submit': { path: () => `/api/certification/specifications/${UNKNOWN_CERT_ID}/submit` },
  'POST /api/certification/specifications/:id/claim': { path: () => `/api/certification/specifications/${UNKNOWN_CERT_ID}/claim` },
  'POST /api/certification/specifications/:id/release': { path: () => `/api/certification/specifications/${UNKNOWN_CERT_ID}/release` },
  'POST /api/certification/specifications/:id/grade': {
    path: () => `/api/certification/specifications/${UNKNOWN_CERT_ID}/grade`,
    body: () => ({ points: { definitions: 20 }, comment: 'fine' }),
  },
  'POST /api/certification/panels': { path: () => '/api/certification/panels', body: () => ({ statement: 'my work' }) },
  'GET /api/certification/panels/:id': { path: () => `/api/certification/panels/${UNKNOWN_CERT_ID}` },
  'POST /api/certification/panels/:id/convene': {
    path: () => `/api/certification/panels/${UNKNOWN_CERT_ID}/convene`,
    body: (v) => ({ members: [v.leadId] }),
  },
  'POST /api/certification/panels/:id/scores': {
    path: () => `/api/certification/panels/${UNKNOWN_CERT_ID}/scores`,
    body: () => ({ points: { defense: 20 }, comment: 'fine', defenseNote: 'answered well' }),
  },
};

/**
 * Routes a role may use although it has nothing to do with the victim project: they act on the
 * caller's own account or on installation-wide reference data, never on another project's objects.
 * Each is still called (except where `run: false`) and must answer 2xx without naming any of the
 * victim project's ids.
 */
const SIGNED_IN: Role[] = ROLES.filter((r) => r !== 'signed out');
const nothingToDo = (r: ApiResponse) => r.status === 200 || (r.status === 404 && r.body?.error?.code === 'NOTHING_TO_DO');
const ALLOWED: Record<string, { roles: Role[]; why: string; run?: false; ok?: (r: ApiResponse) => boolean }> = {
  // Anyone may ask whether the service is up; strangers get only {status}.
  'GET /api/health': { roles: ROLES, why: 'liveness probe, details only for admins' },
  // The caller's own session and profile.
  'POST /api/auth/logout': { roles: SIGNED_IN, why: "ends only the caller's own session", run: false },
  'GET /api/auth/me': { roles: SIGNED_IN, why: "the caller's own profile" },
  'PATCH /api/auth/me': { roles: SIGNED_IN, why: "the caller's own preferences" },
  // Lists filtered to what the caller may see (checked below: the victim project is not in it).
  'GET /api/projects': { roles: SIGNED_IN, why: "lists only the caller's own projects" },
  'GET /api/review/inbox': { roles: SIGNED_IN, why: "verdicts and comments on the caller's own work" },
  'GET /api/inbox': { roles: SIGNED_IN, why: "the caller's own inbox" },
  'GET /api/inbox/unread-count': { roles: SIGNED_IN, why: "the caller's own inbox" },
  'POST /api/inbox/read-all': { roles: SIGNED_IN, why: "marks only the caller's own entries read" },
  // Guidelines are shared reference documents, not project data (quiz answers stay on the server).
  'GET /api/guidelines': { roles: SIGNED_IN, why: 'installation-wide reference documents' },
  'GET /api/guidelines/:slug/:version': { roles: SIGNED_IN, why: 'installation-wide reference documents' },
  // Leads create their own projects and pick members from the user list (README: Users, roles and access).
  'POST /api/projects': { roles: ['lead of another project'], why: 'leads create projects of their own' },
  'GET /api/users': { roles: ['lead of another project'], why: 'leads pick members from all users' },
  // What members of the project may do in it.
  'GET /api/projects/:id': { roles: MEMBERS, why: 'members see their project' },
  'GET /api/projects/:id/leads': { roles: MEMBERS, why: 'members see who leads their project' },
  'POST /api/projects/:id/tasks/next': { roles: MEMBERS, why: 'members draw their own tasks (none are left here)', ok: nothingToDo },
  'GET /api/projects/:id/rework': { roles: MEMBERS, why: "lists only the caller's own rework" },
  'GET /api/projects/:id/ml/assist': {
    roles: MEMBERS,
    why: "members see the names of their project's interactive model backends (the Assist tool)",
  },
  // Certification: everyone trains and takes the exam of their own level (answers and gold stay on the server until submitted).
  'GET /api/certification/me': { roles: SIGNED_IN, why: "the caller's own level, attempts and certificates" },
  'GET /api/certification/config': { roles: SIGNED_IN, why: 'installation-wide exam rules (counts, time limits, pass marks)' },
  'GET /api/certification/practice/:slug/:version/items': { roles: SIGNED_IN, why: 'shared practice material, without gold' },
  'GET /api/certification/practice/:slug/:version/items/:itemId/image': { roles: SIGNED_IN, why: 'shared practice material' },
  'POST /api/certification/practice/:slug/:version/items/:itemId/answers': { roles: SIGNED_IN, why: "the caller's own practice record" },
  'POST /api/certification/attempts': { roles: SIGNED_IN, why: "starts the caller's own exam attempt" },
  // Leads see the cohort and check certificates of people they may add to their projects.
  'GET /api/certification/pauses': { roles: ['lead of another project'], why: 'lists only pauses on projects the lead manages' },
  'GET /api/certification/contests': { roles: ['lead of another project'], why: 'lists only contests on projects the lead manages' },
  'GET /api/certification/trainees': { roles: ['lead of another project'], why: "leads see every trainee's level and attempts" },
  'GET /api/certification/questions/:slug/:version': {
    roles: ['lead of another project'],
    why: 'leads edit the installation-wide exam banks',
  },
  'POST /api/certification/questions/:slug/:version': {
    roles: ['lead of another project'],
    why: 'leads edit the installation-wide exam banks',
  },
  'POST /api/certification/questions/:slug/:version/import': {
    roles: ['lead of another project'],
    why: 'leads edit the installation-wide exam banks',
  },
  'GET /api/certification/mentoring/me': { roles: SIGNED_IN, why: "the caller's own mentor and mentees" },
  'GET /api/certification/mentoring/overview': {
    roles: ['lead of another project'],
    why: 'lists only the people of projects the lead belongs to',
  },
  'GET /api/certification/certificates/:id': {
    roles: ['lead of another project'],
    why: 'leads check the certificates of people they staff projects with',
  },
  'GET /api/certification/grading': {
    roles: ['lead of another project'],
    why: "the lead's own grading queue (certification, not projects)",
  },
  // The caller's own exercise or portfolio; refused with 409 when their level's exam has no such part (or its other parts are pending).
  'POST /api/certification/specifications': {
    roles: SIGNED_IN,
    why: "starts the caller's own specification exercise",
    ok: (r) => r.status === 201 || (r.status === 409 && r.body?.error?.code === 'EXAM_NOT_AVAILABLE'),
  },
  'POST /api/certification/panels': {
    roles: SIGNED_IN,
    why: "hands in the caller's own portfolio",
    ok: (r) => r.status === 201 || (r.status === 409 && r.body?.error?.code === 'EXAM_NOT_AVAILABLE'),
  },
};

// --- the route list, from the Express router ------------------------------------------------

interface RouterLayer {
  route?: { path: unknown; methods: Record<string, boolean> };
  handle?: { stack?: RouterLayer[] };
  rawPath?: unknown;
}

/** Every `METHOD /path` the app routes under /api, walking nested routers (Express 5 / router 2). */
function routesOf(stack: RouterLayer[], prefix = ''): string[] {
  const join = (a: string, b: string) => (a + (b === '/' ? '' : b)).replace(/\/+/g, '/');
  const out: string[] = [];
  for (const layer of stack) {
    if (layer.route && typeof layer.route.path === 'string') {
      const p = join(prefix, layer.route.path).replace(/(.)\/$/, '$1');
      for (const m of Object.keys(layer.route.methods)) if (m !== '_all') out.push(`${m.toUpperCase()} ${p}`);
    } else if (layer.handle?.stack && typeof layer.rawPath === 'string') {
      out.push(...routesOf(layer.handle.stack, join(prefix, layer.rawPath)));
    }
  }
  return out.filter((r) => r.split(' ')[1]!.startsWith('/api/'));
}

/** Parameter names differ between code and docs (`:id` / `:fileId`); compare shapes only. */
const shape = (route: string) => route.replace(/:[A-Za-z]+/g, ':_');

/**
 * Every `METHOD /path` in a table row (a line starting with `|`) of README.md and docs/*.md; a cell
 * may name siblings (`POST …/archive`, `/unarchive`), paths in docs may leave out `/api`.
 */
function documentedRoutes(): Set<string> {
  const files = [
    'README.md',
    ...readdirSync(path.join(root, 'docs'))
      .filter((f) => f.endsWith('.md'))
      .map((f) => `docs/${f}`),
  ];
  const out = new Set<string>();
  const clean = (p: string) => {
    let s = p.replace(/[[?].*$/, '').replace(/(.)\/$/, '$1');
    if (!s.startsWith('/api/')) s = `/api${s}`;
    return s;
  };
  const re = /`((?:GET|POST|PUT|PATCH|DELETE)(?:\|(?:GET|POST|PUT|PATCH|DELETE))*)\s+(\/[^\s`]*)`((?:\s*,\s*`\/[^\s`]*`)*)/g;
  for (const f of files) {
    const rows = readFileSync(path.join(root, f), 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('|'));
    for (const m of rows.join('\n').matchAll(re)) {
      const methods = m[1]!.split('|');
      const base = clean(m[2]!);
      const paths = [base];
      for (const s of m[3]!.matchAll(/`(\/[^\s`]*)`/g)) paths.push(base.replace(/\/[^/]+$/, '') + s[1]);
      for (const method of methods) for (const p of paths) out.add(shape(`${method} ${p}`));
    }
  }
  return out;
}

// --- the world: a victim project and outsiders -----------------------------------------------

let t: TestApp;
let routes: string[];
const victim = {} as Victim;
const clients = new Map<Role, { client: ApiClient; id: string }>();
let victimLead: TestUser;
let victimAnnotator: TestUser;

beforeAll(async () => {
  t = await startTestApp({ LOGIN_MAX_PER_MINUTE: '100000', LEASE_MS: '600000' });
  routes = [...new Set(routesOf((t.app.app as unknown as { router: { stack: RouterLayer[] } }).router.stack))].sort();
  const admin = await t.admin();

  const user = (username: string, role: string, level: string, reviewer = false) =>
    signedInUser(admin, { name: username, role, level, reviewer });

  // The victim: a lead, an annotator and a reviewer, a text project with work in every state, and an image project.
  victimLead = await user('victim-lead', 'lead', 'L1');
  victimAnnotator = await user('victim-anno', 'annotator', 'L3');
  const victimReviewer = await user('victim-rev', 'annotator', 'L1', true);
  const p = await textProject(victimLead.client, [victimAnnotator.id, victimReviewer.id], { n: 3, overlap: 1, gold: 1, name: 'victim' });
  victim.projectId = p.projectId;
  victim.itemIds = p.itemIds;
  victim.annotatorId = victimAnnotator.id;
  victim.leadId = victimLead.id;
  const cur = (await victimLead.client.get(`/api/projects/${p.projectId}`)).body.project;
  expect(
    (
      await victimLead.client.patch(`/api/projects/${p.projectId}`, {
        version: cur.version,
        reviewPolicy: { sampleRate: 1 },
        guideline: { slug: 'chinese-ner', version: '1.0' },
      })
    ).status,
  ).toBe(200);
  const gold = await t.app.ctx.db.items.findOne({
    projectId: new (await import('mongodb')).ObjectId(p.projectId),
    gold: { $exists: true },
  });
  victim.goldItemId = gold!._id.toHexString();

  const submitted: string[] = [];
  for (let i = 0; i < 2; i++) {
    const n = await victimAnnotator.client.post(`/api/projects/${p.projectId}/tasks/next`);
    expect(n.status).toBe(200);
    const s = await victimAnnotator.client.post(`/api/tasks/${n.body.task.leaseId}/submit`, { submissionId: sid(), ...answer(i) });
    expect(s.status).toBe(201);
    submitted.push(s.body.annotation.id);
  }
  // A live lease with a draft on the third item.
  const live = await victimAnnotator.client.post(`/api/projects/${p.projectId}/tasks/next`);
  expect(live.status).toBe(200);
  victim.leaseId = live.body.task.leaseId;
  expect((await victimAnnotator.client.put(`/api/tasks/${victim.leaseId}/draft`, answer(2))).status).toBe(200);

  // The reviewer accepts the first submission (a verdict in the annotator's inbox) and holds the second.
  const first = await victimReviewer.client.post(`/api/projects/${p.projectId}/review/next`);
  expect(first.status).toBe(200);
  victim.reviewedTaskId = first.body.task.taskId;
  const accepted = await victimReviewer.client.post(`/api/projects/${p.projectId}/review/tasks/${first.body.task.taskId}/verdict`, {
    token: first.body.task.token,
    verdict: 'accept',
    comments: [],
  });
  expect(accepted.status).toBe(201);
  victim.verdictId = accepted.body.review.id;
  const second = await victimReviewer.client.post(`/api/projects/${p.projectId}/review/next`);
  expect(second.status).toBe(200);
  victim.reviewTaskId = second.body.task.taskId;
  victim.reviewToken = second.body.task.token;
  victim.annotationId = second.body.task.annotationId ?? submitted[1]!;
  victim.annotationVersion = (await victimAnnotator.client.get(`/api/annotations/${victim.annotationId}`)).body.annotation.version;

  const job = await victimLead.client.post(`/api/projects/${p.projectId}/queue/recompute`);
  expect(job.status).toBe(202);
  victim.jobId = job.body.jobId;
  victim.projectVersion = (await victimLead.client.get(`/api/projects/${p.projectId}`)).body.project.version;
  victim.guideline = 'chinese-ner/1.0';
  // Certification: the victim annotator's running practical attempt, and a victim trainee's certificate (L5 passed).
  const practical = await victimAnnotator.client.post('/api/certification/attempts', {
    part: 'practical',
    guideline: { slug: 'vehicles-pedestrians-bbox', version: '1.1' },
  });
  expect(practical.status).toBe(201);
  victim.certAttemptId = practical.body.attempt.id;
  victim.certItemId = practical.body.attempt.items[0].id;
  victim.certificateId = await passL5(await user('victim-trainee', 'trainee', 'L5'));

  const img = await victimLead.client.post('/api/projects', {
    name: 'victim images',
    kind: 'image',
    labelSchema: { labels: [{ name: 'car', color: '#123456', tool: 'bbox' }] },
  });
  expect(img.status).toBe(201);
  victim.imageProjectId = img.body.project.id;
  expect(
    (
      await victimLead.client.upload(`/api/projects/${victim.imageProjectId}/items/images`, 'files', [
        { name: 'a.png', data: await pngBuffer(16, 16), type: 'image/png' },
      ])
    ).status,
  ).toBe(201);
  victim.fileId = (await victimLead.client.get(`/api/projects/${victim.imageProjectId}/items`)).body.items[0].image.fileId;
  const coco = { images: [{ id: 1, file_name: 'a.png', width: 16, height: 16 }], annotations: [], categories: [{ id: 1, name: 'car' }] };
  const preview = await victimLead.client.upload(
    `/api/projects/${victim.imageProjectId}/dataset-imports`,
    'file',
    [{ name: 'coco.json', data: JSON.stringify(coco) }],
    { format: 'coco', as: 'gold' },
  );
  expect(preview.status).toBe(201);
  victim.datasetImportId = preview.body.import.id;
  const exp = await victimLead.client.post(`/api/projects/${p.projectId}/exports`, { format: 'jsonl' });
  expect(exp.status).toBe(201);
  victim.exportId = exp.body.export.id;
  const snap = await victimLead.client.post(`/api/projects/${p.projectId}/snapshots`, { note: 'v1' });
  expect(snap.status).toBe(201);
  victim.snapshotId = snap.body.snapshot.id;

  // The outsiders: members (or the lead) of another project, with levels high enough to pass any level gate.
  const [trainee] = await makeUsers(admin, 'out-trainee', 1, { role: 'trainee', level: 'L1' });
  const [annotator] = await makeUsers(admin, 'out-anno', 1, { role: 'annotator', level: 'L1' });
  const reviewer = await user('out-rev', 'annotator', 'L1', true);
  const otherLead = await user('out-lead', 'lead', 'L1');
  await textProject(otherLead.client, [trainee!.id, annotator!.id, reviewer.id], { n: 2, overlap: 1, name: 'theirs' });
  const memberTrainee = await user('in-trainee', 'trainee', 'L1');
  const memberAnnotator = await user('in-anno', 'annotator', 'L1');
  expect(
    (
      await victimLead.client.put(`/api/projects/${p.projectId}/members`, {
        userIds: [victimAnnotator.id, victimReviewer.id, memberTrainee.id, memberAnnotator.id],
      })
    ).status,
  ).toBe(200);
  victim.projectVersion = (await victimLead.client.get(`/api/projects/${p.projectId}`)).body.project.version;
  clients.set('trainee in the project', { client: memberTrainee.client, id: memberTrainee.id });
  clients.set('annotator in the project', { client: memberAnnotator.client, id: memberAnnotator.id });
  clients.set('signed out', { client: t.client(), id: '000000000000000000000000' });
  clients.set('trainee', { client: trainee!.client, id: trainee!.id });
  clients.set('annotator', { client: annotator!.client, id: annotator!.id });
  clients.set('reviewer-annotator', { client: reviewer.client, id: reviewer.id });
  clients.set('lead of another project', { client: otherLead.client, id: otherLead.id });
}, 180_000);

afterAll(async () => {
  await t?.close();
});

async function call(role: Role, route: string): Promise<ApiResponse> {
  const c = CALLS[route]!;
  const who = clients.get(role)!;
  const method = route.split(' ')[0] as Method;
  const url = c.path(victim, who);
  if (c.upload) return who.client.upload(url, c.upload.field, [{ name: c.upload.name, data: await c.upload.data() }]);
  const body = c.body?.(victim, who);
  return who.client.request(method, url, method === 'GET' ? undefined : (body ?? {}));
}

const victimIds = () => [
  victim.projectId,
  victim.imageProjectId,
  victim.goldItemId,
  victim.annotationId,
  victim.fileId,
  victim.leaseId,
  victim.verdictId,
  ...victim.itemIds,
];

describe('authorization matrix', () => {
  it('knows how to aim every route of the app at the victim project', () => {
    expect(routes.length).toBeGreaterThan(50);
    const missing = routes.filter((r) => !CALLS[r]);
    expect(missing, 'routes with no entry in CALLS (add one, with the victim object it acts on)').toEqual([]);
  });

  it('finds every route of the app in the API tables of README.md and docs/', () => {
    const documented = documentedRoutes();
    expect(documented.size).toBeGreaterThan(50);
    const undocumented = routes.filter((r) => !documented.has(shape(r)));
    expect(undocumented, 'routes missing from the API tables').toEqual([]);
  });

  for (const role of ROLES) {
    it(`refuses ${WHO[role]} on every route that touches the project's objects${MEMBERS.includes(role) ? " beyond a member's own work" : ''}`, async () => {
      const failures: string[] = [];
      for (const route of routes) {
        if (!CALLS[route]) continue;
        const allowed = ALLOWED[route];
        if (allowed?.roles.includes(role)) {
          if (allowed.run === false) continue;
          const r = await call(role, route);
          const text = JSON.stringify(r.body);
          if (!(allowed.ok ?? ((x: ApiResponse) => x.status < 300))(r))
            failures.push(`${route}: allowed (${allowed.why}) but answered ${r.status} ${text.slice(0, 200)}`);
          // Outsiders' allowed answers must not name anything of the project; members see their project.
          if (!MEMBERS.includes(role))
            for (const id of victimIds())
              if (text.includes(id)) failures.push(`${route}: allowed, but its answer names the victim's ${id}`);
          continue;
        }
        const r = await call(role, route);
        const code = typeof r.body === 'object' && r.body ? r.body.error?.code : undefined;
        if (![401, 403, 404].includes(r.status) || typeof code !== 'string') {
          failures.push(`${route}: ${r.status} ${JSON.stringify(r.body).slice(0, 200)}`);
        }
        if (role === 'signed out' && r.status !== 401 && route !== 'POST /api/auth/login')
          failures.push(`${route}: signed out got ${r.status}, not 401`);
      }
      expect(failures).toEqual([]);
    }, 120_000);
  }

  it('left the victim project as it was', async () => {
    const p = (await victimLead.client.get(`/api/projects/${victim.projectId}`)).body.project;
    expect(p).toMatchObject({ name: 'victim', version: victim.projectVersion, status: 'active' });
    expect(p.memberIds).toHaveLength(4);
    expect(p.memberIds).toContain(victim.annotatorId);
    expect((await victimLead.client.get(`/api/projects/${victim.projectId}/items?pageSize=500`)).body.total).toBe(4);
    const ann = await victimAnnotator.client.get(`/api/annotations/${victim.annotationId}`);
    expect(ann.body.annotation.version).toBe(victim.annotationVersion);
    expect(ann.body.annotation.regions.length).toBeGreaterThan(0);
    expect((await victimAnnotator.client.post(`/api/tasks/${victim.leaseId}/heartbeat`)).status).toBe(200);
    const gold = await victimLead.client.get(`/api/items/${victim.goldItemId}`);
    expect(gold.body.item.gold).toBeTruthy();
    const users = await t.app.ctx.db.users.find({ role: 'admin' }).toArray();
    expect(users.map((u) => u.username)).toEqual(['admin']);
    const me = await victimAnnotator.client.get('/api/auth/me');
    expect(me.body.user.disabled).toBe(false);
  });
});
