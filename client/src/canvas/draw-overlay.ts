import type { Region } from '@labelwork/core';
import { BOX_HANDLES, boxHandlePoint, regionBounds } from '../editor/geometry.ts';
import type { EditorState } from '../editor/store.ts';
import type { Viewport } from '../editor/types.ts';
import { FALLBACK_COLOR, withAlpha } from './colors.ts';
import { drawKeypoints, drawTag, sx, sy, traceRegion, type Palette } from './draw-regions.ts';

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
  const color = palette.color.get(r.label) ?? FALLBACK_COLOR;
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
export function drawOverlay(ctx: CanvasRenderingContext2D, s: EditorState, palette: Palette): void {
  ctx.lineJoin = 'round';
  const editing = s.draft && !s.draft.isNew ? s.draft.region.id : null;
  const visible = (r: Region) => !s.hidden.has(r.id) && !s.hiddenLabels.has(r.label);
  if (s.hover && !s.selection.includes(s.hover) && s.hover !== editing) {
    const r = s.regions.find((x) => x.id === s.hover);
    if (r && visible(r)) emphasised(ctx, r, s, palette, false);
  }
  for (const id of s.selection) {
    if (id === editing) continue;
    const r = s.regions.find((x) => x.id === id);
    if (r && visible(r)) emphasised(ctx, r, s, palette, true);
  }
  drawDraft(ctx, s, palette);
  keyboardCursor(ctx, s);
}
