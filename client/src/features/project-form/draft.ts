import {
  issueFromZod,
  ProjectInput,
  TOOLS_BY_KIND,
  toolKindIssues,
  type LabelDef,
  type Level,
  type Project,
  type ProjectKind,
  type ProjectPatch,
  type ReviewPolicy,
  type Tool,
} from '@labelwork/core';
import { fieldProblemsFromIssues, type FieldProblem, type FieldProblems } from '../../ui/field-errors.ts';

/** What the project form edits: inputs as typed (numbers as text) plus stable keys for lists. */
export interface ProjectDraft {
  name: string;
  description: string;
  kind: ProjectKind;
  overlap: string;
  goldRatePct: string;
  minLevel: Level;
  /** `slug@version`, or '' for none. */
  guideline: string;
  sampleRatePct: string;
  /** Review policy fields this form does not edit, kept as they were. */
  reviewPolicyRest: Omit<ReviewPolicy, 'sampleRate'>;
  labels: LabelDraft[];
}

export interface LabelDraft {
  key: string;
  name: string;
  color: string;
  hotkey: string;
  tool: Tool;
  /** The Chinese description, or the one text for both languages when `descriptionEn` is empty. */
  description: string;
  descriptionEn: string;
  /** Kept for the regions that use it, offered for no new region. */
  retired: boolean;
  points: PointDraft[];
  edges: EdgeDraft[];
}

export interface PointDraft {
  key: string;
  name: string;
}

export interface EdgeDraft {
  key: string;
  from: string;
  to: string;
}

export type { FieldErrors } from '../../ui/field-errors.ts';

let keySeq = 0;
export function newKey(): string {
  keySeq += 1;
  return `k${keySeq}`;
}

/** Distinct colours that stay apart on photos and on white text backgrounds. */
export const PALETTE = [
  '#e6194b',
  '#3cb44b',
  '#4363d8',
  '#f58231',
  '#911eb4',
  '#42d4f4',
  '#f032e6',
  '#bfef45',
  '#469990',
  '#9a6324',
  '#800000',
  '#808000',
  '#000075',
  '#fabed4',
  '#ffd8b1',
  '#aaffc3',
] as const;

// Not 0: that is the image editor's 1:1 zoom, which no label hotkey may take.
const DEFAULT_HOTKEYS = ['1', '2', '3', '4', '5', '6', '7', '8', '9'] as const;

export const guidelineValue = (ref: { slug: string; version: string }) => `${ref.slug}@${ref.version}`;

export function parseGuidelineValue(value: string): { slug: string; version: string } | undefined {
  const at = value.lastIndexOf('@');
  if (at <= 0) return undefined;
  return { slug: value.slice(0, at), version: value.slice(at + 1) };
}

/** Shows a rate (0–1) as a percentage without float noise: 0.07 → "7". */
export function rateToPct(rate: number): string {
  return String(Math.round(rate * 100 * 1000) / 1000);
}

export function emptyDraft(kind: ProjectKind = 'image'): ProjectDraft {
  return {
    name: '',
    description: '',
    kind,
    overlap: '1',
    goldRatePct: '0',
    minLevel: 'L5',
    guideline: '',
    sampleRatePct: '0',
    reviewPolicyRest: {},
    labels: [],
  };
}

export function labelDraftFromDef(def: LabelDef): LabelDraft {
  return {
    key: newKey(),
    name: def.name,
    color: def.color.toLowerCase(),
    hotkey: def.hotkey ?? '',
    tool: def.tool,
    description: typeof def.description === 'object' ? (def.description['zh-CN'] ?? '') : (def.description ?? ''),
    descriptionEn: typeof def.description === 'object' ? (def.description.en ?? '') : '',
    retired: def.retired ?? false,
    points: (def.points ?? []).map((name) => ({ key: newKey(), name })),
    edges: (def.edges ?? []).map((e) => ({ key: newKey(), from: e.from, to: e.to })),
  };
}

export function draftFromProject(p: Project): ProjectDraft {
  const { sampleRate, ...reviewPolicyRest } = p.reviewPolicy;
  return {
    name: p.name,
    description: p.description,
    kind: p.kind,
    overlap: String(p.overlap),
    goldRatePct: rateToPct(p.goldRate),
    minLevel: p.minLevel,
    guideline: p.guideline ? guidelineValue(p.guideline) : '',
    sampleRatePct: rateToPct(sampleRate),
    reviewPolicyRest,
    labels: p.labelSchema.labels.map(labelDraftFromDef),
  };
}

/** A new label with an unused colour and hotkey and the kind's first tool. */
export function newLabel(kind: ProjectKind, existing: readonly LabelDraft[]): LabelDraft {
  const colors = new Set(existing.map((l) => l.color.toLowerCase()));
  const hotkeys = new Set(existing.map((l) => l.hotkey.toLowerCase()));
  const color = PALETTE.find((c) => !colors.has(c)) ?? PALETTE[existing.length % PALETTE.length] ?? '#4363d8';
  return {
    key: newKey(),
    name: '',
    color,
    hotkey: DEFAULT_HOTKEYS.find((k) => !hotkeys.has(k)) ?? '',
    tool: TOOLS_BY_KIND[kind][0] ?? 'class-single',
    description: '',
    descriptionEn: '',
    retired: false,
    points: [],
    edges: [],
  };
}

