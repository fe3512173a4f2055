/**
 * Generic diffs over lists of records with ids (regions), the unit of undo/redo and of remote
 * changes. A change says what a record was before and after, and where it sat, so that the
 * inverse puts a deleted record back in its place.
 */

export interface RecordChange<T> {
  id: string;
  /** null: the change adds the record. */
  before: T | null;
  /** null: the change removes the record. */
  after: T | null;
  /** Position of the record when removed, or where an added record goes. */
  index: number;
}

/** Changes applied in order; positions refer to the list as it is when each change applies. */
export type RecordsDiff<T> = readonly RecordChange<T>[];

/** Membership changes of an id set (e.g. which regions are still unaccepted proposals). */
export interface SetChange {
  id: string;
  before: boolean;
  after: boolean;
}

export interface EditorDiff<T> {
  records: RecordsDiff<T>;
  pending: readonly SetChange[];
}

export type RecordOp<T> = { op: 'put'; record: T } | { op: 'remove'; id: string };

interface WithId {
  id: string;
}

/**
 * Applies a diff to a list. Tolerant of lists that changed since the diff was made (remote
 * edits): updating a missing record inserts it, adding an existing one replaces it, removing a
 * missing one does nothing.
 */
export function applyRecordsDiff<T extends WithId>(list: readonly T[], diff: RecordsDiff<T>): T[] {
  const out = new IndexedList(list);
  for (const c of diff) {
    const at = out.indexOf(c.id);
    if (c.after === null) {
      if (at >= 0) out.removeAt(at);
    } else if (at >= 0) out.set(at, c.after);
    else out.insert(c.index, c.after);
  }
  return out.items;
}

/** The diff that undoes `diff`. */
export function invertRecordsDiff<T>(diff: RecordsDiff<T>): RecordChange<T>[] {
  return diff.map((c) => ({ id: c.id, before: c.after, after: c.before, index: c.index })).reverse();
}

/** Runs put/remove operations on a list and returns the new list with the diff that describes them. */
export function recordOps<T extends WithId>(list: readonly T[], ops: readonly RecordOp<T>[]): { list: T[]; diff: RecordChange<T>[] } {
  const out = new IndexedList(list);
  const diff: RecordChange<T>[] = [];
  for (const o of ops) {
    if (o.op === 'remove') {
      const at = out.indexOf(o.id);
      if (at < 0) continue;
      diff.push({ id: o.id, before: out.items[at]!, after: null, index: at });
      out.removeAt(at);
    } else {
      const at = out.indexOf(o.record.id);
      if (at >= 0) {
        const before = out.items[at]!;
        if (before === o.record) continue;
        diff.push({ id: o.record.id, before, after: o.record, index: at });
        out.set(at, o.record);
      } else {
        diff.push({ id: o.record.id, before: null, after: o.record, index: out.items.length });
        out.insert(out.items.length, o.record);
      }
    }
  }
  return { list: out.items, diff };
}

/** Look-ups answered by a scan before an id → position map is built (one edit of a long list needs a few). */
const SCANS_BEFORE_MAP = 8;

/** A list copy with an id → position map, built once many look-ups need it and rebuilt only after positions shift. */
class IndexedList<T extends WithId> {
  readonly items: T[];
  private pos: Map<string, number> | null = null;
  private scans = 0;

  constructor(list: readonly T[]) {
    this.items = list.slice();
  }

  indexOf(id: string): number {
    if (!this.pos && this.scans < SCANS_BEFORE_MAP) {
      this.scans++;
      // Newest regions are at the end, and the edited one usually is one of them.
      for (let i = this.items.length - 1; i >= 0; i--) if (this.items[i]!.id === id) return i;
      return -1;
    }
    if (!this.pos) this.pos = new Map(this.items.map((r, i) => [r.id, i]));
    return this.pos.get(id) ?? -1;
  }

  set(at: number, record: T): void {
    this.items[at] = record;
  }

  removeAt(at: number): void {
    this.items.splice(at, 1);
    this.pos = null;
  }

  insert(index: number, record: T): void {
    const at = Math.max(0, Math.min(this.items.length, index));
    this.items.splice(at, 0, record);
    if (at === this.items.length - 1) this.pos?.set(record.id, at);
    else this.pos = null;
  }
}

/** The diff turning `from` into `to`, matched by id (for replacing everything from outside). */
export function diffLists<T extends WithId>(from: readonly T[], to: readonly T[]): RecordChange<T>[] {
  const wanted = new Map(to.map((r) => [r.id, r]));
  const ops: RecordOp<T>[] = [];
  for (const r of from) if (!wanted.has(r.id)) ops.push({ op: 'remove', id: r.id });
  for (const r of to) ops.push({ op: 'put', record: r });
  const { list, diff } = recordOps(from, ops);
  // Keep `to`'s order: if put/remove left a different order, describe it as remove + re-add.
  if (list.every((r, i) => r.id === to[i]?.id)) return diff;
  const reorder = recordOps(
    list,
    list.map((r) => ({ op: 'remove' as const, id: r.id })),
  );
  const readd = recordOps(
    reorder.list,
    to.map((r) => ({ op: 'put' as const, record: r })),
  );
  return [...diff, ...reorder.diff, ...readd.diff];
}

export function applySetChanges(set: ReadonlySet<string>, changes: readonly SetChange[]): Set<string> {
  const out = new Set(set);
  for (const c of changes) {
    if (c.after) out.add(c.id);
    else out.delete(c.id);
  }
  return out;
}

export function invertSetChanges(changes: readonly SetChange[]): SetChange[] {
  return changes.map((c) => ({ id: c.id, before: c.after, after: c.before })).reverse();
}

export function invertEditorDiff<T>(d: EditorDiff<T>): EditorDiff<T> {
  return { records: invertRecordsDiff(d.records), pending: invertSetChanges(d.pending) };
}

export function isEmptyDiff<T>(d: EditorDiff<T>): boolean {
  return d.records.length === 0 && d.pending.length === 0;
}

/** One diff doing `a` then `b` (for merging repeated nudges into one undo step). */
export function composeEditorDiffs<T>(a: EditorDiff<T>, b: EditorDiff<T>): EditorDiff<T> {
  return { records: [...a.records, ...b.records], pending: [...a.pending, ...b.pending] };
}
