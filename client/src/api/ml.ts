import type { AssistInput, AssistReply, MlBackendInput, MlBackendView, MlRunView, MlWebhookView, ModelQuality } from '@labelwork/core';
import { http, seg } from './http.ts';

/** A backend as a project's Models panel shows it: with its attachment to the project, if any. */
export interface ProjectBackend extends MlBackendView {
  attached: { modelVersion: string | null; attachedAt: string; webhook: MlWebhookView } | null;
}

export interface ProjectMl {
  backends: ProjectBackend[];
  runs: MlRunView[];
}

const base = (projectId: string) => `/api/projects/${seg(projectId)}/ml`;

export function getProjectMl(projectId: string, signal?: AbortSignal): Promise<ProjectMl> {
  return http.get<ProjectMl>(base(projectId), signal ? { signal } : {});
}

export function attachBackend(projectId: string, backendId: string): Promise<ProjectMl> {
  return http.post<ProjectMl>(`${base(projectId)}/attach`, { backendId });
}

export function detachBackend(projectId: string, backendId: string): Promise<ProjectMl> {
  return http.post<ProjectMl>(`${base(projectId)}/detach`, { backendId });
}

export async function startRun(projectId: string, backendId: string): Promise<MlRunView> {
  return (await http.post<{ run: MlRunView }>(`${base(projectId)}/runs`, { backendId })).run;
}

export async function cancelRun(projectId: string, runId: string): Promise<MlRunView> {
  return (await http.post<{ run: MlRunView }>(`${base(projectId)}/runs/${seg(runId)}/cancel`)).run;
}

/** Admins only. */
export async function registerBackend(input: Partial<MlBackendInput> & { name: string; url: string }): Promise<MlBackendView> {
  return (await http.post<{ backend: MlBackendView }>('/api/ml/backends', input)).backend;
}

export async function removeBackend(id: string): Promise<void> {
  await http.delete(`/api/ml/backends/${seg(id)}`);
}

export async function checkHealth(id: string): Promise<MlBackendView> {
  return (await http.post<{ backend: MlBackendView }>(`/api/ml/backends/${seg(id)}/health`)).backend;
}

/** Model quality per model version (core's `modelQuality`) with the backend's name. */
export interface ModelVersionQuality extends ModelQuality {
  modelVersion: string | null;
  backend: string;
}

export async function getModelQuality(projectId: string, signal?: AbortSignal): Promise<ModelVersionQuality[]> {
  return (await http.get<{ versions: ModelVersionQuality[] }>(`${base(projectId)}/quality`, signal ? { signal } : {})).versions;
}

/** Sends START_TRAINING to an attached backend; resolves with its answer. */
export async function trainBackend(projectId: string, backendId: string): Promise<unknown> {
  return (await http.post<{ result: unknown }>(`${base(projectId)}/train`, { backendId })).result;
}

/** Turns the annotation webhook of an attached backend on or off. */
export function setWebhook(projectId: string, backendId: string, enabled: boolean): Promise<ProjectMl> {
  return http.post<ProjectMl>(`${base(projectId)}/webhook`, { backendId, enabled });
}

/** The interactive backends attached to a project (project members may ask). */
export async function assistBackends(projectId: string, signal?: AbortSignal): Promise<{ id: string; name: string }[]> {
  return (await http.get<{ backends: { id: string; name: string }[] }>(`${base(projectId)}/assist`, signal ? { signal } : {})).backends;
}

/** Asks the interactive backend to turn a hint on the leased item into regions (pixels). */
export function assist(leaseId: string, input: AssistInput): Promise<AssistReply> {
  return http.post<AssistReply>(`/api/tasks/${seg(leaseId)}/assist`, input);
}
