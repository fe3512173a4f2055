import type { Region } from '@labelwork/core';
import { BOX_HANDLES, boxHandlePoint, regionBounds } from '../editor/geometry.ts';
import type { RegionIndex } from '../editor/region-index.ts';
import type { EditorState } from '../editor/store.ts';
import type { Viewport } from '../editor/types.ts';
import { placeCallout } from './callout-place.ts';
import { FALLBACK_COLOR, withAlpha } from './colors.ts';
import { colorOf, drawKeypoints, drawTag, PIN_COLOR, pinPositions, sx, sy, traceRegion, type Palette } from './draw-regions.ts';

function circle(ctx: CanvasRenderingContext2D, x: number, y: number, r: number): void {
  ctx.moveTo(x + r, y);
  ctx.arc(x, y, r, 0, Math.PI * 2);
}

/** White text with a dark outline, readable on any image. */
function outlinedText(ctx: CanvasRenderingContext2D, text: string, x: number, y: number, size = 11): void {
  ctx.font = `${size}px system-ui, "Noto Sans CJK SC", sans-serif`;
  ctx.textBaseline = 'bottom';
  ctx.lineWidth = 3;
  ctx.strokeStyle = 'rgba(0,0,0,0.75)';
  ctx.strokeText(text, x, y);
  ctx.fillStyle = '#ffffff';
  ctx.fillText(text, x, y);
}

function handles(ctx: CanvasRenderingContext2D, r: Region, color: string, v: Viewport, active: number | null): void {
  ctx.beginPath();
  if (r.type === 'bbox') {
    for (const h of BOX_HANDLES) {
      const p = boxHandlePoint(r, h);
      ctx.rect(Math.round(sx(v, p.x)) - 4, Math.round(sy(v, p.y)) - 4, 8, 8);
    }
  } else if (r.type === 'polygon') r.points.forEach((p) => circle(ctx, sx(v, p.x), sy(v, p.y), 4));
  else if (r.type === 'keypoints') r.points.forEach((p) => p.v > 0 && circle(ctx, sx(v, p.x), sy(v, p.y), 5));
  ctx.fillStyle = '#ffffff';
  ctx.fill();
  ctx.lineWidth = 1.5;
  ctx.strokeStyle = color;
  ctx.stroke();
  if (active !== null && (r.type === 'polygon' || r.type === 'keypoints')) {
    const p = r.points[active];
    if (p && (!('v' in p) || p.v > 0)) {
      ctx.beginPath();
      circle(ctx, sx(v, p.x), sy(v, p.y), 6.5);
      ctx.fillStyle = color;
      ctx.fill();
      ctx.lineWidth = 2;
      ctx.strokeStyle = '#ffffff';
      ctx.stroke();
    }
  }
}

function emphasised(ctx: CanvasRenderingContext2D, r: Region, s: EditorState, palette: Palette, selected: boolean): void {
  const v = s.viewport;
  const color = colorOf(s, palette, r);
  const pending = s.pending.has(r.id);
  if (r.type === 'keypoints') {
    ctx.setLineDash(pending ? [6, 4] : []);
    drawKeypoints(ctx, r, palette.edges.get(r.label) ?? [], color, v, selected ? 4.5 : 4);
    ctx.setLineDash([]);
    if (selected) for (const p of r.points) if (p.v > 0) outlinedText(ctx, p.name, sx(v, p.x) + 7, sy(v, p.y) - 4);
  } else {
    ctx.beginPath();
    traceRegion(ctx, r, v);
    ctx.fillStyle = withAlpha(color, selected ? 0.24 : 0.16);
    ctx.fill();
    // A dark halo under the coloured line keeps the selection visible on any image.
    ctx.setLineDash([]);
    ctx.lineWidth = 5;
    ctx.strokeStyle = 'rgba(0,0,0,0.55)';
    ctx.stroke();
    ctx.setLineDash(pending ? [7, 4] : []);
    ctx.lineWidth = 2.5;
    ctx.strokeStyle = color;
    ctx.stroke();
    ctx.setLineDash([]);
  }
  const b = regionBounds(r);
  if (b && selected) drawTag(ctx, s.locked.has(r.id) ? `🔒 ${r.label}` : r.label, sx(v, b.x) - 1, sy(v, b.y) - 2, color);
  if (selected && !s.locked.has(r.id) && !s.readOnly) handles(ctx, r, color, v, s.activeVertex);
}

function drawDraft(ctx: CanvasRenderingContext2D, s: EditorState, palette: Palette): void {
  const d = s.draft;
  if (!d) return;
  const v = s.viewport;
  const r = d.region;
  const color = palette.color.get(r.label) ?? FALLBACK_COLOR;
  if (!d.isNew) return emphasised(ctx, r, s, palette, true);
  if (r.type === 'bbox') {
    ctx.beginPath();
    traceRegion(ctx, r, v);
    ctx.fillStyle = withAlpha(color, 0.15);
    ctx.fill();
    ctx.setLineDash([6, 3]);
    ctx.lineWidth = 2;
    ctx.strokeStyle = color;
    ctx.stroke();
    ctx.setLineDash([]);
  } else if (r.type === 'polygon') {
    ctx.beginPath();
    r.points.forEach((p, i) => (i === 0 ? ctx.moveTo(sx(v, p.x), sy(v, p.y)) : ctx.lineTo(sx(v, p.x), sy(v, p.y))));
    ctx.lineWidth = 2;
    ctx.strokeStyle = color;
    ctx.stroke();
    const last = r.points[r.points.length - 1];
    if (d.cursor && last) {
      ctx.beginPath();
      ctx.moveTo(sx(v, last.x), sy(v, last.y));
      ctx.lineTo(sx(v, d.cursor.x), sy(v, d.cursor.y));
      ctx.setLineDash([6, 3]);
      ctx.stroke();
      ctx.setLineDash([]);
    }
    ctx.beginPath();
    r.points.forEach((p, i) => circle(ctx, sx(v, p.x), sy(v, p.y), i === 0 && d.closing ? 7 : 3.5));
    ctx.fillStyle = '#ffffff';
    ctx.fill();
    ctx.stroke();
  } else if (r.type === 'keypoints') {
    drawKeypoints(ctx, r, palette.edges.get(r.label) ?? [], color, v, 4.5);
    for (const p of r.points) if (p.v > 0) outlinedText(ctx, p.name, sx(v, p.x) + 7, sy(v, p.y) - 4);
  }
  if (d.nextPoint && d.cursor) outlinedText(ctx, d.nextPoint, sx(v, d.cursor.x) + 12, sy(v, d.cursor.y) - 8, 12);
}

