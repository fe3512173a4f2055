/**
 * Trainee certification: exam attempts, certificates, counted practice answers and the admins'
 * level configuration. Written only by the server's certification module
 * (server/src/modules/certification); a promotion changes the user's level through the users module.
 */
import type { Collection, Db, ObjectId } from 'mongodb';
import type { QuizQuestion } from '@labelwork/core';
import type {
  CertificationConfig,
  ExamPart,
  GuidelineRef,
  LabelScore,
  Level,
  PanelDecision,
  PanelRule,
  PlantedError,
  Region,
  RubricResult,
  SpecificationDraft,
  Tool,
} from '@labelwork/core';
import { storedKeys } from './stored-keys.ts';

/** `awaiting`: handed in, waiting for people to grade it (specification exercise, comprehensive review). */
export type CertAttemptStatus = 'running' | 'awaiting' | 'graded';

/**
 * One attempt of one exam part. `slotKey` = `<userId>:<level>:<part>:<n>` (n = 1, 2, …) is unique,
 * so two starts racing for the same attempt number cannot both succeed.
 */
export interface CertAttemptDoc {
  _id: ObjectId;
  schemaVersion: 1;
  slotKey: string;
  userId: ObjectId;
  /** The user's level when the attempt started: the exam of that level. */
  level: Level;
  part: ExamPart;
  guideline: GuidelineRef;
  status: CertAttemptStatus;
  startedAt: Date;
  /** After this the attempt takes no answers and is graded as it stands. */
  deadline: Date;
  finishedAt: Date | null;
  /** Theory: question refs in paper order. Practical: practice item ids in draw order. */
  draw: string[];
  /** Theory: the bank version of each drawn question (ref → version), so later edits leave the paper as drawn. Absent on papers drawn from the file bank. */
  drawVersions?: { key: string; value: number }[];
  /**
   * Theory: picked option indexes per question ref. Practical: regions per item id. Saved as the
   * candidate goes; stored as a list because refs hold dots, which field names may not.
   */
  answers: { key: string; value: number[] | Region[] | string[] }[];
  /** Review exercise: the annotations shown per item (gold with planted errors) and the planted errors; never sent before grading. */
  shown?: { key: string; value: Region[] }[];
  planted?: PlantedError[];
  /** 0–100 once graded. */
  score: number | null;
  passMark: number;
  passed: boolean | null;
  /** Graded after the deadline without a submit. */
  timedOut: boolean;
  /**
   * The grading detail shown in the report after the attempt (never before). A practical result's
   * per-label scores (overall and per item) are keyed by label name: stored through `storedAttemptResult`.
   */
  result: Record<string, unknown> | null;
  /** Parts graded by people: who graded (user ids); the certificate names them as examiners. */
  examiners?: string[];
}

/** A certificate: issued when every part of a level's exam is passed, with the promotion it brought. */
export interface CertificateDoc {
  _id: ObjectId;
  schemaVersion: 1;
  /** `<userId>:<level>`: unique, so one pass of a level's exam issues one certificate even when two closes race. */
  levelKey: string;
  /** `LW-<year>-<level>-<seq>` (core's certificateNumber); unique. */
  number: string;
  userId: ObjectId;
  /** The level whose exam was passed. */
  level: Level;
  /** The level it promoted to (null at L1). */
  promotedTo: Level | null;
  issuedAt: Date;
  parts: { part: ExamPart; score: number; passMark: number; attemptId: ObjectId }[];
  /** Who graded: `system` for machine-graded parts, else the graders' user ids. */
  examiners: string[];
  guidelines: GuidelineRef[];
}

/** A trainee's first answer to a practice item (`_id` = `<userId>:<slug>@<version>:<itemId>`): only it counts. */
export interface CertPracticeDoc {
  _id: string;
  schemaVersion: 1;
  userId: ObjectId;
  guideline: GuidelineRef;
  itemId: string;
  at: Date;
  /** 0–1 (core's itemFeedback score). */
  score: number;
  /** Keyed by label name (the candidate's too, in or out of the schema): stored through `storedPractice`. */
  perLabel: Record<string, LabelScore>;
  byTool: Partial<Record<Tool, number | null>>;
  /** Milliseconds from opening the item to the answer, when the client said. */
  timeMs: number | null;
}

