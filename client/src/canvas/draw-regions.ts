import type { LabelSchema, Region } from '@labelwork/core';
import { regionBounds } from '../editor/geometry.ts';
import type { IndexEntry, RegionIndex } from '../editor/region-index.ts';
import type { EditorState } from '../editor/store.ts';
import type { Rect, Viewport } from '../editor/types.ts';
import { FALLBACK_COLOR, textOn, withAlpha } from './colors.ts';

/*
 * Regions are drawn in screen pixels (points transformed here, not by a canvas transform):
 * 1-2 px lines stay on the rasteriser's fast paths and boxes snap to whole pixels, which in
 * software rendering is several times faster for dense scenes than scaled vector paths.
 */

/** Per label: colour and skeleton edges. Built once per schema. */
export interface Palette {
  color: Map<string, string>;
  edges: Map<string, readonly { from: string; to: string }[]>;
}

export function paletteOf(schema: LabelSchema): Palette {
  return {
    color: new Map(schema.labels.map((l) => [l.name, l.color])),
    edges: new Map(schema.labels.map((l) => [l.name, l.edges ?? []])),
  };
}

/** A region's colour: its own (review colours by annotator) or its label's. */
export function colorOf(s: EditorState, palette: Palette, r: Region): string {
  return s.regionColors.get(r.id) ?? palette.color.get(r.label) ?? FALLBACK_COLOR;
}

/** The region being dragged is drawn on the overlay (as the draft), so it is skipped here. */
export function editingId(s: EditorState): string | null {
  return s.draft && !s.draft.isNew ? s.draft.region.id : null;
}

export const sx = (v: Viewport, x: number) => x * v.scale + v.x;
export const sy = (v: Viewport, y: number) => y * v.scale + v.y;
/** Pixel-aligned coordinate for crisp lines of odd width. */
const snap = (n: number) => Math.round(n) + 0.5;

/** Adds the outline of a region to the current path (screen pixels). */
export function traceRegion(ctx: CanvasRenderingContext2D, r: Region, v: Viewport): void {
  if (r.type === 'bbox') ctx.rect(sx(v, r.x), sy(v, r.y), r.w * v.scale, r.h * v.scale);
  else if (r.type === 'polygon') {
    const [first, ...rest] = r.points;
    if (!first) return;
    ctx.moveTo(sx(v, first.x), sy(v, first.y));
    for (const p of rest) ctx.lineTo(sx(v, p.x), sy(v, p.y));
    ctx.closePath();
  }
}

/** Skeleton edges and points of a keypoints region: occluded points hollow, unlabelled ones not drawn. */
export function drawKeypoints(
  ctx: CanvasRenderingContext2D,
  r: Extract<Region, { type: 'keypoints' }>,
  edges: readonly { from: string; to: string }[],
  color: string,
  v: Viewport,
  radius = 3.5,
): void {
  const byName = new Map(r.points.map((p) => [p.name, p]));
  ctx.beginPath();
  for (const e of edges) {
    const a = byName.get(e.from);
    const b = byName.get(e.to);
    if (!a || !b || a.v === 0 || b.v === 0) continue;
    ctx.moveTo(sx(v, a.x), sy(v, a.y));
    ctx.lineTo(sx(v, b.x), sy(v, b.y));
  }
  ctx.strokeStyle = color;
  ctx.lineWidth = 1.5;
  ctx.stroke();
  for (const vis of [2, 1] as const) {
    ctx.beginPath();
    for (const p of r.points) {
      if (p.v !== vis) continue;
      const x = sx(v, p.x);
      const y = sy(v, p.y);
      ctx.moveTo(x + radius, y);
      ctx.arc(x, y, radius, 0, Math.PI * 2);
    }
    ctx.fillStyle = vis === 2 ? color : '#ffffff';
    ctx.fill();
    if (vis === 1) ctx.stroke();
  }
}

const TAG_FONT = '11px system-ui, "Noto Sans CJK SC", "Microsoft YaHei", sans-serif';

/** A label tag above a point (screen pixels), kept inside the top of the stage. */
export function drawTag(ctx: CanvasRenderingContext2D, text: string, x: number, y: number, color: string): void {
  ctx.font = TAG_FONT;
  const w = Math.ceil(ctx.measureText(text).width) + 6;
  const h = 15;
  const top = Math.max(0, Math.round(y) - h);
  const left = Math.round(x);
  ctx.fillStyle = color;
  ctx.fillRect(left, top, w, h);
  ctx.fillStyle = textOn(color);
  ctx.textBaseline = 'middle';
  ctx.fillText(text, left + 3, top + h / 2 + 0.5);
}

/** With more than this many regions on screen, no name tags (they would cover the image). */
const MAX_TAGS = 150;
/** With more than this many polygons on screen, 1 px outlines (far cheaper to rasterise). */
const THIN_POLYGONS = 150;
/**
 * With more than this many regions on screen, level of detail: boxes, and polygons only a few pixels
 * across (drawn as their bounds), go into one path per colour, filled and stroked once with 1 px
 * lines; larger polygons drop vertices closer than a pixel or two on screen. Each region still reads
 * as its outline. (Polygons are never joined into one path: rasterising a path of thousands of
 * polygons costs far more than filling them one by one.)
 */
