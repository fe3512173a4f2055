import { z } from 'zod';
import type { LabelSchema } from './label-schema.ts';
import type { Issue } from '../contracts/issues.ts';
import { polygonDefect, type PolygonDefectKind } from '../geometry/polygon.ts';

const finite = z.number().finite();
const RegionId = z.string().min(1).max(64);

export const Point = z.object({ x: finite, y: finite });
export type Point = z.infer<typeof Point>;

export const BBoxRegion = z.object({
  id: RegionId,
  type: z.literal('bbox'),
  label: z.string(),
  x: finite,
  y: finite,
  w: finite.nonnegative(),
  h: finite.nonnegative(),
});
/**
 * Vertices per polygon. Clipping two polygons costs O((v_a + v_b + k) log v) with k crossings (up to
 * v_a · v_b for zig-zags), once per same-label pair and annotator pair: 1,000 keeps a hand-drawn or
 * imported outline and bounds the agreement computation.
 */
export const MAX_POLYGON_POINTS = 1000;
/**
 * Regions per annotation (or draft): a pathology slide or satellite scene can hold tens of thousands
 * of objects (the editor is built for 50,000 on one image); the bytes are capped separately.
 */
export const MAX_REGIONS = 100_000;
export const PolygonRegion = z.object({
  id: RegionId,
  type: z.literal('polygon'),
  label: z.string(),
  points: z.array(Point).min(3).max(MAX_POLYGON_POINTS),
});
/** Keypoint visibility as in COCO: 0 not labeled, 1 labeled but occluded, 2 visible. */
export const Keypoint = z.object({ name: z.string(), x: finite, y: finite, v: z.union([z.literal(0), z.literal(1), z.literal(2)]) });
export const KeypointsRegion = z.object({
  id: RegionId,
  type: z.literal('keypoints'),
  label: z.string(),
  points: z.array(Keypoint).min(1),
});
/** Text span; offsets are Unicode code points into the item text, end exclusive. */
export const SpanRegion = z.object({
  id: RegionId,
  type: z.literal('span'),
  label: z.string(),
  start: z.number().int().nonnegative(),
  end: z.number().int().positive(),
});
export const ClassRegion = z.object({ id: RegionId, type: z.literal('class'), label: z.string() });

export const Region = z.discriminatedUnion('type', [BBoxRegion, PolygonRegion, KeypointsRegion, SpanRegion, ClassRegion]);
export type Region = z.infer<typeof Region>;
export type BBoxRegion = z.infer<typeof BBoxRegion>;
export type PolygonRegion = z.infer<typeof PolygonRegion>;
export type KeypointsRegion = z.infer<typeof KeypointsRegion>;
export type SpanRegion = z.infer<typeof SpanRegion>;
export type ClassRegion = z.infer<typeof ClassRegion>;

/** What an annotator (or a gold answer) says about one item. */
export const AnnotationContent = z.object({ regions: z.array(Region).max(MAX_REGIONS) });
export type AnnotationContent = z.infer<typeof AnnotationContent>;

/** Where regions must lie: image size in pixels, or text length in code points. */
export type ItemExtent = { kind: 'image'; width: number; height: number } | { kind: 'text'; length: number };

/** One problem with the regions: a path under `regions`, its reason code (contracts/issues.ts) and an English message. */
export type RegionIssue = Issue;

const POLYGON_DEFECT_REASON = {
  too_few_points: 'polygon_too_few_points',
  repeated_point: 'polygon_repeated_point',
  zero_area: 'polygon_zero_area',
  self_intersecting: 'polygon_self_intersecting',
} as const satisfies Record<PolygonDefectKind, Issue['reason']>;
const POLYGON_DEFECT_MESSAGE: Record<PolygonDefectKind, string> = {
  too_few_points: 'the polygon needs at least 3 different points',
  repeated_point: 'the polygon repeats a point right after itself',
  zero_area: 'the polygon has no area',
  self_intersecting: 'the polygon crosses itself',
};

