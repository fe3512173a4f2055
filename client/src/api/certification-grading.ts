import type { GuidelineRef, LocalizedText } from '@labelwork/core';
import { http, seg } from './http.ts';
import type { Media } from './certification.ts';

/** Shapes of the people-graded certification parts (server certification.grading.ts); see README "Certification". */

export interface RubricCriterion {
  id: string;
  title: LocalizedText;
  description: LocalizedText;
  points: number;
}

export interface RubricResult {
  points: Record<string, number>;
  total: number;
  max: number;
  score: number;
}

export interface SpecDraft {
  scope: string;
  labels: { name: string; definition: string; includes?: string; excludes?: string }[];
  edgeCases: { situation: string; rule: string; itemIds: string[] }[];
  examples: { itemId: string; label: string; note: string }[];
}

export interface SpecificationView {
  id: string;
  level: string;
  status: 'running' | 'awaiting' | 'graded';
  candidate: { id: string; displayName: string | null };
  mine: boolean;
  guideline: GuidelineRef & { title: LocalizedText; labels: { name: string; tool: string }[] };
  startedAt: string;
  deadline: string;
  serverNow: string;
  submittedAt: string | null;
  timedOut: boolean;
  requirements: { minEdgeCases: number; minExamples: number };
  rubric: RubricCriterion[];
  passMark: number;
  sample: { id: string; difficulty: number; media: Media }[];
  spec: SpecDraft;
  claimedBy: { id: string; displayName: string | null; me: boolean } | null;
  score: number | null;
  passed: boolean | null;
  grade: { by: string | null; at: string; result: RubricResult; comments: Record<string, string>; comment: string } | null;
}

export interface SpecificationProblem {
  kind: string;
  label?: string;
  index?: number;
  have?: number;
  need?: number;
  itemId?: string;
}

export interface PanelPerson {
  id: string;
  displayName: string | null;
  level: string | null;
}

export interface PanelScore {
  at: string;
  result: RubricResult;
  comments: Record<string, string>;
  comment: string;
  defenseNote: string;
}

export interface PanelView {
  id: string;
  level: string;
  candidate: PanelPerson;
  mine: boolean;
  portfolio: { statement: string; links: string[] };
  stats: {
    goldAnswers: number;
    goldAccuracy: number | null;
    reviewedAnnotations: number;
    reviewAcceptance: number | null;
    reviewsGiven: number;
    practiceAnswered: number;
    practiceMean: number | null;
    certificates: string[];
    mentored: number | null;
  };
  submittedAt: string;
  rubric: RubricCriterion[];
  rule: { rule: 'mean-and-floor' | 'majority'; passMark: number; floor: number; minPanel: number };
  convened: boolean;
  convenedBy: PanelPerson | null;
  members: (PanelPerson & { scored: boolean })[];
  isMember: boolean;
  myScore: PanelScore | null;
  scores: (PanelScore & { member: PanelPerson })[] | null;
  decision: { complete: boolean; mean: number | null; passed: boolean | null; reasons: string[]; at: string } | null;
  eligible: { id: string; displayName: string; level: string; role: string }[] | null;
}

export interface GradingQueue {
  counts: {
    specificationsOpen: number;
    specificationsMine: number;
    specificationsClaimed: number;
    panelsToConvene: number;
    panelsAwaitingMyScore: number;
    panelsInProgress: number;
  };
  specifications: {
    id: string;
    candidate: string | null;
    level: string;
    guideline: GuidelineRef;
    submittedAt: string | null;
    timedOut: boolean;
    claimedBy: string | null;
    claimedByMe: boolean;
  }[];
  panels: {
    id: string;
    candidate: string | null;
    level: string;
    submittedAt: string;
    convened: boolean;
    members: number;
    scored: number;
    awaitingMyScore: boolean;
  }[];
}

export interface GradeInput {
  points: Record<string, number>;
  comments: Record<string, string>;
  comment: string;
}

const spec = (id: string) => `/api/certification/specifications/${seg(id)}`;
const panel = (id: string) => `/api/certification/panels/${seg(id)}`;
const opts = (signal?: AbortSignal) => (signal ? { signal } : {});

export const gradingApi = {
  queue: (signal?: AbortSignal) => http.get<GradingQueue>('/api/certification/grading', opts(signal)),
  startSpecification: async (guideline: GuidelineRef) =>
    (await http.post<{ specification: SpecificationView }>('/api/certification/specifications', { guideline })).specification,
  specification: async (id: string, signal?: AbortSignal) =>
    (await http.get<{ specification: SpecificationView }>(spec(id), opts(signal))).specification,
  saveSpecification: (id: string, draft: SpecDraft) => http.put<{ savedAt: string }>(spec(id), { spec: draft }),
  submitSpecification: async (id: string, draft: SpecDraft) =>
    (await http.post<{ specification: SpecificationView }>(`${spec(id)}/submit`, { spec: draft })).specification,
  claim: async (id: string) => (await http.post<{ specification: SpecificationView }>(`${spec(id)}/claim`)).specification,
  release: (id: string) => http.post<{ ok: true }>(`${spec(id)}/release`),
  grade: async (id: string, input: GradeInput) =>
    (await http.post<{ specification: SpecificationView }>(`${spec(id)}/grade`, input)).specification,
  submitPortfolio: async (statement: string, links: string[]) =>
    (await http.post<{ panel: PanelView }>('/api/certification/panels', { statement, links })).panel,
  panel: async (id: string, signal?: AbortSignal) => (await http.get<{ panel: PanelView }>(panel(id), opts(signal))).panel,
  convene: async (id: string, members: string[]) => (await http.post<{ panel: PanelView }>(`${panel(id)}/convene`, { members })).panel,
  score: async (id: string, input: GradeInput & { defenseNote: string }) =>
    (await http.post<{ panel: PanelView }>(`${panel(id)}/scores`, input)).panel,
};
