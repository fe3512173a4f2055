import { z } from 'zod';

/**
 * The specification exercise (L3 and up): given a brief and sample items, the candidate writes a
 * labeling specification — label definitions, edge-case rules and examples that point at sample
 * items. Structured, so that a submission can be checked for completeness before a lead grades it.
 */
const Line = z.string().trim().max(2000);
const Name = z.string().trim().max(80);

export const SpecLabel = z.strictObject({
  name: Name,
  definition: Line,
  /** What the label includes and excludes (optional: the definition may say it). */
  includes: Line.optional(),
  excludes: Line.optional(),
});
export type SpecLabel = z.infer<typeof SpecLabel>;

export const SpecEdgeCase = z.strictObject({
  /** The situation ("a pedestrian pushing a bicycle"). */
  situation: Line,
  /** The decision: what to label and how. */
  rule: Line,
  /** Sample items where it occurs. */
  itemIds: z.array(z.string().max(80)).max(20).default([]),
});
export type SpecEdgeCase = z.infer<typeof SpecEdgeCase>;

export const SpecExample = z.strictObject({
  itemId: z.string().max(80),
  label: Name,
  note: Line,
});
export type SpecExample = z.infer<typeof SpecExample>;

/** A specification as saved and submitted (drafts may be incomplete; a submission must pass `specificationProblems`). */
export const SpecificationDraft = z.strictObject({
  scope: Line.default(''),
  labels: z.array(SpecLabel).max(50).default([]),
  edgeCases: z.array(SpecEdgeCase).max(100).default([]),
  examples: z.array(SpecExample).max(100).default([]),
});
export type SpecificationDraft = z.infer<typeof SpecificationDraft>;

/** What a submission needs, from the level's configuration and the attempt's sample. */
export interface SpecificationRequirements {
  /** Labels the brief asks to define (the guideline's label names). */
  labels: readonly string[];
  minEdgeCases: number;
  minExamples: number;
  /** Ids of the attempt's sample items: examples and edge cases may only point at these. */
  sampleItemIds: readonly string[];
}

export type SpecificationProblem =
  | { kind: 'scope-missing' }
  | { kind: 'label-undefined'; label: string }
  | { kind: 'label-unknown'; label: string }
  | { kind: 'label-duplicate'; label: string }
  | { kind: 'too-few-edge-cases'; have: number; need: number }
  | { kind: 'edge-case-incomplete'; index: number }
  | { kind: 'too-few-examples'; have: number; need: number }
  | { kind: 'example-incomplete'; index: number }
  | { kind: 'item-not-in-sample'; itemId: string };

/**
 * Why a specification cannot be submitted yet ([] when it can): a scope, a definition for every
 * label of the brief (and no others), at least the required number of complete edge-case rules
 * and of examples, and every referenced item taken from the attempt's sample. Only completeness is
 * checked here; the quality is for the grader's rubric.
 */
export function specificationProblems(spec: SpecificationDraft, req: SpecificationRequirements): SpecificationProblem[] {
  const problems: SpecificationProblem[] = [];
  if (spec.scope.trim() === '') problems.push({ kind: 'scope-missing' });
  const seen = new Set<string>();
  for (const l of spec.labels) {
    if (seen.has(l.name)) problems.push({ kind: 'label-duplicate', label: l.name });
    seen.add(l.name);
    if (!req.labels.includes(l.name)) problems.push({ kind: 'label-unknown', label: l.name });
  }
  for (const name of req.labels)
    if (!spec.labels.some((l) => l.name === name && l.definition.trim() !== '')) problems.push({ kind: 'label-undefined', label: name });
  const sample = new Set(req.sampleItemIds);
  const strays = new Set<string>();
  spec.edgeCases.forEach((e, index) => {
    if (e.situation.trim() === '' || e.rule.trim() === '') problems.push({ kind: 'edge-case-incomplete', index });
    for (const id of e.itemIds) if (!sample.has(id)) strays.add(id);
  });
  const completeCases = spec.edgeCases.filter((e) => e.situation.trim() !== '' && e.rule.trim() !== '').length;
  if (completeCases < req.minEdgeCases) problems.push({ kind: 'too-few-edge-cases', have: completeCases, need: req.minEdgeCases });
  spec.examples.forEach((x, index) => {
    if (x.note.trim() === '' || !req.labels.includes(x.label)) problems.push({ kind: 'example-incomplete', index });
    if (!sample.has(x.itemId)) strays.add(x.itemId);
  });
  const completeExamples = spec.examples.filter((x) => x.note.trim() !== '' && req.labels.includes(x.label) && sample.has(x.itemId)).length;
  if (completeExamples < req.minExamples) problems.push({ kind: 'too-few-examples', have: completeExamples, need: req.minExamples });
  for (const itemId of strays) problems.push({ kind: 'item-not-in-sample', itemId });
  return problems;
}
