import type { LabelSchema, Region } from '@labelwork/core';
import { applyRecordsDiff, applySetChanges, isEmptyDiff, recordOps, type EditorDiff, type RecordOp, type SetChange } from './diff.ts';
import { History } from './history.ts';
import { RegionChangeLog, touchedBy, type RegionsVersion, type TouchedRegion } from './region-changes.ts';
import { RegionIndex } from './region-index.ts';
import { countByLabel, drawingToolOf } from './labels.ts';
import { startTool, type ToolRunner } from './tools/index.ts';
import type { Draft, Pin, Size, ToolId, Vec, Viewport } from './types.ts';
import { actualSize, fitViewport, panBy, zoomAt } from './viewport.ts';

/** Everything the editor shows, in one immutable snapshot. */
export interface EditorState {
  /** All regions in drawing order, including unaccepted proposals. */
  readonly regions: readonly Region[];
  /** Ids of pre-filled regions (gold feedback, predictions) not yet accepted or edited. */
  readonly pending: ReadonlySet<string>;
  readonly selection: readonly string[];
  /** Vertex (polygon) or keypoint of the selected region that keyboard edits act on. */
  readonly activeVertex: number | null;
  readonly tool: ToolId;
  readonly activeLabel: string | null;
  readonly hidden: ReadonlySet<string>;
  readonly hiddenLabels: ReadonlySet<string>;
  readonly locked: ReadonlySet<string>;
  readonly viewport: Viewport;
  /** Size of the drawing area in CSS pixels (0 × 0 until the canvas measures it). */
  readonly stage: Size;
  /** Image size in pixels (null for text items). */
  readonly image: Size | null;
  readonly draft: Draft | null;
  readonly hover: string | null;
  /** Keyboard pointer for drawing without a mouse (image pixels), null until arrows are used. */
  readonly keyboardCursor: Vec | null;
  readonly cursor: string;
  readonly canUndo: boolean;
  readonly canRedo: boolean;
  readonly readOnly: boolean;
  /** Text items: the caret (focus) and the other end of the selection (anchor), in code points. */
  readonly textSelection: TextSelection | null;
  /** Review comments pinned to regions or spans (not part of the answer, never undone). */
  readonly pins: readonly Pin[];
  /** Per-region colour overriding the label's (review: one colour per annotator). */
  readonly regionColors: ReadonlyMap<string, string>;
  /** Model assistance: not offered here (`off`), ready, or waiting for the backend's answer. */
  readonly assist: 'off' | 'ready' | 'busy';
}

export interface TextSelection {
  anchor: number;
  focus: number;
}

export interface EditorOptions {
  schema: LabelSchema;
  image?: Size | null;
  regions?: readonly Region[];
  /** Shown distinctly until accepted (or edited); not part of the answer before that. */
  prefilled?: readonly Region[];
  readOnly?: boolean;
  /** The item's text, for text items (span offsets are code points into it). */
  text?: string | null;
  /** Source of new region ids (tests pass a counter). */
  newId?: () => string;
  pins?: readonly Pin[];
  regionColors?: ReadonlyMap<string, string>;
}

export type Listener = (state: EditorState, prev: EditorState) => void;

const EMPTY: ReadonlySet<string> = new Set();

/** Grid cell of the region index: about 1/100 of the image's longer side, at least 64 px. */
const cellSizeFor = (image: Size | null) => Math.max(64, Math.ceil(Math.max(image?.width ?? 0, image?.height ?? 0) / 100));
const NO_COLORS: ReadonlyMap<string, string> = new Map();
const defaultId = () =>
  globalThis.crypto?.randomUUID ? globalThis.crypto.randomUUID() : `r${Date.now().toString(36)}${Math.random().toString(36).slice(2, 10)}`;

/**
 * State, subscriptions and undo history of the editor: every change of regions goes through
 * `commit` (local, undoable) or `applyRemote` (not undoable). {@link EditorStore} adds the actions.
 */
export class EditorCore {
  readonly schema: LabelSchema;
  readonly text: string | null;
  protected state: EditorState;
  private readonly listeners = new Set<Listener>();
  protected readonly history = new History<Region>();
  protected runner: ToolRunner;
  protected readonly newId: () => string;
  /**
   * The regions by id and by place (a grid over the image), updated with each change's diff, never
   * rebuilt: culling, hit-testing and look-ups by id stay cheap at tens of thousands of regions.
   */
  readonly index: RegionIndex;
  /** The last changes of the regions with what each touched (views update only that). */
  private readonly changeLog = new RegionChangeLog();
  /** Regions per label and the document classes, kept up to date one change at a time. */
  private counts: ReadonlyMap<string, number>;
  private classes: readonly Region[];

