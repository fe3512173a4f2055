import { ApiClient } from './api-client.ts';

/**
 * Test data set up through the API, shared by the integration and browser tests: users created by
 * the admin (password `<name>-password`) and a project a lead creates, with members, items and a
 * queue.
 */

export interface UserSpec {
  name: string;
  role: string;
  level?: string;
  reviewer?: boolean;
  lang?: string;
}

export interface TestUser {
  id: string;
  username: string;
  /** Signed in as this user. */
  client: ApiClient;
}

/** Creates a user through the admin API; returns its id. Fields left out take the server's defaults. */
export async function createUser(admin: ApiClient, { name, role, level, reviewer, lang }: UserSpec): Promise<string> {
  const r = await admin.post('/api/users', { username: name, password: `${name}-password`, role, level, reviewer, lang });
  if (r.status !== 201) throw new Error(`user ${name}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.user.id as string;
}

/** Creates the users one after another; returns their ids in the same order. */
export async function createUsers(admin: ApiClient, specs: UserSpec[]): Promise<string[]> {
  const ids: string[] = [];
  for (const s of specs) ids.push(await createUser(admin, s));
  return ids;
}

/** Creates a user and signs them in on `url` (the admin's server unless given). */
export async function signedInUser(admin: ApiClient, spec: UserSpec, url = admin.baseUrl): Promise<TestUser> {
  const id = await createUser(admin, spec);
  const client = new ApiClient(url);
  const l = await client.login(spec.name, `${spec.name}-password`);
  if (l.status !== 200) throw new Error(`login ${spec.name}: ${l.status}`);
  return { id, username: spec.name, client };
}

export interface UploadFile {
  name: string;
  data: Buffer | string;
  type?: string;
}

export interface ProjectSpec {
  name: string;
  kind: 'image' | 'text';
  labelSchema: unknown;
  overlap?: number;
  goldRate?: number;
  minLevel?: string;
  guideline?: { slug: string; version: string };
  /** Set with a PATCH after the project is created (e.g. `{ sampleRate: 1 }`). */
  reviewPolicy?: Record<string, unknown>;
  /** User ids made members. */
  members?: string[];
  /** Image files, imported as one upload. */
  images?: UploadFile[];
  /** A JSONL file of text items. */
  text?: UploadFile;
  /**
   * Put every item up after the import. A number asks again until that many items are queued
   * (an image is put up once its import has been processed).
   */
  queue?: boolean | number;
}

/** A project the lead creates with defaults overlap 1, gold rate 0 and minimum level L5; returns its id. */
export async function setUpProject(lead: ApiClient, spec: ProjectSpec): Promise<string> {
  const { name, kind, labelSchema, overlap = 1, goldRate = 0, minLevel = 'L5', guideline } = spec;
  const p = await lead.post('/api/projects', { name, kind, labelSchema, overlap, goldRate, minLevel, guideline });
  if (p.status !== 201) throw new Error(`project: ${JSON.stringify(p.body)}`);
  const projectId = p.body.project.id as string;
  if (spec.members?.length) await lead.put(`/api/projects/${projectId}/members`, { userIds: spec.members });
  if (spec.reviewPolicy) {
    const cur = (await lead.get(`/api/projects/${projectId}`)).body.project;
    const r = await lead.patch(`/api/projects/${projectId}`, { version: cur.version, reviewPolicy: spec.reviewPolicy });
    if (r.status !== 200) throw new Error(`policy: ${JSON.stringify(r.body)}`);
  }
  if (spec.images || spec.text) {
    const imp = spec.images
      ? await lead.upload(`/api/projects/${projectId}/items/images`, 'files', spec.images)
      : await lead.upload(`/api/projects/${projectId}/items/text`, 'file', [spec.text!]);
    if (imp.status !== 201) throw new Error(`import: ${JSON.stringify(imp.body)}`);
  }
  if (spec.queue !== undefined && spec.queue !== false) await queueAll(lead, projectId, spec.queue === true ? undefined : spec.queue);
  return projectId;
}

/** Puts every item up; with `expected`, asks again until that many items are queued. */
async function queueAll(lead: ApiClient, projectId: string, expected?: number): Promise<void> {
  for (let tries = 0; ; tries++) {
    const q = await lead.post(`/api/projects/${projectId}/queue/items`, { all: true });
    if (q.status !== 200) throw new Error(`queue: ${JSON.stringify(q.body)}`);
    if (expected === undefined) return;
    const counts = (await lead.get(`/api/projects/${projectId}/queue`)).body.counts as { itemsQueued: number };
    if (counts.itemsQueued === expected) return;
    if (tries > 60) throw new Error(`items not queued: ${JSON.stringify(counts)}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}