const DENSE = 1500;
/** Dense drawing: a polygon narrower and lower than this on screen (CSS px) is drawn as its bounding box. */
const TINY_PX = 8;
/** Dense drawing: vertices closer than this to the last drawn one (CSS px) are skipped. */
const DECIMATE_PX = 1.5;

interface Visible {
  own: Map<string, IndexEntry[]>;
  pending: Map<string, IndexEntry[]>;
  count: number;
  polygons: number;
}

/** The shown regions meeting `view` (from the spatial index), grouped by colour and proposal state. */
function visibleByColor(s: EditorState, palette: Palette, view: Rect, index: RegionIndex): Visible {
  const skip = editingId(s);
  const out: Visible = { own: new Map(), pending: new Map(), count: 0, polygons: 0 };
  index.forEachIn(view, 4 / s.viewport.scale, (e) => {
    const r = e.region;
    if (r.id === skip || s.hidden.has(r.id) || s.hiddenLabels.has(r.label)) return;
    const color = colorOf(s, palette, r);
    const groups = s.pending.has(r.id) ? out.pending : out.own;
    const g = groups.get(color);
    if (g) g.push(e);
    else groups.set(color, [e]);
    out.count++;
    if (r.type === 'polygon') out.polygons++;
  });
  return out;
}

/** Colour groups in a fixed order (the index returns regions in no particular order): own, then proposals. */
function groupsInOrder(vis: Visible): [color: string, pending: boolean, list: IndexEntry[]][] {
  const byKey = (a: [string, IndexEntry[]], b: [string, IndexEntry[]]) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);
  return [
    ...[...vis.own].sort(byKey).map(([c, l]) => [c, false, l] as [string, boolean, IndexEntry[]]),
    ...[...vis.pending].sort(byKey).map(([c, l]) => [c, true, l] as [string, boolean, IndexEntry[]]),
  ];
}

/** Level of detail for many regions on screen (see DENSE). */
function drawDense(ctx: CanvasRenderingContext2D, list: readonly IndexEntry[], v: Viewport): void {
  ctx.lineWidth = 1;
  ctx.beginPath();
  let larger = false;
  for (const e of list) {
    const r = e.region;
    if (r.type !== 'bbox' && r.type !== 'polygon') continue;
    const x0 = Math.round(sx(v, e.x0));
    const y0 = Math.round(sy(v, e.y0));
    const w = Math.max(1, Math.round(sx(v, e.x1)) - x0);
    const h = Math.max(1, Math.round(sy(v, e.y1)) - y0);
    if (r.type === 'bbox' || Math.max(w, h) < TINY_PX) ctx.rect(x0 + 0.5, y0 + 0.5, w, h);
    else larger = true;
  }
  ctx.fill();
  ctx.stroke();
  if (!larger) return;
  for (const e of list) {
    const r = e.region;
    if (r.type !== 'polygon') continue;
    const x0 = Math.round(sx(v, e.x0));
    const y0 = Math.round(sy(v, e.y0));
    const w = Math.max(1, Math.round(sx(v, e.x1)) - x0);
    const h = Math.max(1, Math.round(sy(v, e.y1)) - y0);
    if (Math.max(w, h) < TINY_PX) continue;
    ctx.beginPath();
    traceDecimated(ctx, r.points, v);
    ctx.fill();
    ctx.stroke();
  }
}

/** A polygon's outline without vertices closer than DECIMATE_PX on screen to the last one drawn. */
function traceDecimated(ctx: CanvasRenderingContext2D, pts: readonly { x: number; y: number }[], v: Viewport): void {
  const first = pts[0];
  if (!first) return;
  let lx = sx(v, first.x);
  let ly = sy(v, first.y);
  ctx.moveTo(lx, ly);
  for (let i = 1; i < pts.length; i++) {
    const x = sx(v, pts[i]!.x);
    const y = sy(v, pts[i]!.y);
    if (Math.abs(x - lx) + Math.abs(y - ly) < DECIMATE_PX) continue;
    ctx.lineTo(x, y);
    lx = x;
    ly = y;
  }
  ctx.closePath();
}

/** How regions are drawn, decided by how many are on screen: level of detail, polygon outline width, name tags. */
export interface Detail {
  readonly dense: boolean;
  readonly polyWidth: 1 | 2;
  readonly tags: boolean;
}

export function detailFor(count: number, polygons: number): Detail {
  return { dense: count > DENSE, polyWidth: polygons > THIN_POLYGONS ? 1 : 2, tags: count <= MAX_TAGS };
}

export const sameDetail = (a: Detail, b: Detail) => a.dense === b.dense && a.polyWidth === b.polyWidth && a.tags === b.tags;

/** What a draw covered: the shown regions meeting its view (polygons among them) and the detail it used. */
export interface Drawn {
  count: number;
  polygons: number;
  detail: Detail;
}

