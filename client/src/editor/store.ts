import { codePointIndex, type AssistHint, type CodePointIndex, type LabelDef, type Region } from '@labelwork/core';
import { applySetChanges } from './diff.ts';
import {
  cycleVisibilityOps,
  deleteVertexOps,
  insertVertexOps,
  nudgeOps,
  nudgeVertexOps,
  relabelOps,
  resizeOps,
  toggleClassOps,
} from './edits.ts';
import { clampPoint } from './geometry.ts';
import { touchedBy } from './region-changes.ts';
import { drawingToolOf, labelByName } from './labels.ts';
import { EditorCore, type EditorState, type TextSelection } from './store-core.ts';
import { graphemeBoundaries, snapToGraphemes, trimRange, wordBoundaries } from './text-model.ts';
import { startTool, type Effect, type ToolContext } from './tools/index.ts';
import { roundRegion } from './tools/tool.ts';
import type { PointerInput, ToolId, ToolKey, Vec } from './types.ts';
import { imageToScreen, screenToImage } from './viewport.ts';

export type { EditorOptions, EditorState, Listener, TextSelection } from './store-core.ts';

/** Asks the model for regions; the page calls `addAssisted` with what comes back. */
export type AssistHandler = (hint: AssistHint, label: string) => void;

/** Labels the Assist tool can ask for (regions a hint can turn into). */
const assistable = (l: LabelDef | null): l is LabelDef => !!l && !l.retired && (l.tool === 'bbox' || l.tool === 'polygon');

type Patch = { -readonly [K in keyof EditorState]?: EditorState[K] };

/**
 * The annotation editor outside React: regions, selection, tool, view and undo history.
 * React and Konva subscribe and render; pointer and key input come in as plain data.
 */
export class EditorStore extends EditorCore {
  private assistHandler: AssistHandler | null = null;

  /** Offers the Assist tool (a page with an interactive model backend), or withdraws it (null). */
  setAssist(handler: AssistHandler | null): void {
    this.assistHandler = handler;
    if (!handler && this.state.tool === 'assist') this.setTool('select');
    this.set({ assist: handler ? 'ready' : 'off' });
  }

  /** The page is waiting for the backend (the tool takes no new hint meanwhile) or done. */
  setAssistBusy(busy: boolean): void {
    if (this.state.assist !== 'off') this.set({ assist: busy ? 'busy' : 'ready' });
  }

  /**
   * Adds the regions a model proposed for a hint as ordinary regions (new ids, one undo step);
   * returns their ids. Autosave and submit see them like drawn ones.
   */
  addAssisted(regions: readonly Region[]): string[] {
    if (this.state.readOnly || regions.length === 0) return [];
    const added = regions.map((r) => roundRegion({ ...r, id: this.newId() }));
    this.commit(added.map((record) => ({ op: 'put' as const, record })));
    return added.map((r) => r.id);
  }

  addRegion(region: Region): void {
    this.commit([{ op: 'put', record: region }]);
  }

  removeRegions(ids: readonly string[]): void {
    const drop = new Set(ids);
    this.commit(
      ids.map((id) => ({ op: 'remove', id })),
      { select: this.state.selection.filter((id) => !drop.has(id)) },
    );
  }

  deleteSelection(): void {
    const editable = this.state.selection.filter((id) => !this.state.locked.has(id));
    this.removeRegions(editable);
  }

  relabel(ids: readonly string[], labelName: string): void {
    const label = labelByName(this.schema, labelName);
    if (!label) return;
    const set = new Set(ids);
    this.commit(
      relabelOps(
        this.state.regions.filter((r) => set.has(r.id) && !this.state.locked.has(r.id)),
        label,
      ),
    );
  }

  /** Accepts proposals (all when `ids` is omitted) into the answer. */
  acceptPending(ids?: readonly string[]): void {
    if (this.state.readOnly) return;
    const which = (ids ?? [...this.state.pending]).filter((id) => this.state.pending.has(id));
    if (which.length === 0) return;
    const pending = which.map((id) => ({ id, before: true, after: false }));
    this.history.record({ diff: { records: [], pending }, selectionBefore: this.state.selection, selectionAfter: this.state.selection });
    this.set(
      { pending: applySetChanges(this.state.pending, pending) },
      touchedBy([], pending, (id) => this.index.get(id)),
    );
  }

  /** Drops proposals (all when `ids` is omitted). */
  rejectPending(ids?: readonly string[]): void {
    const which = (ids ?? [...this.state.pending]).filter((id) => this.state.pending.has(id));
    this.removeRegions(which);
  }

