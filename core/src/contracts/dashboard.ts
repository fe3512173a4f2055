import type { ActiveThroughput, AnnotatorFigures, Bucket, Confusion, Forecast, MeanCi, Outlier } from '../quality/dashboard.ts';
import type { ReviewQueueCounts } from './review.ts';

/** One annotator's row on the dashboard. */
export type AnnotatorRow = AnnotatorFigures & { username: string };

/** `GET /api/projects/:id/dashboard` — the lead's dashboard (figures defined in docs/review-and-dashboard.md). */
export interface Dashboard {
  projectId: string;
  generatedAt: string;
  progress: { items: number; done: number; leased: number | null; submitted: number; tasksTotal: number; forecast: Forecast };
  /** `active`: the last 24 h's submissions over the time annotators actually worked (`activeThroughput`). */
  throughput: { hourly: Bucket[]; daily: Bucket[]; active: ActiveThroughput };
  agreement: {
    byTool: Record<string, { value: number | null; metric: string; items: number; ci: MeanCi }>;
    series: { at: string; byTool: Record<string, number | null> }[];
  };
  pairs: { a: string; b: string; items: number; value: number | null }[];
  /**
   * Label confusion; `vsConsensusBy` is keyed by annotator id. `regions`: matched regions (boxes,
   * polygons, keypoints, spans) between annotators by label, unmatched ones against `(nothing)`
   * (`regionConfusion`, summed over completed items).
   */
  confusion: { between: Confusion; vsConsensus: Confusion; vsConsensusBy: Record<string, Confusion>; regions: Confusion };
  annotators: AnnotatorRow[];
  /** `itemIds`: up to 50 items behind the number; `itemSeqs`: their numbers in the project (import order). */
  outliers: (Outlier & { username: string; itemIds: string[]; itemSeqs: Record<string, number> })[];
  review: { counts: ReviewQueueCounts; accepted: number; rejected: number; fixed: number; rejectionRate: number | null };
}

/** One annotation in an annotator's history (`GET /api/projects/:id/dashboard/annotators/:userId`). */
export interface AnnotatorHistoryItem {
  itemId: string;
  /** The item's import order number and a short name (image file name or the text's external id). */
  seq: number | null;
  name: string | null;
  annotationId: string;
  at: string;
  durationMs: number | null;
  gold: boolean;
  goldScore: number | null;
  /** Verdicts on this annotator's work on the item, oldest first. */
  verdicts: ('accept' | 'reject' | 'fix')[];
}

/** `GET /api/projects/:id/dashboard/annotators/:userId` — one annotator's figures and history, newest first. */
export interface AnnotatorHistory {
  userId: string;
  username: string;
  figures: AnnotatorFigures | null;
  items: AnnotatorHistoryItem[];
}