const TOOL_FOR_TYPE: Record<Region['type'], readonly string[]> = {
  bbox: ['bbox'],
  polygon: ['polygon'],
  keypoints: ['keypoints'],
  span: ['span'],
  class: ['class-single', 'class-multi'],
};

/**
 * Checks regions against a label schema and the item's extent: known label, right tool,
 * unique region ids, coordinates inside the image / offsets inside the text, keypoint names
 * from the label's point list, at most one single-choice class. Returns [] when valid.
 */
export function regionIssues(schema: LabelSchema, extent: ItemExtent, regions: readonly Region[]): RegionIssue[] {
  const issues: RegionIssue[] = [];
  const byName = new Map(schema.labels.map((l) => [l.name, l]));
  const ids = new Set<string>();
  let singleClasses = 0;
  const eps = 1e-6;
  const inImage = (x: number, y: number) =>
    extent.kind === 'image' && x >= -eps && y >= -eps && x <= extent.width + eps && y <= extent.height + eps;
  regions.forEach((r, i) => {
    const at = (...p: (string | number)[]) => ['regions', i, ...p];
    if (ids.has(r.id))
      issues.push({ path: at('id'), reason: 'duplicate_region_id', params: { id: r.id }, message: `duplicate region id "${r.id}"` });
    ids.add(r.id);
    const label = byName.get(r.label);
    if (!label) {
      issues.push({ path: at('label'), reason: 'unknown_label', params: { label: r.label }, message: `unknown label "${r.label}"` });
      return;
    }
    if (!TOOL_FOR_TYPE[r.type].includes(label.tool)) {
      issues.push({
        path: at('type'),
        reason: 'label_tool_mismatch',
        params: { label: r.label, tool: label.tool, type: r.type },
        message: `label "${r.label}" uses tool ${label.tool}, not ${r.type}`,
      });
      return;
    }
    switch (r.type) {
      case 'bbox':
        if (!inImage(r.x, r.y) || !inImage(r.x + r.w, r.y + r.h))
          issues.push({ path: at(), reason: 'box_outside_image', message: 'box lies outside the image' });
        break;
      case 'polygon': {
        r.points.forEach((p, j) => {
          if (!inImage(p.x, p.y))
            issues.push({ path: at('points', j), reason: 'point_outside_image', message: 'point lies outside the image' });
        });
        const d = polygonDefect(r.points);
        if (d)
          issues.push({
            path: at('points'),
            reason: POLYGON_DEFECT_REASON[d.kind],
            params: { point: d.at + 1 },
            message: POLYGON_DEFECT_MESSAGE[d.kind],
          });
        break;
      }
      case 'keypoints': {
        const allowed = new Set(label.points ?? []);
        const seen = new Set<string>();
        r.points.forEach((p, j) => {
          if (!allowed.has(p.name))
            issues.push({
              path: at('points', j, 'name'),
              reason: 'unknown_keypoint',
              params: { point: p.name },
              message: `unknown point "${p.name}"`,
            });
          if (seen.has(p.name))
            issues.push({
              path: at('points', j, 'name'),
              reason: 'duplicate_keypoint',
              params: { point: p.name },
              message: `duplicate point "${p.name}"`,
            });
          seen.add(p.name);
          if (p.v > 0 && !inImage(p.x, p.y))
            issues.push({ path: at('points', j), reason: 'point_outside_image', message: 'point lies outside the image' });
        });
        break;
      }
      case 'span':
        if (extent.kind !== 'text') issues.push({ path: at(), reason: 'span_needs_text', message: 'spans need a text item' });
        else if (r.end <= r.start || r.end > extent.length)
          issues.push({
            path: at(),
            reason: 'span_outside_text',
            params: { start: r.start, end: r.end, length: extent.length },
            message: `span [${r.start}, ${r.end}) is not inside the text (length ${extent.length})`,
          });
        break;
      case 'class':
        if (label.tool === 'class-single') singleClasses += 1;
        if (singleClasses > 1 && label.tool === 'class-single')
          issues.push({ path: at('label'), reason: 'single_class_twice', message: 'only one single-choice class may be chosen' });
        break;
    }
  });
  return issues;
}
