import { z } from 'zod';
import { withReason } from '../contracts/issues.ts';
import { Id, Level, Name } from './common.ts';
import { LabelSchema, ProjectKind } from './label-schema.ts';

export const GuidelineRef = z.object({
  slug: z.string().refine((s) => /^[a-z0-9][a-z0-9-]{0,79}$/.test(s), withReason('slug_format', 'must be a lowercase slug')),
  version: z.string().refine((s) => /^\d+\.\d+(\.\d+)?$/.test(s), withReason('version_format', 'must be a version like 1.0 or 1.0.2')),
});
export type GuidelineRef = z.infer<typeof GuidelineRef>;

export const ReviewPolicy = z.object({
  /** Every submission from users below this level goes to review. */
  belowLevel: Level.optional(),
  /** Items whose agreement falls under this value go to review. */
  agreementBelow: z.number().min(0).max(1).optional(),
  /** Gold answers scoring under this go to review (0.5 when not set; 0 turns it off). */
  goldBelow: z.number().min(0).max(1).optional(),
  /** Share of other submissions sampled for review. */
  sampleRate: z.number().min(0).max(1).default(0),
});
export type ReviewPolicy = z.infer<typeof ReviewPolicy>;

const projectFields = {
  name: Name,
  description: z.string().max(5000),
  kind: ProjectKind,
  labelSchema: LabelSchema,
  /** How many independent annotations each item gets. */
  overlap: z.number().int().min(1).max(20),
  /** Share of gold (honeypot) items mixed into an annotator's stream. */
  goldRate: z.number().min(0).max(1),
  /** Minimum certification level to draw this project's tasks. */
  minLevel: Level,
  guideline: GuidelineRef.optional(),
  reviewPolicy: ReviewPolicy,
};

/** Fields a lead sets when creating a project (with defaults). */
export const ProjectInput = z.object({
  ...projectFields,
  description: projectFields.description.default(''),
  overlap: projectFields.overlap.default(1),
  goldRate: projectFields.goldRate.default(0),
  minLevel: projectFields.minLevel.default('L5'),
  reviewPolicy: ReviewPolicy.default({ sampleRate: 0 }),
});
export type ProjectInput = z.infer<typeof ProjectInput>;

/** A partial edit (no defaults: absent fields stay as stored; `guideline: null` removes it); `version` is the one the client saw. */
/** Regions of a label removed from the schema get the label `into` (on annotations, drafts and gold answers). */
export const LabelMerge = z.object({ from: z.string().min(1).max(120), into: z.string().min(1).max(120) });
export type LabelMerge = z.infer<typeof LabelMerge>;

export const ProjectPatch = z
  .object(projectFields)
  .partial()
  .extend({
    guideline: GuidelineRef.nullable().optional(),
    version: z.number().int().nonnegative(),
    /** With a new `labelSchema` that drops `from`: rewrite its regions to `into` (same kind of region). */
    labelMerges: z.array(LabelMerge).max(100).optional(),
  });
export type ProjectPatch = z.infer<typeof ProjectPatch>;

export const ProjectStatus = z.enum(['active', 'archived']);
export type ProjectStatus = z.infer<typeof ProjectStatus>;

export interface ProjectCounts {
  items: number;
  gold: number;
  done: number;
}

/** The dataset snapshot a project was created from (a branch from a known version). */
export interface ProjectOrigin {
  projectId: Id;
  snapshotId: Id;
  number: number;
  version: string;
  sha256: string;
}

/** A project as the API returns it. */
export interface Project extends ProjectInput {
  id: Id;
  status: ProjectStatus;
  ownerId: Id;
  memberIds: Id[];
  counts: ProjectCounts;
  /** Set when the project was created from a snapshot. */
  fromSnapshot?: ProjectOrigin;
  /** Optimistic-concurrency version, bumped on every change. */
  version: number;
  createdAt: string;
  updatedAt: string;
}

export const MembersInput = z.object({ userIds: z.array(Id).min(1).max(1000) });

/** `GET /projects/:id/leads`: who to ask about a project (its owner first, then lead members; active accounts only). */
export interface ProjectLead {
  id: Id;
  username: string;
  displayName: string;
  role: 'admin' | 'lead';
}