function keyboardCursor(ctx: CanvasRenderingContext2D, s: EditorState): void {
  const p = s.keyboardCursor;
  if (!p) return;
  const x = Math.round(sx(s.viewport, p.x)) + 0.5;
  const y = Math.round(sy(s.viewport, p.y)) + 0.5;
  ctx.beginPath();
  ctx.moveTo(x - 14, y);
  ctx.lineTo(x + 14, y);
  ctx.moveTo(x, y - 14);
  ctx.lineTo(x, y + 14);
  ctx.lineWidth = 4;
  ctx.strokeStyle = '#000000';
  ctx.stroke();
  ctx.lineWidth = 2;
  ctx.strokeStyle = '#ffffff';
  ctx.stroke();
}

/** Hovered and selected regions with their handles, the shape being drawn, the keyboard pointer. */
export function drawOverlay(ctx: CanvasRenderingContext2D, s: EditorState, palette: Palette, index: RegionIndex): void {
  ctx.lineJoin = 'round';
  const editing = s.draft && !s.draft.isNew ? s.draft.region.id : null;
  const visible = (r: Region) => !s.hidden.has(r.id) && !s.hiddenLabels.has(r.label);
  if (s.hover && !s.selection.includes(s.hover) && s.hover !== editing) {
    const r = index.get(s.hover);
    if (r && visible(r)) emphasised(ctx, r, s, palette, false);
  }
  for (const id of s.selection) {
    if (id === editing) continue;
    const r = index.get(id);
    if (r && visible(r)) emphasised(ctx, r, s, palette, true);
  }
  drawDraft(ctx, s, palette);
  drawCallouts(ctx, s, index);
  keyboardCursor(ctx, s);
}

const CALLOUT_FONT = '12px system-ui, "Noto Sans CJK SC", "Microsoft YaHei", sans-serif';
const CALLOUT_WIDTH = 260;
const CALLOUT_LINES = 4;

/** Breaks text into lines of at most `width` pixels, by character (works for Chinese without spaces). */
function wrap(ctx: CanvasRenderingContext2D, text: string, width: number, maxLines: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const ch of Array.from(text.replace(/\s+/g, ' '))) {
    if (ctx.measureText(line + ch).width > width && line) {
      lines.push(line);
      line = ch.trimStart();
      if (lines.length === maxLines) break;
    } else line += ch;
  }
  if (lines.length < maxLines && line) lines.push(line);
  else if (lines.length === maxLines) lines[maxLines - 1] = `${lines[maxLines - 1]!.slice(0, -1)}…`;
  return lines;
}

/**
 * The comment text of the pins on the selected region, in boxes stacked beside the region — never
 * over it (`placeCallout`: right, left, below or above, whichever fits on the stage).
 */
function drawCallouts(ctx: CanvasRenderingContext2D, s: EditorState, index: RegionIndex): void {
  if (s.pins.length === 0 || s.selection.length !== 1) return;
  const selected = s.selection[0];
  const region = selected === undefined ? undefined : index.get(selected);
  const bounds = region && regionBounds(region);
  if (!bounds) return;
  ctx.font = CALLOUT_FONT;
  const notes = pinPositions(s, index)
    .filter(({ pin }) => pin.regionId === selected)
    .map(({ pin }) => {
      const lines = wrap(ctx, `${pin.n}. ${pin.text}`, CALLOUT_WIDTH, CALLOUT_LINES);
      return { lines, w: Math.min(CALLOUT_WIDTH, Math.max(...lines.map((l) => ctx.measureText(l).width))) + 12, h: lines.length * 16 + 8 };
    });
  if (notes.length === 0) return;
  const v = s.viewport;
  const box = { left: sx(v, bounds.x), top: sy(v, bounds.y), width: bounds.w * v.scale, height: bounds.h * v.scale };
  const size = { width: Math.max(...notes.map((n) => n.w)), height: notes.reduce((t, n) => t + n.h, 0) + 4 * (notes.length - 1) };
  const at = placeCallout(box, size, s.stage, notes.length * 20);
  let top = at.top;
  for (const { lines, w, h } of notes) {
    ctx.fillStyle = 'rgba(255,255,255,0.96)';
    ctx.strokeStyle = PIN_COLOR;
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    ctx.rect(Math.round(at.left) + 0.5, Math.round(top) + 0.5, Math.round(w), Math.round(h));
    ctx.fill();
    ctx.stroke();
    ctx.fillStyle = '#1f1f1f';
    ctx.textBaseline = 'top';
    lines.forEach((l, i) => ctx.fillText(l, at.left + 6, top + 5 + i * 16));
    top += h + 4;
  }
}