type PerLabel = { perLabel?: unknown };
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
/** `perLabel` of an object (when it has one) with its label keys passed through `keys`. */
function withPerLabel<T>(o: T, keys: (r: Record<string, unknown>) => Record<string, unknown>): T {
  const p = (o as PerLabel).perLabel;
  return isRecord(o) && isRecord(p) ? { ...o, perLabel: keys(p) } : o;
}
/** A grading result's label-keyed parts (the practical's `perLabel` and each item's) through `keys`. */
function resultLabelKeys(result: Record<string, unknown> | null, keys: (r: Record<string, unknown>) => Record<string, unknown>) {
  if (!result) return result;
  const out = withPerLabel(result, keys);
  return Array.isArray(out.items) ? { ...out, items: out.items.map((it: unknown) => withPerLabel(it, keys)) } : out;
}

/** A graded attempt's result as stored (label keys escaped, see `storedKeys`), and back. */
export const storedAttemptResult = {
  encode: (result: Record<string, unknown> | null) => resultLabelKeys(result, storedKeys.encode),
  decode: <D extends Pick<CertAttemptDoc, 'result'> | null>(doc: D): D =>
    doc && doc.result ? { ...doc, result: resultLabelKeys(doc.result, storedKeys.decode) } : doc,
};

/** A practice answer as stored (label keys escaped, see `storedKeys`), and back. */
export const storedPractice = {
  encode: (doc: CertPracticeDoc): CertPracticeDoc => ({ ...doc, perLabel: storedKeys.encode(doc.perLabel) }),
  decode: (doc: CertPracticeDoc): CertPracticeDoc => ({ ...doc, perLabel: storedKeys.decode(doc.perLabel ?? {}) }),
};

/** The certification configuration edited by admins (`_id` = 'config'); absent means the defaults. */
export interface CertConfigDoc {
  _id: string;
  schemaVersion: 1;
  config: CertificationConfig;
  updatedAt: Date;
  updatedBy: ObjectId;
}

/**
 * A person paused on a project because their rolling accuracy on gold items fell below the rule
 * (`_id` = `<projectId>:<userId>`). Only a project's manager lifts it; a lift restarts the history.
 */
export interface CertPauseDoc {
  _id: string;
  schemaVersion: 1;
  projectId: ObjectId;
  userId: ObjectId;
  active: boolean;
  pausedAt: Date;
  /** The rolling accuracy (0–1) and the number of gold answers it was taken over. */
  accuracy: number;
  answers: number;
  threshold: number;
  liftedAt: Date | null;
  liftedBy: ObjectId | null;
}

/**
 * "The gold answer is wrong": a person contests a gold item of a project they answered
 * (`contestKey` = `<itemId>:<userId>`, unique). A manager accepts (and fixes the gold through the
 * items API) or rejects it; answers to the item up to an accepted contest leave everyone's rolling accuracy.
 */
export interface CertContestDoc {
  _id: ObjectId;
  schemaVersion: 1;
  contestKey: string;
  projectId: ObjectId;
  itemId: ObjectId;
  userId: ObjectId;
  note: string;
  status: 'open' | 'accepted' | 'rejected';
  at: Date;
  resolvedAt: Date | null;
  resolvedBy: ObjectId | null;
  resolution: string | null;
}

/**
 * The specification exercise of an attempt (`_id` = the attempt's id): the sample it is about, the
 * candidate's specification, and the grading lead's claim and grade. The claim itself is taken in
 * Redis (SET NX), so of two leads claiming at once exactly one wins.
 */
export interface CertSpecificationDoc {
  _id: ObjectId;
  schemaVersion: 1;
  userId: ObjectId;
  level: Level;
  guideline: GuidelineRef;
  sampleItemIds: string[];
  spec: SpecificationDraft;
  savedAt: Date | null;
  submittedAt: Date | null;
  /** Handed in by its deadline rather than by the candidate. */
  timedOut: boolean;
  claimedBy: ObjectId | null;
  claimedAt: Date | null;
  grade: {
    by: ObjectId;
    at: Date;
    result: RubricResult;
    /** Per criterion id (optional each) and overall. */
    comments: Record<string, string>;
    comment: string;
  } | null;
}

