import type { Item, Project, ProjectInput, ProjectLead, ProjectPatch, ProjectStatus } from '@labelwork/core';
import { http, seg, withQuery } from './http.ts';

export type ProjectFilter = ProjectStatus | 'all';

const base = (id: string) => `/api/projects/${seg(id)}`;

export async function listProjects(status: ProjectFilter, signal?: AbortSignal): Promise<Project[]> {
  const { projects } = await http.get<{ projects: Project[] }>(withQuery('/api/projects', { status }), signal ? { signal } : {});
  return projects;
}

export async function getProject(id: string, signal?: AbortSignal): Promise<Project> {
  return (await http.get<{ project: Project }>(base(id), signal ? { signal } : {})).project;
}

export async function createProject(input: ProjectInput): Promise<Project> {
  return (await http.post<{ project: Project }>('/api/projects', input)).project;
}

/** Answers 409 VERSION_CONFLICT with `details.current` when `patch.version` is stale. */
export async function updateProject(id: string, patch: ProjectPatch): Promise<Project> {
  return (await http.patch<{ project: Project }>(base(id), patch)).project;
}

/** Regions per label in the project's annotations, drafts and gold answers (managers). */
export type LabelUsage = Record<string, { annotations: number; drafts: number; gold: number }>;

export async function labelUsage(id: string): Promise<LabelUsage> {
  return (await http.get<{ labels: LabelUsage }>(`${base(id)}/label-usage`)).labels;
}

export async function archiveProject(id: string): Promise<Project> {
  return (await http.post<{ project: Project }>(`${base(id)}/archive`)).project;
}

export async function unarchiveProject(id: string): Promise<Project> {
  return (await http.post<{ project: Project }>(`${base(id)}/unarchive`)).project;
}

export async function addMembers(id: string, userIds: string[]): Promise<Project> {
  return (await http.put<{ project: Project }>(`${base(id)}/members`, { userIds })).project;
}

export async function removeMember(id: string, userId: string): Promise<Project> {
  return (await http.delete<{ project: Project }>(`${base(id)}/members/${seg(userId)}`)).project;
}

/** Who to ask about a project: its owner, then its lead members (anyone who sees the project). */
export async function projectLeads(id: string, signal?: AbortSignal): Promise<ProjectLead[]> {
  return (await http.get<{ leads: ProjectLead[] }>(`/api/projects/${seg(id)}/leads`, signal ? { signal } : {})).leads;
}

export interface ItemPage {
  items: Item[];
  total: number;
  page: number;
  pageSize: number;
}

export function listItems(id: string, page: number, pageSize: number, signal?: AbortSignal): Promise<ItemPage> {
  return http.get<ItemPage>(withQuery(`${base(id)}/items`, { page, pageSize }), signal ? { signal } : {});
}

export const importPaths = {
  images: (id: string) => `${base(id)}/items/images`,
  text: (id: string) => `${base(id)}/items/text`,
};

export interface ImageImportAnswer {
  importId: string;
  created: number;
  items?: Item[];
}

export interface TextImportAnswer {
  importId: string;
  created: number;
}

/** URL of a stored file (image or thumbnail). */
export function fileUrl(fileId: string): string {
  return `/api/files/${seg(fileId)}`;
}
