import type { GuidelineRef, LabelSchema, LocalizedText, ProjectKind, Region } from '@labelwork/core';
import { http, seg } from './http.ts';

/** Shapes of the certification API (server/src/modules/certification); see README "Certification". */

export interface PartStanding {
  part: 'theory' | 'practical' | 'review' | 'specification' | 'comprehensive';
  passMark: number;
  best: number | null;
  passed: boolean;
  available: boolean;
  canStart: boolean;
  refusal?: string;
  earliest?: string | null;
  /** Specification exercise, comprehensive review: the attempt that runs or waits for its graders. */
  openAttemptId?: string;
  questions?: number;
  items?: number;
  timeLimitMinutes?: number;
}

export interface AttemptSummary {
  id: string;
  part: PartStanding['part'];
  guideline: GuidelineRef;
  status: 'running' | 'awaiting' | 'graded';
  startedAt: string;
  finishedAt: string | null;
  score: number | null;
  passed: boolean | null;
  timedOut: boolean;
}

export interface LabelScore {
  tp: number;
  fp: number;
  fn: number;
  f1: number | null;
}

export interface Certificate {
  id: string;
  number: string;
  userId: string;
  holder: { username: string; displayName: string } | null;
  level: string;
  promotedTo: string | null;
  issuedAt: string;
  parts: { part: string; score: number; passMark: number }[];
  examiners: string[];
  /** The examiners' names (`system` for machine-graded parts), from the certificate route. */
  examinerNames?: string[];
  guidelines: GuidelineRef[];
}

export interface TrainingGuideline {
  slug: string;
  version: string;
  title: LocalizedText;
  kind: ProjectKind;
  quiz: number;
  practice: number;
  exam: number;
}

export interface Pause {
  projectId: string;
  projectName: string;
  userId: string;
  username: string;
  pausedAt: string;
  accuracy: number;
  answers: number;
  threshold: number;
}

export interface Contest {
  id: string;
  projectId: string;
  projectName: string;
  itemId: string;
  userId: string;
  username: string;
  note: string;
  status: 'open' | 'accepted' | 'rejected';
  at: string;
}

export interface MyCertification {
  level: string;
  nextLevel: string | null;
  parts: PartStanding[];
  ready: boolean;
  maxAttempts: number | null;
  cooldownHours: number;
  attempts: AttemptSummary[];
  certificates: Certificate[];
  guidelines: TrainingGuideline[];
  practice: {
    answered: number;
    meanScore: number | null;
    perLabel: Record<string, LabelScore>;
    weakLabels: string[];
    meanTimeMs: number | null;
  };
  pauses: Pause[];
}

export type Media = { kind: 'image'; file: string; width: number; height: number } | { kind: 'text'; text: string };

export interface PracticeItem {
  id: string;
  difficulty: number;
  media: Media;
  firstScore: number | null;
}

export interface PracticeList {
  guideline: { slug: string; version: string; title: LocalizedText; kind: ProjectKind; labelSchema: LabelSchema };
  items: PracticeItem[];
}

export interface RegionFeedback {
  verdict: 'matched' | 'wrong-label' | 'missed' | 'extra';
  metric: 'iou' | 'oks' | 'overlap' | 'class';
  goldId?: string;
  goldLabel?: string;
  candidateId?: string;
  candidateLabel?: string;
  similarity?: number;
}

export interface ItemFeedback {
  regions: RegionFeedback[];
  perLabel: Record<string, LabelScore>;
  score: number;
}

export interface PracticeResult {
  counted: boolean;
  feedback: ItemFeedback;
  gold: Region[];
  answer: Region[];
  hardCase: { number: number; title: string; markdown: string } | null;
}