/** Statistics attached to a comprehensive-review portfolio when it is handed in (a snapshot). */
export interface PortfolioStats {
  goldAnswers: number;
  goldAccuracy: number | null;
  reviewedAnnotations: number;
  reviewAcceptance: number | null;
  reviewsGiven: number;
  practiceAnswered: number;
  practiceMean: number | null;
  certificates: string[];
  /** Mentoring records, where the installation keeps them; null when unknown. */
  mentored: number | null;
}

/**
 * The comprehensive review of an attempt (`_id` = the attempt's id): the candidate's portfolio, the
 * panel a lead convened and, once every member scored, the decision. Members' scores are in
 * certPanelScores (one per member, unique) and are shown to nobody until the panel is complete.
 */
export interface CertPanelDoc {
  _id: ObjectId;
  schemaVersion: 1;
  userId: ObjectId;
  level: Level;
  portfolio: { statement: string; links: string[] };
  stats: PortfolioStats;
  submittedAt: Date;
  convenedBy: ObjectId | null;
  convenedAt: Date | null;
  members: ObjectId[];
  decision: (PanelDecision & { rule: PanelRule; passMark: number; floor: number; at: Date }) | null;
}

/** One panel member's independent score (`_id` = `<panelId>:<memberId>`: one per member). */
export interface CertPanelScoreDoc {
  _id: string;
  schemaVersion: 1;
  panelId: ObjectId;
  memberId: ObjectId;
  at: Date;
  result: RubricResult;
  comments: Record<string, string>;
  comment: string;
  /** The member's note of the defense (questions asked, how they were answered). */
  defenseNote: string;
}

/**
 * A question of a guideline's exam bank as it stands (`_id` = its ref `<slug>@<version>#<id>`).
 * Seeded from the guideline file on first use (or the import button); leads create, edit and retire
 * questions in the UI. Each change raises `version` and writes a CertQuestionVersionDoc.
 */
export interface CertQuestionDoc {
  _id: string;
  schemaVersion: 1;
  guideline: GuidelineRef;
  qid: string;
  version: number;
  status: 'active' | 'retired';
  /** With `type` always set. */
  question: QuizQuestion;
  topic: string;
  /** 1 easy – 3 hard. */
  difficulty: number;
  source: 'file' | 'ui';
  updatedAt: Date;
  /** null for the file import at first use. */
  updatedBy: ObjectId | null;
}

/** One version of a bank question, never changed (`_id` = `<ref>~<version>`): attempts render and grade the version they drew. */
export interface CertQuestionVersionDoc {
  _id: string;
  schemaVersion: 1;
  ref: string;
  version: number;
  status: 'active' | 'retired';
  question: QuizQuestion;
  topic: string;
  difficulty: number;
  at: Date;
  by: ObjectId | null;
}

/** Who mentors a trainee (`_id` = the trainee's id: one mentor at a time). */
export interface CertMentorshipDoc {
  _id: ObjectId;
  schemaVersion: 1;
  mentorId: ObjectId;
  assignedBy: ObjectId;
  assignedAt: Date;
}

/** A mentor's dated coaching note about a trainee, linked to the trainee's attempts or practice answers. */
export interface CertCoachingNoteDoc {
  _id: ObjectId;
  schemaVersion: 1;
  traineeId: ObjectId;
  authorId: ObjectId;
  /** The coaching day, `YYYY-MM-DD`. */
  date: string;
  text: string;
  /** Attempt ids, or practice answers as `<slug>@<version>:<itemId>`. */
  links: { kind: 'attempt' | 'practice'; id: string }[];
  at: Date;
}

/** A goal a mentor sets a trainee, with a due day; the mentor marks it done. */
export interface CertGoalDoc {
  _id: ObjectId;
  schemaVersion: 1;
  traineeId: ObjectId;
  authorId: ObjectId;
  text: string;
  /** `YYYY-MM-DD`. */
  due: string;
  done: boolean;
  doneAt: Date | null;
  at: Date;
}

