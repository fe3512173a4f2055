import type { Lang, LocalizedText, QuizQuestionType } from '@labelwork/core';
import { http, seg } from './http.ts';

/** Shapes of the exam-bank editor and mentoring API (server/src/modules/certification); see README "Certification". */

export interface BankQuestionInput {
  type: QuizQuestionType;
  question: LocalizedText;
  options: LocalizedText[];
  answer: number[];
  explanation: LocalizedText;
  topic: string;
  difficulty: number;
}

export interface BankQuestion extends BankQuestionInput {
  ref: string;
  id: string;
  version: number;
  status: 'active' | 'retired';
  source: 'file' | 'ui';
  updatedAt: string;
}

export interface QuestionBank {
  guideline: { slug: string; version: string; title: LocalizedText; languages: Lang[] };
  questions: BankQuestion[];
  topics: string[];
  active: Record<QuizQuestionType, number>;
  needs: { level: string; needs: Record<QuizQuestionType, number> }[];
}

export interface QuestionVersion extends BankQuestionInput {
  version: number;
  at: string;
  by: string | null;
  status: 'active' | 'retired';
}

export interface Person {
  id: string;
  username: string;
  displayName: string;
  level: string;
  role: string;
}

export interface Goal {
  id: string;
  text: string;
  due: string;
  done: boolean;
  doneAt: string | null;
}

export interface CoachingNote {
  id: string;
  date: string;
  text: string;
  links: { kind: 'attempt' | 'practice'; id: string }[];
  author: string | null;
  at: string;
}

export interface MentoringRecord {
  trainee: Person;
  mentor: Person | null;
  canWrite: boolean;
  canAssign: boolean;
  notes: CoachingNote[];
  goals: Goal[];
  attempts: { id: string; level: string; part: string; startedAt: string; score: number | null; passed: boolean | null }[];
  practice: { id: string; score: number; at: string }[];
}

export interface MyMentoring {
  mentor: Person | null;
  openGoals: Goal[];
  mentees: (Person & { openGoals: Goal[] })[];
}

export interface MentoringOverviewRow {
  traineeId: string;
  mentor: Person | null;
  openGoals: Goal[];
}

const bankBase = (slug: string, version: string) => `/api/certification/questions/${seg(slug)}/${seg(version)}`;
const opt = (signal?: AbortSignal) => (signal ? { signal } : {});

export const questionBankApi = {
  list: (slug: string, version: string, filter: { type?: string; topic?: string; status?: string }, signal?: AbortSignal) => {
    const q = new URLSearchParams(Object.entries(filter).filter((e): e is [string, string] => !!e[1]));
    const qs = q.toString();
    return http.get<QuestionBank>(`${bankBase(slug, version)}${qs ? `?${qs}` : ''}`, opt(signal));
  },
  create: async (slug: string, version: string, input: BankQuestionInput) =>
    (await http.post<{ question: BankQuestion }>(bankBase(slug, version), input)).question,
  update: async (slug: string, version: string, id: string, expected: number, input: BankQuestionInput) =>
    (await http.put<{ question: BankQuestion }>(`${bankBase(slug, version)}/${seg(id)}`, { ...input, version: expected })).question,
  retire: async (slug: string, version: string, id: string, expected: number) =>
    (await http.post<{ question: BankQuestion }>(`${bankBase(slug, version)}/${seg(id)}/retire`, { version: expected })).question,
  restore: async (slug: string, version: string, id: string, expected: number) =>
    (await http.post<{ question: BankQuestion }>(`${bankBase(slug, version)}/${seg(id)}/restore`, { version: expected })).question,
  history: async (slug: string, version: string, id: string, signal?: AbortSignal) =>
    (await http.get<{ versions: QuestionVersion[] }>(`${bankBase(slug, version)}/${seg(id)}/history`, opt(signal))).versions,
  importFile: (slug: string, version: string) => http.post<{ added: number; kept: number }>(`${bankBase(slug, version)}/import`, {}),
};

const mentoringBase = '/api/certification/mentoring';

export const mentoringApi = {
  me: (signal?: AbortSignal) => http.get<MyMentoring>(`${mentoringBase}/me`, opt(signal)),
  overview: async (signal?: AbortSignal) =>
    (await http.get<{ trainees: MentoringOverviewRow[] }>(`${mentoringBase}/overview`, opt(signal))).trainees,
  record: (traineeId: string, signal?: AbortSignal) => http.get<MentoringRecord>(`${mentoringBase}/${seg(traineeId)}`, opt(signal)),
  assign: (traineeId: string, mentorId: string) => http.put<{ mentor: Person }>(`${mentoringBase}/${seg(traineeId)}/mentor`, { mentorId }),
  unassign: (traineeId: string) => http.delete<{ ok: true }>(`${mentoringBase}/${seg(traineeId)}/mentor`),
  note: (traineeId: string, note: { date: string; text: string; links: CoachingNote['links'] }) =>
    http.post<{ note: CoachingNote }>(`${mentoringBase}/${seg(traineeId)}/notes`, note),
  goal: (traineeId: string, goal: { text: string; due: string }) =>
    http.post<{ goal: Goal }>(`${mentoringBase}/${seg(traineeId)}/goals`, goal),
  done: (traineeId: string, goalId: string, done: boolean) =>
    http.post<{ goal: Goal }>(`${mentoringBase}/${seg(traineeId)}/goals/${seg(goalId)}/done`, { done }),
};