function labelToRaw(l: LabelDraft): Record<string, unknown> {
  const def: Record<string, unknown> = { name: l.name, color: l.color, tool: l.tool };
  if (l.hotkey !== '') def.hotkey = l.hotkey;
  const zh = l.description.trim();
  const en = l.descriptionEn.trim();
  // One text serves both languages; with an English text it becomes { zh-CN, en }.
  if (en !== '') def.description = zh !== '' ? { 'zh-CN': zh, en } : { en };
  else if (zh !== '') def.description = zh;
  if (l.retired) def.retired = true;
  if (l.tool === 'keypoints') {
    def.points = l.points.map((p) => p.name.trim());
    def.edges = l.edges.map((e) => ({ from: e.from.trim(), to: e.to.trim() }));
  }
  return def;
}

function pctToRate(pct: string): number {
  const s = pct.trim();
  if (s === '') return Number.NaN;
  const n = Number(s);
  return Number.isFinite(n) ? Math.round(n * 1000) / 100000 : Number.NaN;
}

function pctValid(pct: string): boolean {
  const n = Number(pct.trim());
  return pct.trim() !== '' && Number.isFinite(n) && n >= 0 && n <= 100;
}

/** The draft as a request body, before validation. */
export function draftToRaw(d: ProjectDraft): Record<string, unknown> {
  const guideline = parseGuidelineValue(d.guideline);
  return {
    name: d.name,
    description: d.description,
    kind: d.kind,
    labelSchema: { labels: d.labels.map(labelToRaw) },
    overlap: d.overlap.trim() === '' ? Number.NaN : Number(d.overlap),
    goldRate: pctToRate(d.goldRatePct),
    minLevel: d.minLevel,
    ...(guideline ? { guideline } : {}),
    reviewPolicy: { ...d.reviewPolicyRest, sampleRate: pctToRate(d.sampleRatePct) },
  };
}

export type DraftCheck = { ok: true; input: ProjectInput } | { ok: false; errors: FieldProblems };

/**
 * Checks the draft with the same schema the server uses, plus what the kind allows (tools,
 * hotkeys that are editor shortcuts). Problems are reason codes, translated when shown.
 */
export function checkDraft(d: ProjectDraft): DraftCheck {
  const errors: Record<string, FieldProblem> = {};
  const percent: FieldProblem = { reason: 'percent_range', message: 'must be a number from 0 to 100' };
  if (!pctValid(d.goldRatePct)) errors['goldRate'] = percent;
  if (!pctValid(d.sampleRatePct)) errors['reviewPolicy.sampleRate'] = percent;
  const parsed = ProjectInput.safeParse(draftToRaw(d));
  if (parsed.success) fieldProblemsFromIssues(toolKindIssues(parsed.data.kind, parsed.data.labelSchema), errors);
  else {
    fieldProblemsFromIssues(
      parsed.error.issues.map((i) => issueFromZod(i)),
      errors,
    );
    // Tools and hotkeys the kind does not allow, even while another field is still wrong.
    const labels = d.labels.map((l) => ({ name: l.name, color: l.color, tool: l.tool, ...(l.hotkey ? { hotkey: l.hotkey } : {}) }));
    fieldProblemsFromIssues(toolKindIssues(d.kind, { labels }), errors);
    return { ok: false, errors };
  }
  return Object.keys(errors).length > 0 ? { ok: false, errors } : { ok: true, input: parsed.data };
}

/** Every error path the form shows beside a field; others go to the summary at the top. */
export function shownErrorPaths(d: ProjectDraft): Set<string> {
  const paths = new Set([
    'name',
    'description',
    'kind',
    'overlap',
    'goldRate',
    'minLevel',
    'guideline',
    'guideline.slug',
    'guideline.version',
    'reviewPolicy.sampleRate',
    'labelSchema',
    'labelSchema.labels',
  ]);
  d.labels.forEach((l, i) => {
    const at = `labelSchema.labels[${i}]`;
    for (const f of [
      '',
      '.name',
      '.color',
      '.hotkey',
      '.tool',
      '.description',
      '.description.zh-CN',
      '.description.en',
      '.points',
      '.edges',
    ])
      paths.add(at + f);
    l.points.forEach((_, j) => paths.add(`${at}.points[${j}]`));
    l.edges.forEach((_, j) => {
      for (const f of ['', '.from', '.to']) paths.add(`${at}.edges[${j}]${f}`);
    });
  });
  return paths;
}

/** JSON with object keys sorted, so equal values compare equal whatever their key order. */
export function stableJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

const INPUT_KEYS = [
  'name',
  'description',
  'kind',
  'labelSchema',
  'overlap',
  'goldRate',
  'minLevel',
  'guideline',
  'reviewPolicy',
] as const satisfies readonly (keyof ProjectInput)[];

/** Only the fields that changed, with the version the edit started from. */
export function patchFrom(original: Project, input: ProjectInput): ProjectPatch {
  const patch: Record<string, unknown> = { version: original.version };
  for (const key of INPUT_KEYS) {
    if (input[key] !== undefined && stableJson(input[key]) !== stableJson(original[key])) patch[key] = input[key];
  }
  // Choosing "(none)" for a project that had a guideline removes it.
  if (input.guideline === undefined && original.guideline !== undefined) patch.guideline = null;
  return patch as ProjectPatch;
}
