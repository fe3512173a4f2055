import type { Region } from '@labelwork/core';
import type { RecordChange } from './diff.ts';
import { regionBounds } from './geometry.ts';
import type { Rect } from './types.ts';

/** One indexed region: its bounds (image pixels), its drawing-order key and the grid cells it is in. */
export interface IndexEntry {
  readonly region: Region;
  readonly x0: number;
  readonly y0: number;
  readonly x1: number;
  readonly y1: number;
  /** Drawing order: larger is drawn later (on top). */
  readonly seq: number;
  /** Grid cells holding the entry (empty: in the list of large regions). */
  readonly cells: readonly number[];
  /** Last query that returned it (de-duplicates regions spanning several cells). */
  stamp: number;
}

/** Regions spanning more cells than this go in one list checked by every query instead. */
const MAX_CELLS = 64;
/** Cell keys pack (column, row) into one number; rows up to this count. */
const ROWS = 1 << 20;

/**
 * A uniform grid over image pixels: region id → bounds, and cell → regions, kept up to date one
 * change at a time (a put or remove touches only that region's cells). Queries by rectangle return
 * each region once. Regions without geometry (spans, classes) are kept by id only.
 * Drawing order is kept as a sequence number per region object: a replaced region keeps its
 * predecessor's number, a region put back by undo (the same object) gets its old number again.
 */
export class RegionIndex {
  private readonly byId = new Map<string, IndexEntry>();
  private readonly grid = new Map<number, Set<IndexEntry>>();
  private readonly large = new Set<IndexEntry>();
  private readonly seqOf = new WeakMap<Region, number>();
  private nextSeq = 0;
  private stamp = 0;

  constructor(
    regions: readonly Region[] = [],
    /** Cell size in image pixels. */
    readonly cell = 128,
  ) {
    for (const r of regions) this.put(r);
  }

  get size(): number {
    return this.byId.size;
  }

  get(id: string): Region | undefined {
    return this.byId.get(id)?.region;
  }

  entry(id: string): IndexEntry | undefined {
    return this.byId.get(id);
  }

  /** Adds a region, or replaces the region with its id. */
  put(r: Region): void {
    const old = this.byId.get(r.id);
    if (old?.region === r) return;
    if (old) this.unlink(old);
    const seq = this.seqOf.get(r) ?? old?.seq ?? this.nextSeq++;
    this.seqOf.set(r, seq);
    const b = regionBounds(r);
    if (!b) {
      this.byId.set(r.id, { region: r, x0: NaN, y0: NaN, x1: NaN, y1: NaN, seq, cells: [], stamp: 0 });
      return;
    }
    const c = this.cell;
    const cx0 = Math.floor(b.x / c);
    const cy0 = Math.floor(b.y / c);
    const cx1 = Math.floor((b.x + b.w) / c);
    const cy1 = Math.floor((b.y + b.h) / c);
    const span = (cx1 - cx0 + 1) * (cy1 - cy0 + 1);
    const cells: number[] = [];
    if (span <= MAX_CELLS) for (let cx = cx0; cx <= cx1; cx++) for (let cy = cy0; cy <= cy1; cy++) cells.push(cx * ROWS + cy);
    const e: IndexEntry = { region: r, x0: b.x, y0: b.y, x1: b.x + b.w, y1: b.y + b.h, seq, cells, stamp: 0 };
    this.byId.set(r.id, e);
    if (span > MAX_CELLS) this.large.add(e);
    for (const k of cells) {
      const set = this.grid.get(k);
      if (set) set.add(e);
      else this.grid.set(k, new Set([e]));
    }
  }

  remove(id: string): void {
    const e = this.byId.get(id);
    if (!e) return;
    this.unlink(e);
    this.byId.delete(id);
  }

  /** Applies a records diff the way `applyRecordsDiff` applies it to the list. */
  apply(changes: readonly RecordChange<Region>[]): void {
    for (const c of changes) {
      if (c.after === null) this.remove(c.id);
      else this.put(c.after);
    }
  }

  private unlink(e: IndexEntry): void {
    this.large.delete(e);
    for (const k of e.cells) {
      const set = this.grid.get(k);
      if (!set) continue;
      set.delete(e);
      if (set.size === 0) this.grid.delete(k);
    }
  }

  /**
   * Entries whose bounds meet `rect` grown by `margin` on every side, each once, in no particular
   * order. `visit` is called for each; nothing is allocated per region.
   */
  forEachIn(rect: Rect, margin: number, visit: (e: IndexEntry) => void): void {
    const x0 = rect.x - margin;
    const y0 = rect.y - margin;
    const x1 = rect.x + rect.w + margin;
    const y1 = rect.y + rect.h + margin;
    const stamp = ++this.stamp;
    const meets = (e: IndexEntry) => e.x0 <= x1 && e.x1 >= x0 && e.y0 <= y1 && e.y1 >= y0;
    const c = this.cell;
    const cx0 = Math.floor(x0 / c);
    const cy0 = Math.floor(y0 / c);
    const cx1 = Math.floor(x1 / c);
    const cy1 = Math.floor(y1 / c);
    const cellsInRect = (cx1 - cx0 + 1) * (cy1 - cy0 + 1);
    // A rectangle over more cells than are filled (a zoomed-out view): one pass over every region is cheaper.
    if (!(cellsInRect <= this.grid.size)) {
      for (const e of this.byId.values()) if (meets(e)) visit(e);
      return;
    }
    for (const e of this.large) {
      if (meets(e)) {
        e.stamp = stamp;
        visit(e);
      }
    }
    for (let cx = cx0; cx <= cx1; cx++) {
      for (let cy = cy0; cy <= cy1; cy++) {
        const set = this.grid.get(cx * ROWS + cy);
        if (!set) continue;
        for (const e of set) {
          if (e.stamp === stamp || !meets(e)) continue;
          e.stamp = stamp;
          visit(e);
        }
      }
    }
  }

  /** Regions whose bounds meet `rect` (grown by `margin`), in drawing order. */
  query(rect: Rect, margin = 0): Region[] {
    const found: IndexEntry[] = [];
    this.forEachIn(rect, margin, (e) => found.push(e));
    found.sort((a, b) => a.seq - b.seq);
    return found.map((e) => e.region);
  }
}
