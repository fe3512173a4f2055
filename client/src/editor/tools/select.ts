import type { BBoxRegion, Region } from '@labelwork/core';
import {
  deleteVertex,
  dist2,
  hitRegion,
  insertVertex,
  moveVertex,
  nearestEdge,
  nextVisibility,
  pickRegion,
  resizeBox,
  translateRegion,
  type BoxHandle,
} from '../geometry.ts';
import type { Vec } from '../types.ts';
import { DRAG_PX, HIT_PX, roundRegion, type Effect, type Step, type Tool, type ToolContext } from './tool.ts';

export type SelectState =
  | { mode: 'idle' }
  | { mode: 'pointing'; id: string; start: Vec }
  | { mode: 'moving'; id: string; start: Vec; original: Region; current: Region }
  | { mode: 'resizing'; id: string; handle: BoxHandle; original: BBoxRegion; current: BBoxRegion }
  | { mode: 'vertex'; id: string; index: number; original: Region; current: Region };

const IDLE: SelectState = { mode: 'idle' };
const byId = (ctx: ToolContext, id: string | undefined) => (id === undefined ? undefined : ctx.regionById(id));

function selected(ctx: ToolContext): Region | undefined {
  const r = byId(ctx, ctx.selection[0]);
  return r && ctx.isPickable(r) ? r : undefined;
}

function finish(original: Region, current: Region): Step<SelectState> {
  const effects: Effect[] = [{ type: 'draft', draft: null }];
  if (current !== original) effects.push({ type: 'commit', ops: [{ op: 'put', record: roundRegion(current) }] });
  return { state: IDLE, effects };
}

/** Select, move, resize boxes, drag/insert/delete polygon vertices, drag keypoints and flip their visibility. */
export const selectTool: Tool<SelectState> = {
  id: 'select',
  initial: () => IDLE,
  busy: (s) => s.mode !== 'idle' && s.mode !== 'pointing',
  cursor: (s) => (s.mode === 'moving' ? 'move' : s.mode === 'resizing' || s.mode === 'vertex' ? 'crosshair' : 'default'),

  pointer(s, input, ctx) {
    const tol = HIT_PX / ctx.scale;
    const p = input.point;
    if (input.kind === 'down') {
      if (input.button !== 0) return { state: s };
      const sel = selected(ctx);
      if (sel && ctx.isEditable(sel)) {
        const hit = hitRegion(sel, p, tol, true);
        if (hit?.kind === 'handle' && sel.type === 'bbox') {
          return { state: { mode: 'resizing', id: sel.id, handle: hit.handle, original: sel, current: sel } };
        }
        if (hit?.kind === 'vertex') {
          if (input.alt && sel.type === 'polygon') {
            const next = deleteVertex(sel, hit.index);
            return {
              state: IDLE,
              effects: next
                ? [
                    { type: 'commit', ops: [{ op: 'put', record: next }] },
                    { type: 'select', ids: [sel.id], vertex: null },
                  ]
                : [],
            };
          }
          if (input.alt && sel.type === 'keypoints') {
            const points = sel.points.map((q, i) => (i === hit.index ? { ...q, v: nextVisibility(q.v) } : q));
            return {
              state: IDLE,
              effects: [
                { type: 'commit', ops: [{ op: 'put', record: { ...sel, points } }] },
                { type: 'select', ids: [sel.id], vertex: hit.index },
              ],
            };
          }
          return {
            state: { mode: 'vertex', id: sel.id, index: hit.index, original: sel, current: sel },
            effects: [{ type: 'select', ids: [sel.id], vertex: hit.index }],
          };
        }
      }
      const picked = pickRegion(ctx.regionsAt(p, tol), p, tol, ctx.isPickable);
      if (!picked) return { state: IDLE, effects: [{ type: 'select', ids: [] }] };
      const vertex = picked.id === sel?.id ? ctx.activeVertex : null;
      return { state: { mode: 'pointing', id: picked.id, start: p }, effects: [{ type: 'select', ids: [picked.id], vertex }] };
    }

    if (input.kind === 'move') {
      switch (s.mode) {
        case 'idle': {
          const over = pickRegion(ctx.regionsAt(p, tol), p, tol, ctx.isPickable);
          return { state: s, effects: [{ type: 'hover', id: over?.id ?? null }] };
        }
        case 'pointing': {
          const r = byId(ctx, s.id);
          if (!r || !ctx.isEditable(r) || dist2(p, s.start) < (DRAG_PX / ctx.scale) ** 2) return { state: s };
          const current = translateRegion(r, p.x - s.start.x, p.y - s.start.y, ctx.image);
          return {
            state: { mode: 'moving', id: s.id, start: s.start, original: r, current },
            effects: [{ type: 'draft', draft: { region: current, isNew: false } }],
          };
        }
        case 'moving': {
          const current = translateRegion(s.original, p.x - s.start.x, p.y - s.start.y, ctx.image);
          return { state: { ...s, current }, effects: [{ type: 'draft', draft: { region: current, isNew: false } }] };
        }
        case 'resizing': {
          const current = { ...s.original, ...resizeBox(s.original, s.handle, p, ctx.image) };
          return { state: { ...s, current }, effects: [{ type: 'draft', draft: { region: current, isNew: false } }] };
        }
        case 'vertex': {
          const current = moveVertex(s.original, s.index, p, ctx.image);
          return { state: { ...s, current }, effects: [{ type: 'draft', draft: { region: current, isNew: false } }] };
        }
      }
    }

    if (input.kind === 'up') {
      if (s.mode === 'moving' || s.mode === 'vertex') return finish(s.original, s.current);
      if (s.mode === 'resizing') {
        // A box dragged flat is a slip of the hand: keep the old one.
        if (s.current.w < 1 || s.current.h < 1) return { state: IDLE, effects: [{ type: 'draft', draft: null }] };
        return finish(s.original, s.current);
      }
      return { state: IDLE };
    }

    if (input.kind === 'double') {
      const sel = selected(ctx);
      if (sel?.type === 'polygon' && ctx.isEditable(sel)) {
        const edge = nearestEdge(sel, p, tol);
        if (edge) {
          const next = roundRegion(insertVertex(sel, edge.index, edge.point));
          return {
            state: IDLE,
            effects: [
              { type: 'commit', ops: [{ op: 'put', record: next }] },
              { type: 'select', ids: [sel.id], vertex: edge.index + 1 },
            ],
          };
        }
      }
    }
    return { state: s };
  },

  key(s, key) {
    if (key === 'Escape' && s.mode !== 'idle' && s.mode !== 'pointing') return { state: IDLE, effects: [{ type: 'draft', draft: null }] };
    return null;
  },
};
