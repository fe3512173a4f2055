import { z } from 'zod';
import { Color, Name, nameText } from './common.ts';
import { reasonParams, withReason, type Issue } from '../contracts/issues.ts';
import { reservedEditorKeys } from '../contracts/editor-keys.ts';

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
  .refine((s) => /^[a-zA-Z0-9`\-=[\];',./]$/.test(s), withReason('hotkey_format', 'must be one letter, digit or symbol key'));

/** Skeleton edge between two named keypoints (objects, not [a,b] pairs: no nested arrays in storage). */
export const KeypointEdge = z.object({ from: z.string().min(1), to: z.string().min(1) });
export type KeypointEdge = z.infer<typeof KeypointEdge>;

/** A label description in one or both UI languages. */
export const LabelDescriptionText = z.strictObject({
  'zh-CN': z.string().trim().max(2000).optional(),
  en: z.string().trim().max(2000).optional(),
});
export type LabelDescriptionText = z.infer<typeof LabelDescriptionText>;

export const LabelDef = z.object({
  name: Name,
  color: Color,
  hotkey: Hotkey.optional(),
  tool: Tool,
  /**
   * Short definition shown beside the label picker (the guideline has the full text): one text
   * for every language, or one per language (`{ zh-CN, en }`, as guidelines write it).
   */
  description: z.union([z.string().max(2000), LabelDescriptionText]).optional(),
  /** For `keypoints`: the named points in placement order. */
  points: z.array(nameText(60)).max(100).optional(),
  /** For `keypoints`: skeleton edges between named points. */
  edges: z.array(KeypointEdge).max(400).optional(),
  /**
   * A retired label is kept for the regions that already use it (shown with its colour and name)
   * but offered for no new region: not in the picker, no hotkey. It keeps its place, so the
   * number keys of the labels after it do not shift.
   */
  retired: z.boolean().optional(),
});
export type LabelDef = z.infer<typeof LabelDef>;

/** A label's description in `lang`: the shared text, else that language's, else the other one's, else ''. */
export function labelDescription(label: Pick<LabelDef, 'description'>, lang: 'zh-CN' | 'en'): string {
  const d = label.description;
  if (d === undefined) return '';
  if (typeof d === 'string') return d;
  return d[lang] || d[lang === 'en' ? 'zh-CN' : 'en'] || '';
}

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
      ctx.addIssue({
        code: 'custom',
        path: ['labels', i, 'name'],
        message: `duplicate label name "${label.name}" (also label ${prev + 1})`,
        params: reasonParams('duplicate_label_name', { name: label.name, other: prev + 1 }),
      });
    } else names.set(key, i);
    if (label.hotkey) {
      const hk = label.hotkey.toLowerCase();
      const prevHk = hotkeys.get(hk);
      if (prevHk !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['labels', i, 'hotkey'],
          message: `hotkey "${label.hotkey}" is already used by label ${prevHk + 1}`,
          params: reasonParams('duplicate_hotkey', { hotkey: label.hotkey, other: prevHk + 1 }),
        });
      } else hotkeys.set(hk, i);
    }
    if (label.tool === 'keypoints') {
      const points = label.points ?? [];
      if (points.length === 0) {
        ctx.addIssue({
          code: 'custom',
          path: ['labels', i, 'points'],
          message: 'a keypoints label needs at least one named point',
          params: reasonParams('keypoints_need_points'),
        });
      }
      const seen = new Set<string>();
      points.forEach((p, j) => {
        if (seen.has(p))
          ctx.addIssue({
            code: 'custom',
            path: ['labels', i, 'points', j],
            message: `duplicate point "${p}"`,
            params: reasonParams('duplicate_point', { point: p }),
          });
        seen.add(p);
      });
      (label.edges ?? []).forEach((e, j) => {
        for (const end of ['from', 'to'] as const) {
          if (!seen.has(e[end])) {
            ctx.addIssue({
              code: 'custom',
              path: ['labels', i, 'edges', j, end],
              message: `edge refers to unknown point "${e[end]}"`,
              params: reasonParams('edge_unknown_point', { point: e[end] }),
            });
          }
        }
        if (e.from === e.to)
          ctx.addIssue({
            code: 'custom',
            path: ['labels', i, 'edges', j],
            message: 'an edge must join two different points',
            params: reasonParams('edge_same_point'),
          });
      });
    } else {
      if (label.points !== undefined)
        ctx.addIssue({
          code: 'custom',
          path: ['labels', i, 'points'],
          message: 'only keypoints labels have points',
          params: reasonParams('points_only_keypoints'),
        });
      if (label.edges !== undefined)
        ctx.addIssue({
          code: 'custom',
          path: ['labels', i, 'edges'],
          message: 'only keypoints labels have edges',
          params: reasonParams('edges_only_keypoints'),
        });
    }
  });
});
export type LabelSchema = z.infer<typeof LabelSchema>;

/**
 * Issues for what the project kind does not allow: tools it cannot use, and hotkeys that would
 * shadow one of its editor's own shortcuts (RESERVED_EDITOR_KEYS). Empty when all fit.
 */
export function toolKindIssues(kind: ProjectKind, schema: LabelSchema): Issue[] {
  const allowed = TOOLS_BY_KIND[kind];
  const reserved = reservedEditorKeys(kind);
  return schema.labels.flatMap((l, i): Issue[] => {
    const out: Issue[] = [];
    if (!allowed.includes(l.tool)) {
      out.push({
        path: ['labelSchema', 'labels', i, 'tool'],
        reason: 'tool_not_for_kind',
        params: { tool: l.tool, kind },
        message: `tool "${l.tool}" is not available in ${kind} projects`,
      });
    }
    const shortcut = l.hotkey === undefined ? undefined : reserved.get(l.hotkey.toLowerCase());
    if (l.hotkey !== undefined && shortcut !== undefined) {
      out.push({
        path: ['labelSchema', 'labels', i, 'hotkey'],
        reason: 'hotkey_reserved',
        params: { hotkey: l.hotkey, command: shortcut },
        message: `hotkey "${l.hotkey}" is the editor's shortcut for ${shortcut}: choose another key`,
      });
    }
    return out;
  });
}
