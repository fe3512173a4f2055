import { boxFromCorners, clampPoint, dist2 } from '../geometry.ts';
import type { Vec } from '../types.ts';
import { DRAG_PX, round2, type Step, type Tool, type ToolContext } from './tool.ts';

export type AssistState = { mode: 'idle' } | { mode: 'pointing'; id: string; label: string; start: Vec; current: Vec; dragged: boolean };

const IDLE: AssistState = { mode: 'idle' };

/** The rough box being dragged, shown as a draft of the label asked for. */
function draftOf(s: Extract<AssistState, { mode: 'pointing' }>, ctx: ToolContext) {
  const b = boxFromCorners(s.start, s.current, ctx.image);
  return { region: { id: s.id, type: 'bbox' as const, label: s.label, ...b }, isNew: true, cursor: s.current };
}

/**
 * Model assistance: a click is a positive point, a drag a rough box. Either becomes an `assist`
 * effect (the page asks the project's interactive model backend); the regions that come back are
 * added by the page as ordinary, undoable regions. The tool itself changes no region.
 */
export const assistTool: Tool<AssistState> = {
  id: 'assist',
  initial: () => IDLE,
  busy: (s) => s.mode !== 'idle',
  cursor: () => 'crosshair',

  pointer(s, input, ctx) {
    const p = clampPoint(input.point, ctx.image);
    if (input.kind === 'down' && input.button === 0 && s.mode === 'idle') {
      const label = ctx.activeLabel;
      if (!label || (label.tool !== 'bbox' && label.tool !== 'polygon')) return { state: s };
      return { state: { mode: 'pointing', id: ctx.newId(), label: label.name, start: p, current: p, dragged: false } };
    }
    if (input.kind === 'move' && s.mode === 'pointing') {
      const dragged = s.dragged || dist2(input.point, s.start) >= (DRAG_PX / ctx.scale) ** 2;
      const next = { ...s, current: p, dragged };
      return { state: next, effects: dragged ? [{ type: 'draft', draft: draftOf(next, ctx) }] : [] };
    }
    if (input.kind === 'up' && s.mode === 'pointing') {
      const done: Step<AssistState> = { state: IDLE, effects: [{ type: 'draft', draft: null }] };
      const b = boxFromCorners(s.start, p, ctx.image);
      // A drag too small to be a box (under 4 screen pixels a side) counts as a click.
      const box = s.dragged && b.w * ctx.scale >= 4 && b.h * ctx.scale >= 4;
      const hint = box
        ? { kind: 'box' as const, x: round2(b.x), y: round2(b.y), w: round2(b.w), h: round2(b.h) }
        : { kind: 'point' as const, x: round2(s.start.x), y: round2(s.start.y) };
      done.effects!.push({ type: 'assist', hint, label: s.label });
      return done;
    }
    return { state: s };
  },

  key(s, key) {
    if (s.mode === 'pointing' && key === 'Escape') return { state: IDLE, effects: [{ type: 'draft', draft: null }] };
    return null;
  },
};
