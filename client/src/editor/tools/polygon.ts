import { MAX_POLYGON_POINTS, polygonDefect } from '@labelwork/core';
import { clampPoint, dist2 } from '../geometry.ts';
import type { Vec } from '../types.ts';
import { HIT_PX, roundRegion, type Step, type Tool, type ToolContext } from './tool.ts';

export type PolygonState = { mode: 'idle' } | { mode: 'drawing'; id: string; label: string; points: Vec[]; cursor: Vec | null };
type Drawing = Extract<PolygonState, { mode: 'drawing' }>;

const IDLE: PolygonState = { mode: 'idle' };

const nearFirst = (s: Drawing, p: Vec, ctx: ToolContext) => s.points.length >= 3 && dist2(p, s.points[0]!) <= (HIT_PX / ctx.scale) ** 2;

function draftOf(s: Drawing, ctx: ToolContext) {
  return {
    region: { id: s.id, type: 'polygon' as const, label: s.label, points: s.points },
    isNew: true,
    cursor: s.cursor,
    closing: s.cursor !== null && nearFirst(s, s.cursor, ctx),
  };
}

/** Closes the outline unless the server would refuse it (a crossing, no area): then drawing goes on (Backspace undoes points). */
function close(s: Drawing): Step<PolygonState> {
  if (s.points.length < 3) return { state: s };
  const region = roundRegion({ id: s.id, type: 'polygon' as const, label: s.label, points: s.points });
  if (polygonDefect(region.points)) return { state: s };
  return {
    state: IDLE,
    effects: [
      { type: 'draft', draft: null },
      { type: 'commit', ops: [{ op: 'put', record: region }] },
    ],
  };
}

/** Polygons: click the vertices; close on the first point, by double-click or Enter; Backspace removes the last point. */
export const polygonTool: Tool<PolygonState> = {
  id: 'polygon',
  initial: () => IDLE,
  busy: (s) => s.mode !== 'idle',
  cursor: () => 'crosshair',

  pointer(s, input, ctx) {
    const p = clampPoint(input.point, ctx.image);
    if (input.kind === 'down' && input.button === 0) {
      if (s.mode === 'idle') {
        const label = ctx.activeLabel;
        if (!label || label.tool !== 'polygon') return { state: s };
        const next: Drawing = { mode: 'drawing', id: ctx.newId(), label: label.name, points: [p], cursor: p };
        return { state: next, effects: [{ type: 'draft', draft: draftOf(next, ctx) }] };
      }
      if (nearFirst(s, p, ctx)) return close(s);
      const last = s.points[s.points.length - 1]!;
      // The second press of a double-click lands on the point just added: not a new vertex.
      if (dist2(p, last) <= (HIT_PX / 2 / ctx.scale) ** 2 || s.points.length >= MAX_POLYGON_POINTS) return { state: s };
      const next = { ...s, points: [...s.points, p], cursor: p };
      return { state: next, effects: [{ type: 'draft', draft: draftOf(next, ctx) }] };
    }
    if (input.kind === 'move' && s.mode === 'drawing') {
      const next = { ...s, cursor: p };
      return { state: next, effects: [{ type: 'draft', draft: draftOf(next, ctx) }] };
    }
    if (input.kind === 'double' && s.mode === 'drawing') return close(s);
    return { state: s };
  },

  key(s, key, ctx) {
    if (s.mode !== 'drawing') return null;
    if (key === 'Escape') return { state: IDLE, effects: [{ type: 'draft', draft: null }] };
    if (key === 'Enter') return close(s);
    if (key === 'Backspace') {
      if (s.points.length <= 1) return { state: IDLE, effects: [{ type: 'draft', draft: null }] };
      const next = { ...s, points: s.points.slice(0, -1) };
      return { state: next, effects: [{ type: 'draft', draft: draftOf(next, ctx) }] };
    }
    return null;
  },
};