  constructor(options: EditorOptions) {
    this.schema = options.schema;
    this.text = options.text ?? null;
    this.newId = options.newId ?? defaultId;
    const own = options.regions ?? [];
    const ids = new Set(own.map((r) => r.id));
    const prefilled = (options.prefilled ?? []).filter((r) => !ids.has(r.id));
    this.runner = startTool('select');
    this.index = new RegionIndex([...own, ...prefilled], cellSizeFor(options.image ?? null));
    this.counts = countByLabel([...own, ...prefilled]);
    this.classes = [...own, ...prefilled].filter((r) => r.type === 'class');
    const first = options.schema.labels.find((l) => !l.retired && (drawingToolOf(l.tool) || l.tool === 'span'));
    this.state = {
      regions: [...own, ...prefilled],
      pending: new Set(prefilled.map((r) => r.id)),
      selection: [],
      activeVertex: null,
      tool: 'select',
      activeLabel: first?.name ?? null,
      hidden: EMPTY,
      hiddenLabels: EMPTY,
      locked: EMPTY,
      viewport: { x: 0, y: 0, scale: 1 },
      stage: { width: 0, height: 0 },
      image: options.image ?? null,
      draft: null,
      hover: null,
      keyboardCursor: null,
      cursor: 'default',
      canUndo: false,
      canRedo: false,
      readOnly: options.readOnly ?? false,
      textSelection: null,
      pins: options.pins ?? [],
      regionColors: options.regionColors ?? NO_COLORS,
      assist: 'off',
    };
  }

  getState = (): EditorState => this.state;

  subscribe = (listener: Listener): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /** The answer: every region except unaccepted proposals. */
  answer(): Region[] {
    const { regions, pending } = this.state;
    return pending.size === 0 ? regions.slice() : regions.filter((r) => !pending.has(r.id));
  }

  regionById(id: string | undefined): Region | undefined {
    return id === undefined ? undefined : this.index.get(id);
  }

  /** Regions per label name (proposals included), as of the current state; a new map after each change. */
  labelCounts(): ReadonlyMap<string, number> {
    return this.counts;
  }

  /** The document-class regions (proposals included), in drawing order. */
  classRegions(): readonly Region[] {
    return this.classes;
  }

  /**
   * The regions touched between an earlier version of the regions and the current one (see
   * {@link RegionChangeLog}); null when not known, and the caller must go over all of them.
   */
  touchedSince(from: RegionsVersion): TouchedRegion[] | null {
    return this.changeLog.touchedBetween(from, this.state);
  }

  /** `touched`: what a change of the regions or proposals touched (unknown: every view redraws all). */
  protected set(patch: Partial<EditorState>, touched: readonly TouchedRegion[] | null = null): void {
    const prev = this.state;
    const next = { ...prev, ...patch, canUndo: this.history.canUndo, canRedo: this.history.canRedo };
    if (next.selection !== prev.selection && !('activeVertex' in patch)) next.activeVertex = null;
    if (next.regions !== prev.regions || next.pending !== prev.pending) {
      this.changeLog.record(prev, next, touched);
      this.recount(next.regions, touched);
    }
    this.state = next;
    for (const l of this.listeners) l(next, prev);
  }

  // ── Edits ────────────────────────────────────────────────────────────────────────────

  /** A local edit: applied and recorded for undo. Editing a proposal accepts it. */
  commit(ops: readonly RecordOp<Region>[], options: { mergeKey?: string; select?: readonly string[]; vertex?: number | null } = {}): void {
    if (this.state.readOnly || ops.length === 0) return;
    const { list, diff } = recordOps(this.state.regions, ops);
    const pending: SetChange[] = [];
    for (const c of diff) if (this.state.pending.has(c.id)) pending.push({ id: c.id, before: true, after: false });
    const d: EditorDiff<Region> = { records: diff, pending };
    if (isEmptyDiff(d)) return;
    this.index.apply(diff);
    const selection = options.select ?? this.state.selection.filter((id) => this.index.get(id) !== undefined);
    this.history.record({
      diff: d,
      selectionBefore: this.state.selection,
      selectionAfter: selection,
      ...(options.mergeKey ? { mergeKey: options.mergeKey } : {}),
    });
    this.set(
      {
        regions: list,
        pending: pending.length ? applySetChanges(this.state.pending, pending) : this.state.pending,
        ...(selection !== this.state.selection ? { selection } : {}),
        ...(options.vertex !== undefined ? { activeVertex: options.vertex } : {}),
      },
      touchedBy(diff, pending, (id) => this.index.get(id)),
    );
  }