/**
 * All shown regions except the one being dragged, culled to the view through the spatial index.
 * Proposals are dashed. Boxes are filled and stroked as pixel-snapped rectangles; polygons one path
 * each; with many regions on screen, level of detail (see DENSE). `detail` overrides the detail the
 * view's own count gives (a repaint of part of a bitmap draws as the whole bitmap was drawn).
 */
export function drawRegions(
  ctx: CanvasRenderingContext2D,
  s: EditorState,
  palette: Palette,
  view: Rect,
  index: RegionIndex,
  detail?: Detail,
): Drawn {
  const v = s.viewport;
  const vis = visibleByColor(s, palette, view, index);
  const used = detail ?? detailFor(vis.count, vis.polygons);
  const { dense, polyWidth } = used;
  ctx.lineJoin = 'miter';
  for (const [color, pending, list] of groupsInOrder(vis)) {
    ctx.strokeStyle = color;
    ctx.fillStyle = withAlpha(color, pending ? 0.06 : 0.12);
    ctx.setLineDash(pending ? [6, 4] : []);
    if (dense) {
      drawDense(ctx, list, v);
      for (const e of list)
        if (e.region.type === 'keypoints') drawKeypoints(ctx, e.region, palette.edges.get(e.region.label) ?? [], color, v);
      continue;
    }
    ctx.lineWidth = 2;
    for (const { region: r } of list) {
      if (r.type !== 'bbox') continue;
      const x0 = Math.round(sx(v, r.x));
      const y0 = Math.round(sy(v, r.y));
      const w = Math.round(sx(v, r.x + r.w)) - x0;
      const h = Math.round(sy(v, r.y + r.h)) - y0;
      ctx.fillRect(x0, y0, w, h);
      ctx.strokeRect(x0, y0, w, h);
    }
    ctx.lineWidth = polyWidth;
    for (const { region: r } of list) {
      if (r.type !== 'polygon') continue;
      ctx.beginPath();
      // Many polygons on screen: vertices a pixel apart add nothing but rasterising cost.
      if (polyWidth === 1) traceDecimated(ctx, r.points, v);
      else traceRegion(ctx, r, v);
      ctx.fill();
      ctx.stroke();
    }
    for (const { region: r } of list) if (r.type === 'keypoints') drawKeypoints(ctx, r, palette.edges.get(r.label) ?? [], color, v);
  }
  ctx.setLineDash([]);
  if (used.tags) {
    for (const [color, , list] of groupsInOrder(vis)) {
      for (const e of list) {
        if ((e.x1 - e.x0) * v.scale >= 24) drawTag(ctx, e.region.label, snap(sx(v, e.x0)) - 1.5, sy(v, e.y0), color);
      }
    }
  }
  drawPins(ctx, s, index);
  return { count: vis.count, polygons: vis.polygons, detail: used };
}

/** Amber with dark ink: stands out on photos and from label and annotator colours. */
export const PIN_COLOR = '#fab005';
const PIN_INK = '#212529';
const PIN_RADIUS = 9;

/** Where a region's comment pins sit (screen pixels): its top-right corner, one pin beside the other. */
export function pinPositions(s: EditorState, index: RegionIndex): { pin: EditorState['pins'][number]; x: number; y: number }[] {
  const v = s.viewport;
  const out: { pin: EditorState['pins'][number]; x: number; y: number }[] = [];
  const perRegion = new Map<string, number>();
  for (const pin of s.pins) {
    if (!pin.regionId || s.hidden.has(pin.regionId)) continue;
    const r = index.get(pin.regionId);
    const b = r && regionBounds(r);
    if (!b) continue;
    const k = perRegion.get(pin.regionId) ?? 0;
    perRegion.set(pin.regionId, k + 1);
    out.push({ pin, x: sx(v, b.x + b.w) + k * (2 * PIN_RADIUS + 2), y: sy(v, b.y) });
  }
  return out;
}

/** Review comments as numbered pins on their regions (the comment list uses the same numbers). */
export function drawPins(ctx: CanvasRenderingContext2D, s: EditorState, index: RegionIndex): void {
  if (s.pins.length === 0) return;
  ctx.font = `bold 11px system-ui, sans-serif`;
  ctx.textAlign = 'center';
  ctx.textBaseline = 'middle';
  for (const { pin, x, y } of pinPositions(s, index)) {
    ctx.beginPath();
    ctx.moveTo(x, y);
    ctx.lineTo(x + 4, y - PIN_RADIUS + 1);
    ctx.arc(x + 4, y - PIN_RADIUS - 3, PIN_RADIUS, Math.PI * 0.6, Math.PI * 2.4);
    ctx.closePath();
    ctx.fillStyle = PIN_COLOR;
    ctx.fill();
    ctx.lineWidth = 1.5;
    ctx.strokeStyle = PIN_INK;
    ctx.stroke();
    ctx.fillStyle = PIN_INK;
    ctx.fillText(String(pin.n), x + 4, y - PIN_RADIUS - 2.5);
  }
  ctx.textAlign = 'start';
}
