import type { OutboxDraft } from './outbox-rules.ts';

/**
 * The last-moment copy of a lease's newest work in localStorage, written synchronously while the
 * page goes away (`pagehide`, hidden) when its IndexedDB write has not committed yet: an
 * IndexedDB transaction still open when the page unloads is aborted, a `localStorage.setItem`
 * made before that is not lost. The next workspace page moves it into the outbox when it is
 * newer than the outbox's copy of that lease, then forgets it.
 */

const PREFIX = 'labelwork.workspace.journal.';

export type JournalDraft = Omit<OutboxDraft, 'seq' | 'sent'>;

/** A store with localStorage's shape (tests pass a Map-backed one). */
export type KeyValueStore = Pick<Storage, 'getItem' | 'setItem' | 'removeItem' | 'key' | 'length'>;

function store(): KeyValueStore | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null;
  }
}

/** Writes a lease's newest work (synchronous; false when the device refused, e.g. out of quota). */
export function writeJournal(draft: JournalDraft, kv: KeyValueStore | null = store()): boolean {
  try {
    kv?.setItem(PREFIX + draft.leaseId, JSON.stringify(draft));
    return !!kv;
  } catch {
    return false;
  }
}

export function clearJournal(leaseId: string, kv: KeyValueStore | null = store()): void {
  try {
    kv?.removeItem(PREFIX + leaseId);
  } catch {
    // Nothing to do: a stale copy is older than the outbox's and is ignored on restore.
  }
}

function isJournal(v: unknown): v is JournalDraft {
  if (typeof v !== 'object' || v === null) return false;
  const d = v as Record<string, unknown>;
  return (
    d.kind === 'draft' &&
    typeof d.userId === 'string' &&
    typeof d.leaseId === 'string' &&
    typeof d.projectId === 'string' &&
    typeof d.itemId === 'string' &&
    Array.isArray(d.regions) &&
    typeof d.changedAt === 'number' &&
    typeof d.edits === 'number'
  );
}

/** This user's journal copies (unreadable ones are dropped). */
export function readJournals(userId: string, kv: KeyValueStore | null = store()): JournalDraft[] {
  if (!kv) return [];
  const out: JournalDraft[] = [];
  const keys: string[] = [];
  for (let i = 0; i < kv.length; i++) {
    const k = kv.key(i);
    if (k?.startsWith(PREFIX)) keys.push(k);
  }
  for (const k of keys) {
    let v: unknown = null;
    try {
      v = JSON.parse(kv.getItem(k) ?? 'null');
    } catch {
      // unreadable: dropped below
    }
    if (!isJournal(v)) kv.removeItem(k);
    else if (v.userId === userId) out.push(v);
  }
  return out;
}