  toggleClass(labelName: string): void {
    const label = labelByName(this.schema, labelName);
    if (!label || (label.tool !== 'class-single' && label.tool !== 'class-multi')) return;
    // Choosing a proposed class accepts the proposal rather than dropping it.
    const proposed = this.state.regions.find((r) => r.type === 'class' && r.label === labelName && this.state.pending.has(r.id));
    if (proposed) {
      const single =
        label.tool === 'class-single'
          ? new Set(this.schema.labels.filter((l) => l.tool === 'class-single').map((l) => l.name))
          : new Set<string>();
      const others = this.state.regions.filter((r) => r.type === 'class' && r.id !== proposed.id && single.has(r.label));
      // A put of a copy is an edit, and an edit accepts the proposal: one undo step for both.
      return this.commit([...others.map((r) => ({ op: 'remove' as const, id: r.id })), { op: 'put', record: { ...proposed } }]);
    }
    this.commit(toggleClassOps(this.state.regions, this.schema, label, this.newId));
  }

  // ── Keyboard paths for pointer edits ────────────────────────────────────────────────

  private editableSelected(): Region | undefined {
    const r = this.regionById(this.state.selection[0]);
    return r && !this.state.locked.has(r.id) && !this.state.readOnly ? r : undefined;
  }

  /** Arrow keys on a selection: moves the active vertex if there is one, else the region. */
  nudge(dx: number, dy: number): void {
    const r = this.editableSelected();
    if (!r || !this.state.image) return;
    const v = this.state.activeVertex;
    const ops = v !== null ? nudgeVertexOps(r, v, dx, dy, this.state.image) : nudgeOps(r, dx, dy, this.state.image);
    this.commit(ops, { mergeKey: `nudge:${r.id}:${v ?? ''}` });
  }

  resizeSelection(dw: number, dh: number): void {
    const r = this.editableSelected();
    if (!r || !this.state.image) return;
    this.commit(resizeOps(r, dw, dh, this.state.image), { mergeKey: `resize:${r.id}` });
  }

  deleteActiveVertex(): boolean {
    const r = this.editableSelected();
    const v = this.state.activeVertex;
    if (!r || v === null || r.type !== 'polygon') return false;
    const ops = deleteVertexOps(r, v);
    if (ops.length) this.commit(ops, { vertex: Math.min(v, r.points.length - 2) });
    return true;
  }

  insertVertexAfterActive(): void {
    const r = this.editableSelected();
    if (!r || r.type !== 'polygon') return;
    const v = this.state.activeVertex ?? r.points.length - 1;
    this.commit(insertVertexOps(r, v), { vertex: v + 1 });
  }

  cycleVisibility(): void {
    const r = this.editableSelected();
    if (r?.type === 'keypoints') this.commit(cycleVisibilityOps(r, this.state.activeVertex ?? 0), { vertex: this.state.activeVertex ?? 0 });
  }

  stepVertex(dir: 1 | -1): void {
    const r = this.regionById(this.state.selection[0]);
    if (r?.type !== 'polygon' && r?.type !== 'keypoints') return;
    const n = r.points.length;
    const v = this.state.activeVertex;
    this.set({ activeVertex: v === null ? (dir > 0 ? 0 : n - 1) : (v + dir + n) % n });
  }

  // ── Selection, labels, tools, visibility ────────────────────────────────────────────

  select(ids: readonly string[], vertex: number | null = null): void {
    const same = ids.length === this.state.selection.length && ids.every((id, i) => this.state.selection[i] === id);
    if (same && vertex === this.state.activeVertex) return;
    this.set({ selection: same ? this.state.selection : ids.slice(), activeVertex: vertex });
  }

  /** Selects the next (or previous) shown region in list order, and brings it into view. */
  selectNext(dir: 1 | -1, filter: (r: Region) => boolean = () => true): void {
    const list = this.state.regions.filter((r) => this.isShown(r) && filter(r));
    if (list.length === 0) return;
    const at = list.findIndex((r) => r.id === this.state.selection[0]);
    const next = at < 0 ? (dir > 0 ? list[0] : list[list.length - 1]) : list[(at + dir + list.length) % list.length];
    if (next) this.select([next.id]);
  }

  isShown(r: Region): boolean {
    return !this.state.hidden.has(r.id) && !this.state.hiddenLabels.has(r.label);
  }

  setTool(tool: ToolId): void {
    this.cancelTool();
    const patch: Patch = { tool, draft: null, hover: null };
    if (tool === 'assist') {
      if (this.state.assist === 'off') return;
      patch.selection = [];
      if (!assistable(labelByName(this.schema, this.state.activeLabel))) {
        const fit = this.schema.labels.find((l) => assistable(l));
        if (fit) patch.activeLabel = fit.name;
      }
    } else if (tool !== 'select') {
      patch.selection = [];
      const active = labelByName(this.schema, this.state.activeLabel);
      if (!active || drawingToolOf(active.tool) !== tool) {
        const fit = this.schema.labels.find((l) => drawingToolOf(l.tool) === tool && !l.retired);
        if (fit) patch.activeLabel = fit.name;
      }
    }
    this.runner = startTool(tool);
    this.set({ ...patch, cursor: this.runner.cursor() });
  }

