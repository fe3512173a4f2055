import type { AnnotatorFigures, Bucket, Confusion, Forecast, MeanCi, Outlier } from '../quality/dashboard.ts';
import type { ReviewQueueCounts } from './review.ts';

/** One annotator's row on the dashboard. */
export type AnnotatorRow = AnnotatorFigures & { username: string };

/** `GET /api/projects/:id/dashboard` — the lead's dashboard (figures defined in docs/review-and-dashboard.md). */
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
