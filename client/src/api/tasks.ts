import type { Annotation, AnnotatorCounts, QueueCounts, QueueSettings, QueueSettingsPatch, Region, Task } from '@labelwork/core';
import { http, seg, type RequestOptions } from './http.ts';

/** The annotator's task API (see core/src/contracts/tasks.ts) and the lead's queue admin. */

const task = (leaseId: string) => `/api/tasks/${seg(leaseId)}`;
const queue = (projectId: string) => `/api/projects/${seg(projectId)}/queue`;

/**
 * The next task of a project: the lease the user already holds (after a reload), else a new one.
 * Rejects with NOTHING_TO_DO (`details.retryAfterMs`), PROJECT_PAUSED, LEVEL_TOO_LOW, FORBIDDEN…
 */
export async function nextTask(projectId: string, options?: RequestOptions): Promise<Task> {
  return (await http.post<{ task: Task }>(`/api/projects/${seg(projectId)}/tasks/next`, undefined, options)).task;
}

/** Saves work in progress (also keeps the lease alive). LEASE_EXPIRED when the lease is gone (the draft is then kept for the lead). */
export function saveTaskDraft(
  leaseId: string,
  regions: readonly Region[],
  options?: RequestOptions,
): Promise<{ savedAt: string; leaseUntil: string }> {
  return http.put(`${task(leaseId)}/draft`, { regions }, options);
}

export interface SubmitBody {
  /** Client-generated: a resend with the same id answers the same annotation (never a second one). */
  submissionId: string;
  regions: readonly Region[];
  durationMs?: number;
}

export function submitTask(
  leaseId: string,
  body: SubmitBody,
  options?: RequestOptions,
): Promise<{ annotation: Annotation; duplicate: boolean }> {
  return http.post(`${task(leaseId)}/submit`, body, options);
}

/** Gives the task back for good (never offered to this user again). */
export function skipTask(leaseId: string, reason: string): Promise<{ ok: true }> {
  return http.post(`${task(leaseId)}/skip`, { reason });
}

/** Gives the task back; it may be offered again later. */
export function releaseTask(leaseId: string): Promise<{ ok: true }> {
  return http.post(`${task(leaseId)}/release`);
}

/** HTTP heartbeat, for when the realtime connection is down. */
export function heartbeatTask(leaseId: string): Promise<{ leaseUntil: string }> {
  return http.post(`${task(leaseId)}/heartbeat`);
}

export interface QueueOverview {
  settings: QueueSettings;
  counts: QueueCounts;
  annotators: AnnotatorCounts[];
}

export function getQueue(projectId: string, signal?: AbortSignal): Promise<QueueOverview> {
  return http.get(queue(projectId), signal ? { signal } : {});
}

export interface QueueResult {
  queued: number;
  already: number;
  gold: number;
  missing: number;
}

/** Puts every item of the project up for annotation (items already up are left as they are). */
/** Puts every item of the project up for annotation; `priority` 1..100, higher is served first (default 50). */
export function queueAllItems(projectId: string, priority = 50, order: 'given' | 'uncertainty' = 'given'): Promise<QueueResult> {
  return http.post(`${queue(projectId)}/items`, { all: true, priority, order });
}

export async function setQueuePaused(projectId: string, paused: boolean): Promise<QueueCounts> {
  return (await http.post<{ counts: QueueCounts }>(`${queue(projectId)}/${paused ? 'pause' : 'resume'}`)).counts;
}

export async function updateQueueSettings(projectId: string, patch: QueueSettingsPatch): Promise<QueueSettings> {
  return (await http.patch<{ settings: QueueSettings }>(queue(projectId), patch)).settings;
}
