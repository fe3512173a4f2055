import { boxFromCorners, clampPoint, dist2 } from '../geometry.ts';
import type { Vec } from '../types.ts';
import { DRAG_PX, roundRegion, type Step, type Tool, type ToolContext } from './tool.ts';

export type BoxState =
  | { mode: 'idle' }
  /** `clickMode`: the first press was a click (no drag), so the next press sets the other corner. */
  | { mode: 'drawing'; id: string; label: string; start: Vec; current: Vec; dragged: boolean; clickMode: boolean };

const IDLE: BoxState = { mode: 'idle' };

function draftOf(s: Extract<BoxState, { mode: 'drawing' }>, ctx: ToolContext) {
  const b = boxFromCorners(s.start, s.current, ctx.image);
  return { region: { id: s.id, type: 'bbox' as const, label: s.label, ...b }, isNew: true, cursor: s.current };
}

function finish(s: Extract<BoxState, { mode: 'drawing' }>, ctx: ToolContext): Step<BoxState> {
  const { region } = draftOf(s, ctx);
  // Anything under 2 screen pixels (or 1 image pixel) is a stray click, not a box.
  const tooSmall = region.w < 1 || region.h < 1 || region.w * ctx.scale < 2 || region.h * ctx.scale < 2;
  return {
    state: IDLE,
    effects: [
      { type: 'draft', draft: null },
      ...(tooSmall ? [] : [{ type: 'commit' as const, ops: [{ op: 'put' as const, record: roundRegion(region) }] }]),
    ],
  };
}

/** Bounding boxes: drag from corner to corner, or click one corner then the other. */
export const bboxTool: Tool<BoxState> = {
  id: 'bbox',
  initial: () => IDLE,
  busy: (s) => s.mode !== 'idle',
  cursor: () => 'crosshair',

  pointer(s, input, ctx) {
    const p = clampPoint(input.point, ctx.image);
    if (input.kind === 'down' && input.button === 0) {
      if (s.mode === 'drawing') return finish({ ...s, current: p }, ctx);
      const label = ctx.activeLabel;
      if (!label || label.tool !== 'bbox') return { state: s };
      const next = { mode: 'drawing' as const, id: ctx.newId(), label: label.name, start: p, current: p, dragged: false, clickMode: false };
      return { state: next, effects: [{ type: 'draft', draft: draftOf(next, ctx) }] };
    }
    if (input.kind === 'move' && s.mode === 'drawing') {
      const dragged = s.dragged || dist2(input.point, s.start) >= (DRAG_PX / ctx.scale) ** 2;
      const next = { ...s, current: p, dragged };
      return { state: next, effects: [{ type: 'draft', draft: draftOf(next, ctx) }] };
    }
    if (input.kind === 'up' && s.mode === 'drawing' && !s.clickMode) {
      if (s.dragged) return finish({ ...s, current: p }, ctx);
      return { state: { ...s, clickMode: true } };
    }
    return { state: s };
  },

  key(s, key) {
    if (s.mode === 'drawing' && (key === 'Escape' || key === 'Backspace'))
      return { state: IDLE, effects: [{ type: 'draft', draft: null }] };
    return null;
  },
};
