import type {
  CommentAnchor,
  CommentInput,
  InboxEntry,
  InboxPage,
  ItemDetail,
  Region,
  ReviewComment,
  ReviewQueueCounts,
  ReviewRecord,
  ReviewTask,
  ReworkTask,
  Verdict,
} from '@labelwork/core';
import { csrfHeaders, http, seg, withQuery, type RequestOptions } from './http.ts';

/** The reviewer's queue, the annotator's rework and inbox (server: server/src/modules/review/review.routes.ts). */

const project = (id: string) => `/api/projects/${seg(id)}`;
const reviewTask = (projectId: string, taskId: string) => `${project(projectId)}/review/tasks/${seg(taskId)}`;

/** Draws (or resumes) a review task. Rejects with NOTHING_TO_DO when the queue is empty, FORBIDDEN / LEVEL_TOO_LOW otherwise. */
export async function nextReview(projectId: string, options?: RequestOptions): Promise<ReviewTask> {
  return (await http.post<{ task: ReviewTask }>(`${project(projectId)}/review/next`, undefined, options)).task;
}

export function reviewHeartbeat(projectId: string, taskId: string, token: string): Promise<{ leaseUntil: string }> {
  return http.post(`${reviewTask(projectId, taskId)}/heartbeat`, { token });
}

export function releaseReview(projectId: string, taskId: string, token: string): Promise<{ ok: true }> {
  return http.post(`${reviewTask(projectId, taskId)}/release`, { token });
}

/** Gives the lease back while the page goes away (the request outlives the page). */
export function releaseReviewOnExit(projectId: string, taskId: string, token: string): void {
  void fetch(`${reviewTask(projectId, taskId)}/release`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json', ...csrfHeaders() },
    body: JSON.stringify({ token }),
    credentials: 'same-origin',
    keepalive: true,
  }).catch(() => undefined);
}

export interface VerdictBody {
  token: string;
  verdict: Verdict;
  comments: CommentInput[];
  regions?: Region[];
}

export async function giveVerdict(projectId: string, taskId: string, body: VerdictBody): Promise<ReviewRecord> {
  return (await http.post<{ review: ReviewRecord }>(`${reviewTask(projectId, taskId)}/verdict`, body)).review;
}

export async function addReviewComment(
  projectId: string,
  taskId: string,
  token: string,
  anchor: CommentAnchor,
  text: string,
): Promise<ReviewComment> {
  return (await http.post<{ comment: ReviewComment }>(`${reviewTask(projectId, taskId)}/comments`, { token, anchor, text })).comment;
}

export function reviewCounts(projectId: string, signal?: AbortSignal): Promise<ReviewQueueCounts> {
  return http.get(`${project(projectId)}/review/counts`, signal ? { signal } : {});
}

export async function listRework(projectId: string, signal?: AbortSignal): Promise<ReworkTask[]> {
  return (await http.get<{ tasks: ReworkTask[] }>(`${project(projectId)}/rework`, signal ? { signal } : {})).tasks;
}

export function submitRework(
  projectId: string,
  taskId: string,
  version: number,
  regions: Region[],
): Promise<{ taskId: string; version: number }> {
  return http.post(`${project(projectId)}/rework/${seg(taskId)}`, { version, regions });
}

/** My inbox of verdicts and comments, unread first, then newest first (server: review.inbox.routes.ts). */
export function listInbox(page = 1, pageSize = 20): Promise<InboxPage> {
  return http.get(withQuery('/api/inbox', { page: String(page), pageSize: String(pageSize) }));
}

export function markInboxRead(id: string): Promise<{ entry: InboxEntry; unread: number }> {
  return http.post(`/api/inbox/${seg(id)}/read`);
}

export function markInboxAllRead(): Promise<{ marked: number; unread: number }> {
  return http.post('/api/inbox/read-all');
}

/** One item with all its annotations, agreement, consensus, verdicts and comments (leads). */
export function itemDetail(projectId: string, itemId: string, signal?: AbortSignal): Promise<ItemDetail> {
  return http.get<ItemDetail>(`${project(projectId)}/items/${seg(itemId)}/detail`, signal ? { signal } : {});
}
