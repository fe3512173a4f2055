import type { Region } from '@labelwork/core';
import type { RecordChange, SetChange } from './diff.ts';

/** What the regions (and which of them are proposals) were at one moment: the state's two fields. */
export interface RegionsVersion {
  readonly regions: readonly Region[];
  readonly pending: ReadonlySet<string>;
}

/** A region an edit touched: as it was before and as it is after (null: absent). Same object both sides: it changed state, not shape. */
export interface TouchedRegion {
  readonly id: string;
  readonly before: Region | null;
  readonly after: Region | null;
}

interface Change {
  from: RegionsVersion;
  to: RegionsVersion;
  touched: readonly TouchedRegion[];
}

/**
 * Changes kept: views further behind than this redraw everything. Views catch up every frame, so a
 * few are enough; each keeps a version of the region list alive (400 kB at 50,000 regions).
 */
const KEEP = 8;

const same = (a: RegionsVersion, b: RegionsVersion) => a.regions === b.regions && a.pending === b.pending;

/**
 * The last few changes of the regions, each with the regions it touched, so that a view can update
 * only what an edit touched (a bitmap of 50,000 regions repaints the edited box's rectangle) instead
 * of going over the whole scene. A change of unknown extent breaks the chain: views behind it redraw.
 */
export class RegionChangeLog {
  private changes: Change[] = [];

  /** Records a change from `from` to `to`; `touched` null when it is not known what it touched. */
  record(from: RegionsVersion, to: RegionsVersion, touched: readonly TouchedRegion[] | null): void {
    if (same(from, to)) return;
    if (touched === null) {
      this.changes = [];
      return;
    }
    this.changes.push({
      from: { regions: from.regions, pending: from.pending },
      to: { regions: to.regions, pending: to.pending },
      touched,
    });
    if (this.changes.length > KEEP) this.changes.shift();
  }

  /**
   * The regions touched going from version `from` to `to`, one entry per id (first before, last
   * after); null when that is not known (`from` is too far back, or a change of unknown extent came between).
   */
  touchedBetween(from: RegionsVersion, to: RegionsVersion): TouchedRegion[] | null {
    if (same(from, to)) return [];
    let i = this.changes.findIndex((c) => same(c.from, from));
    if (i < 0) return null;
    const byId = new Map<string, { id: string; before: Region | null; after: Region | null }>();
    for (; i < this.changes.length; i++) {
      const c = this.changes[i]!;
      for (const t of c.touched) {
        const seen = byId.get(t.id);
        if (seen) seen.after = t.after;
        else byId.set(t.id, { id: t.id, before: t.before, after: t.after });
      }
      if (same(c.to, to)) return [...byId.values()];
      const next = this.changes[i + 1];
      if (next && !same(next.from, c.to)) return null;
    }
    return null;
  }
}

/** The regions a records diff and a proposals change touched (`regionById`: the regions after it). */
export function touchedBy(
  records: readonly RecordChange<Region>[],
  pending: readonly SetChange[],
  regionById: (id: string) => Region | undefined,
): TouchedRegion[] {
  const out: TouchedRegion[] = records.map((c) => ({ id: c.id, before: c.before, after: c.after }));
  for (const p of pending) {
    const r = regionById(p.id) ?? null;
    out.push({ id: p.id, before: r, after: r });
  }
  return out;
}
