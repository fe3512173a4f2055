import type { AnnotatorFigures, Bucket, Confusion, Forecast, Lang, MeanCi, Outlier, ReviewQueueCounts } from '@labelwork/core';
import { http, seg, withQuery } from './http.ts';

/** The lead's dashboard (server: server/src/modules/dashboard; figures defined in docs/review-and-dashboard.md). */
export type AnnotatorRow = AnnotatorFigures & { username: string };

export interface Dashboard {
  projectId: string;
  generatedAt: string;
  progress: { items: number; done: number; leased: number | null; submitted: number; tasksTotal: number; forecast: Forecast };
  throughput: { hourly: Bucket[]; daily: Bucket[] };
  agreement: {
    byTool: Record<string, { value: number | null; metric: string; items: number; ci: MeanCi }>;
    series: { at: string; byTool: Record<string, number | null> }[];
  };
  pairs: { a: string; b: string; items: number; value: number | null }[];
  confusion: { between: Confusion; vsConsensus: Confusion };
  annotators: AnnotatorRow[];
  outliers: (Outlier & { username: string; itemIds: string[] })[];
  review: { counts: ReviewQueueCounts; accepted: number; rejected: number; fixed: number; rejectionRate: number | null };
}

export function getDashboard(projectId: string, signal?: AbortSignal): Promise<Dashboard> {
  return http.get(`/api/projects/${seg(projectId)}/dashboard`, signal ? { signal } : {});
}

/** The annotator table as CSV, header in `lang` (a plain link: the browser downloads it). */
export function annotatorsCsvUrl(projectId: string, lang: Lang): string {
  return withQuery(`/api/projects/${seg(projectId)}/dashboard/annotators.csv`, { lang });
}