  setActiveLabel(name: string): void {
    const label = labelByName(this.schema, name);
    if (!label) return;
    const tool = drawingToolOf(label.tool);
    // Choosing a box or polygon label in the Assist tool says what to ask the model for.
    if (this.state.tool === 'assist' && assistable(label)) {
      this.cancelTool();
      this.set({ activeLabel: name, draft: null });
    } else if (tool && tool !== this.state.tool) {
      this.set({ activeLabel: name });
      this.setTool(tool);
    } else {
      this.cancelTool();
      this.set({ activeLabel: name, draft: null });
    }
  }

  /**
   * A label hotkey or a click in the label picker: toggles a document class; relabels the
   * selection when the label suits it; otherwise makes the label the one to draw next.
   */
  chooseLabel(name: string): void {
    const label: LabelDef | null = labelByName(this.schema, name);
    if (!label) return;
    if (label.tool === 'class-single' || label.tool === 'class-multi') return this.toggleClass(name);
    const ts = this.state.textSelection;
    if (label.tool === 'span' && ts && ts.anchor !== ts.focus) {
      this.labelTextSelection(name);
      return;
    }
    const sel = this.state.selection.map((id) => this.regionById(id)).filter((r): r is Region => r !== undefined);
    if (sel.length > 0 && relabelOps(sel, label).length > 0) {
      this.relabel(this.state.selection, name);
      this.set({ activeLabel: name });
      return;
    }
    this.setActiveLabel(name);
  }

  toggleHidden(id: string): void {
    const hidden = new Set(this.state.hidden);
    if (!hidden.delete(id)) hidden.add(id);
    this.set({ hidden, selection: hidden.has(id) ? this.state.selection.filter((s) => s !== id) : this.state.selection });
  }

  toggleLabelHidden(label: string): void {
    const hiddenLabels = new Set(this.state.hiddenLabels);
    if (!hiddenLabels.delete(label)) hiddenLabels.add(label);
    const selection = this.state.selection.filter((id) => {
      const r = this.regionById(id);
      return r ? !hiddenLabels.has(r.label) : false;
    });
    this.set({ hiddenLabels, selection });
  }

  toggleLocked(id: string): void {
    const locked = new Set(this.state.locked);
    if (!locked.delete(id)) locked.add(id);
    this.set({ locked });
  }

  // ── Text ───────────────────────────────────────────────────────────────────────────

  private textCache: { index: CodePointIndex; graphemes?: number[]; words?: number[] } | null = null;

  /** Code point index of the item text (empty text for image items). */
  textIndex(): CodePointIndex {
    if (!this.textCache) this.textCache = { index: codePointIndex(this.text ?? '') };
    return this.textCache.index;
  }

  /** Where user-perceived characters start (code points), for caret movement. */
  graphemes(): number[] {
    const c = this.textCache ?? { index: this.textIndex() };
    this.textCache = c;
    return (c.graphemes ??= graphemeBoundaries(c.index.text, c.index));
  }

  words(): number[] {
    const c = this.textCache ?? { index: this.textIndex() };
    this.textCache = c;
    return (c.words ??= wordBoundaries(c.index.text, 'zh-CN', c.index));
  }

  setTextSelection(sel: TextSelection | null): void {
    const cur = this.state.textSelection;
    if (sel && cur && sel.anchor === cur.anchor && sel.focus === cur.focus) return;
    if (!sel && !cur) return;
    this.set({ textSelection: sel });
  }

  /**
   * Makes a span of the text selection (widened to whole characters, trimmed of white space)
   * with `labelName`; the caret goes to its end. An identical span is selected, not doubled.
   */
  labelTextSelection(labelName: string): void {
    const ts = this.state.textSelection;
    const label = labelByName(this.schema, labelName);
    if (!ts || ts.anchor === ts.focus || label?.tool !== 'span' || this.state.readOnly) return;
    const [a, b] = snapToGraphemes(this.graphemes(), Math.min(ts.anchor, ts.focus), Math.max(ts.anchor, ts.focus));
    const range = trimRange(this.textIndex(), a, b);
    if (!range) return;
    const [start, end] = range;
    const same = this.state.regions.find((r) => r.type === 'span' && r.start === start && r.end === end && r.label === labelName);
    if (same) {
      this.set({ selection: [same.id], textSelection: { anchor: end, focus: end } });
      return;
    }
    this.commit([{ op: 'put', record: { id: this.newId(), type: 'span', label: labelName, start, end } }], { select: [] });
    this.set({ activeLabel: labelName, textSelection: { anchor: end, focus: end } });
  }

