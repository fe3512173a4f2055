import { clampPoint } from '../geometry.ts';
import type { Keypoint, Vec } from '../types.ts';
import { roundRegion, type Step, type Tool, type ToolContext } from './tool.ts';

export type KeypointsState =
  { mode: 'idle' } | { mode: 'placing'; id: string; label: string; names: readonly string[]; points: Keypoint[]; cursor: Vec | null };
type Placing = Extract<KeypointsState, { mode: 'placing' }>;

const IDLE: KeypointsState = { mode: 'idle' };

function draftOf(s: Placing) {
  return {
    region: { id: s.id, type: 'keypoints' as const, label: s.label, points: s.points },
    isNew: true,
    cursor: s.cursor,
    nextPoint: s.names[s.points.length] ?? null,
  };
}

/** Adds the next named point; when the last is placed the region is committed. */
function place(s: Placing, point: Keypoint): Step<KeypointsState> {
  const next = { ...s, points: [...s.points, point] };
  if (next.points.length < next.names.length) return { state: next, effects: [{ type: 'draft', draft: draftOf(next) }] };
  return commit(next);
}

function commit(s: Placing): Step<KeypointsState> {
  const rest = s.names.slice(s.points.length).map((name): Keypoint => ({ name, x: 0, y: 0, v: 0 }));
  const points = [...s.points, ...rest];
  const effects: Step<KeypointsState>['effects'] = [{ type: 'draft', draft: null }];
  // A skeleton with no point placed says nothing: drop it.
  if (points.some((p) => p.v > 0))
    effects.push({ type: 'commit', ops: [{ op: 'put', record: roundRegion({ id: s.id, type: 'keypoints', label: s.label, points }) }] });
  return { state: IDLE, effects };
}

function start(ctx: ToolContext): Placing | null {
  const label = ctx.activeLabel;
  if (!label || label.tool !== 'keypoints' || !label.points?.length) return null;
  return { mode: 'placing', id: ctx.newId(), label: label.name, names: label.points, points: [], cursor: null };
}

/**
 * Keypoints: click the label's named points in order (Shift+click: occluded). "Skip point" marks
 * the next one not labelled; Enter ends early (the rest not labelled); Backspace takes one back.
 */
export const keypointsTool: Tool<KeypointsState> = {
  id: 'keypoints',
  initial: () => IDLE,
  busy: (s) => s.mode !== 'idle',
  cursor: () => 'crosshair',

  pointer(s, input, ctx) {
    const p = clampPoint(input.point, ctx.image);
    if (input.kind === 'down' && input.button === 0) {
      const cur = s.mode === 'placing' ? s : start(ctx);
      if (!cur) return { state: s };
      const name = cur.names[cur.points.length]!;
      return place(cur, { name, x: p.x, y: p.y, v: input.shift ? 1 : 2 });
    }
    if (input.kind === 'move' && s.mode === 'placing') {
      const next = { ...s, cursor: p };
      return { state: next, effects: [{ type: 'draft', draft: draftOf(next) }] };
    }
    return { state: s };
  },

  key(s, key, ctx) {
    if (key === 'skip-point') {
      const cur = s.mode === 'placing' ? s : start(ctx);
      if (!cur) return null;
      return place(cur, { name: cur.names[cur.points.length]!, x: 0, y: 0, v: 0 });
    }
    if (s.mode !== 'placing') return null;
    if (key === 'Escape') return { state: IDLE, effects: [{ type: 'draft', draft: null }] };
    if (key === 'Enter') return commit(s);
    if (key === 'Backspace') {
      if (s.points.length === 0) return { state: IDLE, effects: [{ type: 'draft', draft: null }] };
      const next = { ...s, points: s.points.slice(0, -1) };
      return { state: next, effects: [{ type: 'draft', draft: draftOf(next) }] };
    }
    return null;
  },
};
