import type { AnnotatorHistory, Dashboard, Lang } from '@labelwork/core';
import { http, seg, withQuery } from './http.ts';

export type { AnnotatorHistory, AnnotatorHistoryItem, AnnotatorRow, Confusion, Dashboard } from '@labelwork/core';

export function getDashboard(projectId: string, signal?: AbortSignal): Promise<Dashboard> {
  return http.get(`/api/projects/${seg(projectId)}/dashboard`, signal ? { signal } : {});
}

/** One annotator's figures and item history in a project, newest first (leads). */
export function getAnnotatorHistory(projectId: string, userId: string, signal?: AbortSignal): Promise<AnnotatorHistory> {
  return http.get(`/api/projects/${seg(projectId)}/dashboard/annotators/${seg(userId)}`, signal ? { signal } : {});
}

/** The annotator table as CSV, header in `lang` (a plain link: the browser downloads it). */
export function annotatorsCsvUrl(projectId: string, lang: Lang): string {
  return withQuery(`/api/projects/${seg(projectId)}/dashboard/annotators.csv`, { lang });
}