export interface CertificationCollections {
  certAttempts: Collection<CertAttemptDoc>;
  certificates: Collection<CertificateDoc>;
  certPractice: Collection<CertPracticeDoc>;
  certConfig: Collection<CertConfigDoc>;
  certPauses: Collection<CertPauseDoc>;
  certContests: Collection<CertContestDoc>;
  certQuestions: Collection<CertQuestionDoc>;
  certQuestionVersions: Collection<CertQuestionVersionDoc>;
  certMentorships: Collection<CertMentorshipDoc>;
  certCoachingNotes: Collection<CertCoachingNoteDoc>;
  certGoals: Collection<CertGoalDoc>;
  certSpecifications: Collection<CertSpecificationDoc>;
  certPanels: Collection<CertPanelDoc>;
  certPanelScores: Collection<CertPanelScoreDoc>;
}

export function certificationCollections(db: Db): CertificationCollections {
  return {
    certAttempts: db.collection<CertAttemptDoc>('certAttempts'),
    certificates: db.collection<CertificateDoc>('certificates'),
    certPractice: db.collection<CertPracticeDoc>('certPractice'),
    certConfig: db.collection<CertConfigDoc>('certConfig'),
    certPauses: db.collection<CertPauseDoc>('certPauses'),
    certContests: db.collection<CertContestDoc>('certContests'),
    certQuestions: db.collection<CertQuestionDoc>('certQuestions'),
    certQuestionVersions: db.collection<CertQuestionVersionDoc>('certQuestionVersions'),
    certMentorships: db.collection<CertMentorshipDoc>('certMentorships'),
    certCoachingNotes: db.collection<CertCoachingNoteDoc>('certCoachingNotes'),
    certGoals: db.collection<CertGoalDoc>('certGoals'),
    certSpecifications: db.collection<CertSpecificationDoc>('certSpecifications'),
    certPanels: db.collection<CertPanelDoc>('certPanels'),
    certPanelScores: db.collection<CertPanelScoreDoc>('certPanelScores'),
  };
}

export async function ensureCertificationIndexes(d: CertificationCollections): Promise<void> {
  await d.certAttempts.createIndex({ slotKey: 1 }, { unique: true, name: 'slot_unique' });
  await d.certAttempts.createIndex({ userId: 1, level: 1, part: 1, startedAt: 1 }, { name: 'user_level_part' });
  await d.certificates.createIndex({ number: 1 }, { unique: true, name: 'number_unique' });
  await d.certificates.createIndex({ levelKey: 1 }, { unique: true, name: 'level_key_unique' });
  await d.certificates.createIndex({ userId: 1, issuedAt: -1 }, { name: 'user_issued' });
  await d.certPractice.createIndex({ userId: 1, at: -1 }, { name: 'user_at' });
  await d.certPauses.createIndex({ active: 1, projectId: 1 }, { name: 'active_project' });
  await d.certContests.createIndex({ contestKey: 1 }, { unique: true, name: 'contest_key_unique' });
  await d.certContests.createIndex({ projectId: 1, status: 1 }, { name: 'project_status' });
  await d.certQuestions.createIndex({ 'guideline.slug': 1, 'guideline.version': 1 }, { name: 'guideline' });
  await d.certQuestionVersions.createIndex({ ref: 1, version: 1 }, { name: 'ref_version' });
  await d.certMentorships.createIndex({ mentorId: 1 }, { name: 'mentor' });
  await d.certCoachingNotes.createIndex({ traineeId: 1, at: -1 }, { name: 'trainee_at' });
  await d.certGoals.createIndex({ traineeId: 1, done: 1 }, { name: 'trainee_done' });
  await d.certSpecifications.createIndex({ submittedAt: 1 }, { name: 'submitted' });
  await d.certPanels.createIndex({ submittedAt: 1 }, { name: 'submitted' });
  await d.certPanelScores.createIndex({ panelId: 1 }, { name: 'panel' });
}
