import type { AssistHint, LabelDef, LabelSchema, Region } from '@labelwork/core';
import type { RecordOp } from '../diff.ts';
import type { Draft, PointerInput, Size, ToolId, ToolKey, Vec } from '../types.ts';

/** What a tool may read: a snapshot of the editor, plus a source of new region ids. */
export interface ToolContext {
  /** Regions whose bounds come within `tol` of p (from the store's spatial index), in drawing order. */
  regionsAt(p: Vec, tol: number): readonly Region[];
  regionById(id: string): Region | undefined;
  readonly selection: readonly string[];
  readonly activeVertex: number | null;
  readonly schema: LabelSchema;
  /** The label new regions get (already checked to suit this tool, or null). */
  readonly activeLabel: LabelDef | null;
  readonly image: Size;
  /** Current zoom, for tolerances that should feel the same on screen at any zoom. */
  readonly scale: number;
  /** Shown and so clickable (not hidden). */
  isPickable(r: Region): boolean;
  /** May be changed (not locked, editor not read-only). */
  isEditable(r: Region): boolean;
  newId(): string;
}

/** A tool's plan: the store applies these; tools never touch the store. */
export type Effect =
  | { type: 'commit'; ops: RecordOp<Region>[] }
  | { type: 'select'; ids: string[]; vertex?: number | null }
  | { type: 'draft'; draft: Draft | null }
  | { type: 'hover'; id: string | null }
  /** Model assistance: the page asks the interactive backend to turn this hint into regions of `label`. */
  | { type: 'assist'; hint: AssistHint; label: string };

export interface Step<S> {
  state: S;
  effects?: Effect[];
}

/** A tool is a small state machine: (state, input) → (state, effects). No DOM, no store. */
export interface Tool<S> {
  readonly id: ToolId;
  initial(): S;
  pointer(state: S, input: PointerInput, ctx: ToolContext): Step<S>;
  /** Null when the tool does not use the key in this state (the editor's shortcuts get it). */
  key(state: S, key: ToolKey, ctx: ToolContext): Step<S> | null;
  /** Mid-gesture (drawing or dragging): switching tools or labels cancels it. */
  busy(state: S): boolean;
  /** CSS cursor to show over the stage. */
  cursor(state: S): string;
}

/** Screen pixels within which a click counts as on a point or edge. */
export const HIT_PX = 7;
/** Screen pixels the pointer must travel before a press becomes a drag. */
export const DRAG_PX = 3;

export const round2 = (v: number) => Math.round(v * 100) / 100;

/** Region coordinates rounded to 1/100 px: finer is noise, and it keeps stored JSON short. */
export function roundRegion<R extends Region>(r: R): R {
  switch (r.type) {
    case 'bbox':
      return { ...r, x: round2(r.x), y: round2(r.y), w: round2(r.w), h: round2(r.h) };
    case 'polygon':
      return { ...r, points: r.points.map((p) => ({ x: round2(p.x), y: round2(p.y) })) };
    case 'keypoints':
      return { ...r, points: r.points.map((p) => ({ ...p, x: round2(p.x), y: round2(p.y) })) };
    default:
      return r;
  }
}