  // ── Input ──────────────────────────────────────────────────────────────────────────

  private context(): ToolContext {
    const s = this.state;
    const active = labelByName(this.schema, s.activeLabel);
    return {
      regionsAt: (p, tol) => this.index.query({ x: p.x, y: p.y, w: 0, h: 0 }, tol),
      regionById: (id) => this.index.get(id),
      selection: s.selection,
      activeVertex: s.activeVertex,
      schema: this.schema,
      activeLabel: (s.tool === 'assist' ? assistable(active) : active && drawingToolOf(active.tool) === s.tool) ? active : null,
      image: s.image ?? { width: 0, height: 0 },
      scale: s.viewport.scale,
      isPickable: (r) => this.isShown(r),
      isEditable: (r) => !s.readOnly && !s.locked.has(r.id),
      newId: this.newId,
    };
  }

  private run(effects: readonly Effect[]): void {
    const patch: Patch = {};
    for (const e of effects) {
      // New regions are not selected after drawing, so the next hotkey picks a label instead of relabelling.
      if (e.type === 'commit') this.commit(e.ops);
      else if (e.type === 'select') {
        patch.selection = e.ids;
        patch.activeVertex = e.vertex ?? null;
      } else if (e.type === 'draft') patch.draft = e.draft;
      else if (e.type === 'hover') {
        if (e.id !== this.state.hover) patch.hover = e.id;
      } else if (e.type === 'assist') {
        if (this.assistHandler && this.state.assist === 'ready') this.assistHandler(e.hint, e.label);
      }
    }
    const cursor = this.runner.cursor();
    if (cursor !== this.state.cursor) patch.cursor = cursor;
    if (
      patch.selection &&
      patch.selection.length === this.state.selection.length &&
      patch.selection.every((id, i) => id === this.state.selection[i])
    ) {
      patch.selection = this.state.selection;
    }
    if (Object.keys(patch).length > 0) this.set(patch);
  }

  /** A pointer event over the image (already in image pixels). */
  pointer(input: PointerInput): void {
    if (!this.state.image) return;
    if (this.state.readOnly && this.state.tool !== 'select') return;
    this.run(this.runner.pointer(input, this.context()));
  }

  /** Gives a key to the current tool; true when it used it. */
  toolKey(key: ToolKey): boolean {
    const effects = this.runner.key(key, this.context());
    if (effects === null) return false;
    this.run(effects);
    return true;
  }

  /** True while a shape is being drawn or dragged. */
  toolBusy(): boolean {
    return this.runner.busy();
  }

  /** Abandons the gesture in progress. */
  override cancelTool(): void {
    if (this.runner.busy()) this.runner.key('Escape', this.context());
    this.runner = startTool(this.state.tool);
    if (this.state.draft) this.set({ draft: null });
  }

  /** Arrow keys in a drawing tool: moves the keyboard pointer by (dx, dy) screen pixels. */
  moveKeyboardCursor(dx: number, dy: number): void {
    const { image, viewport, stage } = this.state;
    if (!image) return;
    const start = this.state.keyboardCursor ?? clampPoint(screenToImage(viewport, { x: stage.width / 2, y: stage.height / 2 }), image);
    const moved = this.state.keyboardCursor
      ? clampPoint({ x: start.x + dx / viewport.scale, y: start.y + dy / viewport.scale }, image)
      : start;
    this.set({ keyboardCursor: moved });
    this.keepInView(moved);
    this.pointer({ kind: 'move', point: moved, button: 0, shift: false, alt: false, mod: false });
  }

  /** Space in a drawing tool: a click at the keyboard pointer. */
  clickAtKeyboardCursor(shift = false): void {
    const p = this.state.keyboardCursor;
    if (!p) return;
    const input = { point: p, button: 0, shift, alt: false, mod: false };
    this.pointer({ ...input, kind: 'down' });
    this.pointer({ ...input, kind: 'up' });
  }

  hideKeyboardCursor(): void {
    if (this.state.keyboardCursor) this.set({ keyboardCursor: null });
  }

  private keepInView(p: Vec): void {
    const { viewport, stage } = this.state;
    const s = imageToScreen(viewport, p);
    const m = 40;
    const dx = s.x < m ? m - s.x : s.x > stage.width - m ? stage.width - m - s.x : 0;
    const dy = s.y < m ? m - s.y : s.y > stage.height - m ? stage.height - m - s.y : 0;
    if (dx || dy) this.panBy(dx, dy);
  }
}
