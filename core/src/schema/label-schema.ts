import { z } from 'zod';
import { Color, Name, nameText } from './common.ts';

export const TOOLS = ['bbox', 'polygon', 'keypoints', 'span', 'class-single', 'class-multi'] as const;
export const Tool = z.enum(TOOLS);
export type Tool = z.infer<typeof Tool>;

export const PROJECT_KINDS = ['image', 'text'] as const;
export const ProjectKind = z.enum(PROJECT_KINDS);
export type ProjectKind = z.infer<typeof ProjectKind>;

/** Which tools a project kind can use. Classification works on both. */
export const TOOLS_BY_KIND: Record<ProjectKind, readonly Tool[]> = {
  image: ['bbox', 'polygon', 'keypoints', 'class-single', 'class-multi'],
  text: ['span', 'class-single', 'class-multi'],
};

/** A hotkey is one printable key: a letter, a digit or a symbol (case-insensitive). */
export const Hotkey = z
  .string()
  .regex(/^[a-zA-Z0-9`\-=[\];',./]$/, 'must be one letter, digit or symbol key');

/** Skeleton edge between two named keypoints (objects, not [a,b] pairs: no nested arrays in storage). */
export const KeypointEdge = z.object({ from: z.string().min(1), to: z.string().min(1) });
export type KeypointEdge = z.infer<typeof KeypointEdge>;

export const LabelDef = z.object({
  name: Name,
  color: Color,
  hotkey: Hotkey.optional(),
  tool: Tool,
  /** Short definition shown beside the label picker (the guideline has the full text). */
  description: z.string().max(2000).optional(),
  /** For `keypoints`: the named points in placement order. */
  points: z.array(nameText(60)).max(100).optional(),
  /** For `keypoints`: skeleton edges between named points. */
  edges: z.array(KeypointEdge).max(400).optional(),
});
export type LabelDef = z.infer<typeof LabelDef>;

export const LabelSchemaShape = z.object({
  labels: z.array(LabelDef).min(1, 'a label schema needs at least one label').max(500),
});

/**
 * A project's label schema. Checks: unique label names (case-insensitive), unique hotkeys,
 * keypoint labels have unique named points and edges only between known points,
 * `points`/`edges` only on keypoint labels.
 */
export const LabelSchema = LabelSchemaShape.superRefine((schema, ctx) => {
  const names = new Map<string, number>();
  const hotkeys = new Map<string, number>();
  schema.labels.forEach((label, i) => {
    const key = label.name.toLowerCase();
    const prev = names.get(key);
    if (prev !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['labels', i, 'name'], message: `duplicate label name "${label.name}" (also labels[${prev}])` });
    } else names.set(key, i);
    if (label.hotkey) {
      const hk = label.hotkey.toLowerCase();
      const prevHk = hotkeys.get(hk);
      if (prevHk !== undefined) {
        ctx.addIssue({ code: 'custom', path: ['labels', i, 'hotkey'], message: `hotkey "${label.hotkey}" is already used by labels[${prevHk}]` });
      } else hotkeys.set(hk, i);
    }
    if (label.tool === 'keypoints') {
      const points = label.points ?? [];
      if (points.length === 0) {
        ctx.addIssue({ code: 'custom', path: ['labels', i, 'points'], message: 'a keypoints label needs at least one named point' });
      }
      const seen = new Set<string>();
      points.forEach((p, j) => {
        if (seen.has(p)) ctx.addIssue({ code: 'custom', path: ['labels', i, 'points', j], message: `duplicate point "${p}"` });
        seen.add(p);
      });
      (label.edges ?? []).forEach((e, j) => {
        for (const end of ['from', 'to'] as const) {
          if (!seen.has(e[end])) {
            ctx.addIssue({ code: 'custom', path: ['labels', i, 'edges', j, end], message: `edge refers to unknown point "${e[end]}"` });
          }
        }
        if (e.from === e.to) ctx.addIssue({ code: 'custom', path: ['labels', i, 'edges', j], message: 'an edge must join two different points' });
      });
    } else {
      if (label.points !== undefined) ctx.addIssue({ code: 'custom', path: ['labels', i, 'points'], message: 'only keypoints labels have points' });
      if (label.edges !== undefined) ctx.addIssue({ code: 'custom', path: ['labels', i, 'edges'], message: 'only keypoints labels have edges' });
    }
  });
});
export type LabelSchema = z.infer<typeof LabelSchema>;

/** Issues (path + message) for tools the project kind cannot use; empty when all fit. */
export function toolKindIssues(kind: ProjectKind, schema: LabelSchema): { path: (string | number)[]; message: string }[] {
  const allowed = TOOLS_BY_KIND[kind];
  return schema.labels.flatMap((l, i) =>
    allowed.includes(l.tool) ? [] : [{ path: ['labelSchema', 'labels', i, 'tool'], message: `tool "${l.tool}" is not available in ${kind} projects` }],
  );
}