  /**
   * Applies a diff to the index and returns what it touched, read from the index on either side (a
   * remote diff's `before` may be stale). Call it after computing the new list, before `set`.
   */
  private touchedApplying(diff: EditorDiff<Region>): TouchedRegion[] {
    const before = new Map<string, Region | null>();
    for (const c of diff.records) if (!before.has(c.id)) before.set(c.id, this.index.get(c.id) ?? null);
    this.index.apply(diff.records);
    return [
      ...[...before].map(([id, b]) => ({ id, before: b, after: this.index.get(id) ?? null })),
      ...touchedBy([], diff.pending, (id) => this.index.get(id)),
    ];
  }

  /** Label counts and class regions after a change: by its diff when known, else over all regions. */
  private recount(regions: readonly Region[], touched: readonly TouchedRegion[] | null): void {
    if (touched === null) {
      this.counts = countByLabel(regions);
      this.classes = regions.filter((r) => r.type === 'class');
      return;
    }
    const counts = new Map(this.counts);
    let classes = false;
    for (const t of touched) {
      if (t.before === t.after) continue;
      if (t.before) counts.set(t.before.label, (counts.get(t.before.label) ?? 0) - 1);
      if (t.after) counts.set(t.after.label, (counts.get(t.after.label) ?? 0) + 1);
      if (t.before?.type === 'class' || t.after?.type === 'class') classes = true;
    }
    for (const [label, n] of counts) if (n <= 0) counts.delete(label);
    this.counts = counts;
    // Document classes are few; only a change of one of them goes over the list.
    if (classes) this.classes = regions.filter((r) => r.type === 'class');
  }

  /** Applies a change that is not the user's own (another client, a reload, a merge): never enters undo. */
  applyRemote(diff: EditorDiff<Region>): void {
    const regions = applyRecordsDiff(this.state.regions, diff.records);
    const touched = this.touchedApplying(diff);
    this.set(
      {
        regions,
        pending: applySetChanges(this.state.pending, diff.pending),
        selection: this.state.selection.filter((id) => this.index.get(id) !== undefined),
      },
      touched,
    );
  }

  /** Shows review comments on the item (live comments arrive while it is open). */
  setPins(pins: readonly Pin[]): void {
    this.set({ pins });
  }

  /** Abandons the gesture in progress (overridden by the store, which knows the tools). */
  cancelTool(): void {}

  undo(): void {
    this.cancelTool();
    this.history.seal();
    const step = this.history.undo();
    if (step) this.applyStep(step.diff, step.selection);
  }

  redo(): void {
    this.cancelTool();
    const step = this.history.redo();
    if (step) this.applyStep(step.diff, step.selection);
  }

  private applyStep(diff: EditorDiff<Region>, selection: readonly string[]): void {
    const regions = applyRecordsDiff(this.state.regions, diff.records);
    const touched = this.touchedApplying(diff);
    this.set(
      {
        regions,
        pending: applySetChanges(this.state.pending, diff.pending),
        selection: selection.filter((id) => this.index.get(id) !== undefined),
      },
      touched,
    );
  }

  // ── View ───────────────────────────────────────────────────────────────────────────

  /**
   * The stage's new size. `moved`: how far its top-left moved on the page (CSS pixels, old − new);
   * the view shifts by it so the image keeps its place on the screen (nothing jumps under the pointer).
   */
  setStage(stage: Size, moved: Vec = { x: 0, y: 0 }): void {
    const first = this.state.stage.width === 0 || this.state.stage.height === 0;
    if (first) {
      this.set({ stage });
      this.fit();
    } else if (moved.x !== 0 || moved.y !== 0) this.set({ stage, viewport: panBy(this.state.viewport, moved.x, moved.y) });
    else this.set({ stage });
  }

  setImage(image: Size | null): void {
    this.set({ image });
    this.fit();
  }

  setViewport(viewport: Viewport): void {
    this.set({ viewport });
  }

  fit(): void {
    const { image, stage } = this.state;
    if (image && stage.width > 0) this.set({ viewport: fitViewport(image, stage) });
  }

  actualSize(): void {
    this.set({ viewport: actualSize(this.state.viewport, this.state.stage) });
  }

  /** Zooms around a stage point (default: the centre). */
  zoomBy(factor: number, at?: Vec): void {
    const { stage } = this.state;
    this.set({ viewport: zoomAt(this.state.viewport, factor, at ?? { x: stage.width / 2, y: stage.height / 2 }) });
  }

  panBy(dx: number, dy: number): void {
    this.set({ viewport: panBy(this.state.viewport, dx, dy) });
  }
}
