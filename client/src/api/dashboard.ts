import type { Dashboard, Lang } from '@labelwork/core';
import { http, seg, withQuery } from './http.ts';

export type { AnnotatorRow, Dashboard } from '@labelwork/core';

export function getDashboard(projectId: string, signal?: AbortSignal): Promise<Dashboard> {
  return http.get(`/api/projects/${seg(projectId)}/dashboard`, signal ? { signal } : {});
}

/** The annotator table as CSV, header in `lang` (a plain link: the browser downloads it). */
export function annotatorsCsvUrl(projectId: string, lang: Lang): string {
  return withQuery(`/api/projects/${seg(projectId)}/dashboard/annotators.csv`, { lang });
}