export interface Attempt {
  id: string;
  part: 'theory' | 'practical' | 'review';
  level: string;
  guideline: GuidelineRef;
  status: 'running' | 'graded';
  startedAt: string;
  deadline: string;
  serverNow: string;
  finishedAt: string | null;
  questions?: { ref: string; type: 'true-false' | 'single' | 'multiple'; question: string; options: string[] }[];
  items?: { id: string; difficulty: number; media: Media }[];
  /** Review exercise: the annotations to review, per item. */
  shown?: Record<string, Region[]>;
  answers: Record<string, number[] | Region[] | string[]>;
  score: number | null;
  passMark: number;
  passed: boolean | null;
  timedOut: boolean;
  report?: {
    questions?: { ref: string; picked: number[]; answer: number[]; credit: number }[];
    explanations?: Record<string, string>;
    items?: ({ itemId: string; answered: boolean } & ItemFeedback)[];
    gold?: Record<string, Region[]>;
    raw?: number;
    found?: { itemId: string; kind: string; regionId?: string; found: boolean }[];
    precision?: number | null;
    recall?: number | null;
    time?: { overMinutes: number; penalty: number; stopped: boolean };
  };
}

export interface Trainee {
  id: string;
  username: string;
  displayName: string;
  role: string;
  level: string;
  parts: string[];
  attempts: {
    id: string;
    level: string;
    part: string;
    status: string;
    startedAt: string;
    score: number | null;
    passed: boolean | null;
    timedOut: boolean;
  }[];
  certificates: { id: string; number: string; level: string; issuedAt: string }[];
  practice: { answered: number; meanScore: number | null };
}

const practiceBase = (slug: string, version: string) => `/api/certification/practice/${seg(slug)}/${seg(version)}/items`;

export const certificationApi = {
  me: (signal?: AbortSignal) => http.get<MyCertification>('/api/certification/me', signal ? { signal } : {}),
  practice: (slug: string, version: string, signal?: AbortSignal) =>
    http.get<PracticeList>(practiceBase(slug, version), signal ? { signal } : {}),
  practiceImageUrl: (slug: string, version: string, itemId: string) => `${practiceBase(slug, version)}/${seg(itemId)}/image`,
  answerPractice: (slug: string, version: string, itemId: string, regions: Region[], timeMs: number) =>
    http.post<PracticeResult>(`${practiceBase(slug, version)}/${seg(itemId)}/answers`, { regions, timeMs }),
  start: async (part: 'theory' | 'practical' | 'review', guideline: GuidelineRef) =>
    (await http.post<{ attempt: Attempt }>('/api/certification/attempts', { part, guideline })).attempt,
  attempt: async (id: string, signal?: AbortSignal) =>
    (await http.get<{ attempt: Attempt }>(`/api/certification/attempts/${seg(id)}`, signal ? { signal } : {})).attempt,
  save: (id: string, answers: Record<string, unknown>) =>
    http.put<{ savedAt: string }>(`/api/certification/attempts/${seg(id)}/answers`, { answers }),
  submit: async (id: string, answers: Record<string, unknown>) =>
    (await http.post<{ attempt: Attempt }>(`/api/certification/attempts/${seg(id)}/submit`, { answers })).attempt,
  attemptImageUrl: (id: string, itemId: string) => `/api/certification/attempts/${seg(id)}/items/${seg(itemId)}/image`,
  certificate: async (id: string, signal?: AbortSignal) =>
    (await http.get<{ certificate: Certificate }>(`/api/certification/certificates/${seg(id)}`, signal ? { signal } : {})).certificate,
  contests: async (signal?: AbortSignal) =>
    (await http.get<{ contests: Contest[] }>('/api/certification/contests', signal ? { signal } : {})).contests,
  resolveContest: (id: string, accept: boolean) =>
    http.post<{ contest: Contest }>(`/api/certification/contests/${seg(id)}/resolve`, { accept }),
  pauses: async (signal?: AbortSignal) =>
    (await http.get<{ pauses: Pause[] }>('/api/certification/pauses', signal ? { signal } : {})).pauses,
  lift: (projectId: string, userId: string) => http.post<{ ok: true }>(`/api/certification/pauses/${seg(projectId)}/${seg(userId)}/lift`),
  trainees: async (signal?: AbortSignal) =>
    (await http.get<{ trainees: Trainee[] }>('/api/certification/trainees', signal ? { signal } : {})).trainees,
};
