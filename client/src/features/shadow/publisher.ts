import { Region, SHADOW_MAX_FPS, SHADOW_MAX_FRAME_CHARS, type ShadowState } from '@labelwork/core';
import type { EditorState } from '../../editor/store-core.ts';

/** What the publisher needs of an editor store (the real `EditorStore` fits). */
export interface ShadowStore {
  getState(): EditorState;
  subscribe(listener: (state: EditorState, prev: EditorState) => void): () => void;
}

export interface ShadowItem {
  id: string;
  kind: 'image' | 'text';
}

export interface PublisherOptions {
  /** Sends one frame (the caller drops it when the connection is down). */
  send(state: ShadowState): void;
  now?: () => number;
  /** Least time between two frames; default 1000 / {@link SHADOW_MAX_FPS}. */
  intervalMs?: number;
  /** Random per page load (default: a fresh one). */
  sid?: string;
}

/** Editor state a watcher sees; other changes (zoom, hover, cursor) are not sent. */
function watchedChange(s: EditorState, p: EditorState): boolean {
  return (
    s.regions !== p.regions ||
    s.selection !== p.selection ||
    s.tool !== p.tool ||
    s.activeLabel !== p.activeLabel ||
    s.draft !== p.draft ||
    s.textSelection !== p.textSelection
  );
}

function randomSid(): string {
  const c = globalThis.crypto;
  if (c?.randomUUID) return c.randomUUID().replace(/-/g, '').slice(0, 16);
  return `s${Date.now().toString(36)}${Math.random().toString(36).slice(2, 10)}`;
}

/**
 * The annotator's side of shadowing: while someone watches, sends the editor state of the item in
 * hand, at most {@link SHADOW_MAX_FPS} frames a second. The throttle is leading and trailing: the
 * first change goes out at once, changes inside the interval are folded into one frame at its end,
 * read from the store when it goes, so the last state always arrives. Nothing is sent while nobody
 * watches.
 */
export class ShadowPublisher {
  readonly sid: string;
  private store: ShadowStore | null = null;
  private item: ShadowItem | null = null;
  private unsubscribe: (() => void) | null = null;
  private watched = false;
  private seq = 0;
  private last = Number.NEGATIVE_INFINITY;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private readonly now: () => number;
  private readonly interval: number;

  constructor(
    private readonly projectId: string,
    private readonly options: PublisherOptions,
  ) {
    this.sid = options.sid ?? randomSid();
    this.now = options.now ?? (() => Date.now());
    this.interval = options.intervalMs ?? Math.ceil(1000 / SHADOW_MAX_FPS);
  }

  /** The editor of the item in hand, or none (no task: watchers see the annotator idle). */
  attach(store: ShadowStore | null, item: ShadowItem | null): void {
    if (store === this.store && item?.id === this.item?.id) return;
    this.unsubscribe?.();
    this.unsubscribe = null;
    this.store = store && item ? store : null;
    this.item = store && item ? item : null;
    if (this.store) this.unsubscribe = this.store.subscribe((s, p) => watchedChange(s, p) && this.changed());
    this.changed();
  }

  /** Someone watches (or no one does any more): start or stop sending. */
  setWatched(on: boolean): void {
    this.watched = on;
    if (!on) this.cancel();
    else this.changed();
  }

  /** A watcher joined: send the whole state again soon (respecting the throttle). */
  refresh(): void {
    this.changed();
  }

  get isWatched(): boolean {
    return this.watched;
  }

  dispose(): void {
    this.cancel();
    this.unsubscribe?.();
    this.unsubscribe = null;
    this.store = null;
    this.item = null;
    this.watched = false;
  }

  private changed(): void {
    if (!this.watched || this.timer !== null) return;
    const wait = this.last + this.interval - this.now();
    if (wait <= 0) this.publish();
    else this.timer = setTimeout(() => this.publish(), wait);
  }

  private cancel(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  private publish(): void {
    this.timer = null;
    if (!this.watched) return;
    this.last = this.now();
    this.options.send(this.frame());
  }

  /** The frame for the current state (regions left out, marked `truncated`, when it would be too big). */
  frame(): ShadowState {
    this.seq += 1;
    const base = { projectId: this.projectId, sid: this.sid, seq: this.seq };
    const s = this.store?.getState();
    if (!s || !this.item) {
      return {
        ...base,
        itemId: null,
        itemKind: null,
        regions: [],
        draft: null,
        selection: [],
        tool: 'select',
        activeLabel: null,
        textSelection: null,
      };
    }
    // A shape being drawn may not be a valid region yet (a polygon's first two points): then it waits.
    const draft = s.draft && Region.safeParse(s.draft.region).success ? s.draft.region : null;
    const frame: ShadowState = {
      ...base,
      itemId: this.item.id,
      itemKind: this.item.kind,
      regions: s.regions.slice(),
      draft,
      selection: s.selection.slice(0, 100),
      tool: s.tool,
      activeLabel: s.activeLabel,
      textSelection: s.textSelection ? { anchor: s.textSelection.anchor, focus: s.textSelection.focus } : null,
    };
    if (JSON.stringify(frame).length > SHADOW_MAX_FRAME_CHARS)
      return { ...frame, regions: [], draft: null, selection: [], truncated: true };
    return frame;
  }
}
