import type { LabelSchema, GuidelineRef, ProjectKind, Task } from '@labelwork/core';
import type { OutboxDraft, OutboxEntry, OutboxSubmit } from './outbox-rules.ts';

/**
 * The annotator's device-side state in IndexedDB (plain API, no library): the outbox of drafts
 * and submits, and the task in hand per user and project, so a reload, a browser crash or an
 * outage resumes where the person was. Falls back to memory where IndexedDB is unavailable.
 */

/** What the workspace remembers of a project, to resume without the server. */
export interface ProjectSnapshot {
  id: string;
  name: string;
  kind: ProjectKind;
  labelSchema: LabelSchema;
  guideline?: GuidelineRef;
}

/** The task in hand on this device. */
export interface WorkRecord {
  /** `${userId}:${projectId}` */
  key: string;
  task: Task;
  /** Local clock when the task was first shown here (the timer and `durationMs` count from it). */
  startedAt: number;
  project: ProjectSnapshot;
}

export const workKey = (userId: string, projectId: string) => `${userId}:${projectId}`;

export interface OfflineStorage {
  /** Every entry, oldest first (sent drafts included). */
  entries(): Promise<OutboxEntry[]>;
  /** Stores a lease's newest draft in place of its older ones (carrying over their unconfirmed edits). */
  putDraft(draft: OutboxDraft): Promise<void>;
  /** Queues a submit; the lease's drafts go (the submit carries the final answer). */
  putSubmit(submit: OutboxSubmit): Promise<void>;
  /**
   * Settles an entry the server answered: a submit goes; a draft stays as the lease's sent copy
   * (`keep`) or goes. A draft replaced while in flight keeps only the edits made since.
   */
  settle(entry: OutboxEntry, keep: boolean): Promise<void>;
  /** Forgets everything queued for a lease (after skip or release). */
  dropLease(leaseId: string): Promise<void>;
  /** Forgets the sent drafts of a user's project except those of `keepLeaseId`. */
  prune(userId: string, projectId: string, keepLeaseId: string): Promise<void>;
  getWork(key: string): Promise<WorkRecord | undefined>;
  putWork(record: WorkRecord): Promise<void>;
  deleteWork(key: string): Promise<void>;
}

/** The same rules for both stores: plain functions over the entry list. */
const rules = {
  draftsOf: (all: readonly OutboxEntry[], leaseId: string) =>
    all.filter((e): e is OutboxDraft => e.kind === 'draft' && e.leaseId === leaseId),
  carried: (old: readonly OutboxDraft[]) => old.reduce((n, o) => n + (o.sent ? 0 : o.edits), 0),
  prunable: (e: OutboxEntry, userId: string, projectId: string, keepLeaseId: string) =>
    e.kind === 'draft' && !!e.sent && e.userId === userId && e.projectId === projectId && e.leaseId !== keepLeaseId,
};

const DB_NAME = 'labelwork-workspace';
const DB_VERSION = 1;
const OUTBOX = 'outbox';
const WORK = 'work';

function promised<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

function done(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error ?? new Error('transaction aborted'));
  });
}

function openDb(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB_NAME, DB_VERSION);
    req.onupgradeneeded = () => {
      const db = req.result;
      if (!db.objectStoreNames.contains(OUTBOX)) db.createObjectStore(OUTBOX, { keyPath: 'seq', autoIncrement: true });
      if (!db.objectStoreNames.contains(WORK)) db.createObjectStore(WORK, { keyPath: 'key' });
    };
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
    req.onblocked = () => reject(new Error('IndexedDB upgrade blocked by another tab'));
  });
}

/** A record in the work store whose token changes with every write of the outbox (by any tab). */
const VERSION_KEY = '#outbox-version';
const newToken = () => `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
const bySeq = (a: OutboxEntry, b: OutboxEntry) => (a.seq ?? 0) - (b.seq ?? 0);

/**
 * The outbox in IndexedDB, with a copy in memory. A draft holds every region of the item: reading the
 * whole store back after each write cloned tens of thousands of regions several times per edit on the
 * main thread. The copy is used while the store's version token is the one this page last saw (one
 * small read per transaction); another tab's write changes the token, and the store is read again.
 */
class IdbStorage implements OfflineStorage {
  private mirror: { token: string; entries: readonly OutboxEntry[] } | null = null;

  constructor(private readonly db: IDBDatabase) {}

  /** The outbox as stored, within the caller's transaction (from the copy while it is current). */
  private async current(tx: IDBTransaction): Promise<readonly OutboxEntry[]> {
    const v = (await promised(tx.objectStore(WORK).get(VERSION_KEY))) as { token?: string } | undefined;
    const token = v?.token ?? '';
    if (this.mirror?.token === token) return this.mirror.entries;
    const entries = ((await promised(tx.objectStore(OUTBOX).getAll())) as OutboxEntry[]).sort(bySeq);
    this.mirror = { token, entries };
    return entries;
  }

  /**
   * One write transaction: `fn` makes the changes on the store and returns how to compute the entries
   * after it (called once the transaction committed, when added entries have their keys).
   */
  private async write(fn: (store: IDBObjectStore, entries: readonly OutboxEntry[]) => () => OutboxEntry[]): Promise<void> {
    const tx = this.db.transaction([OUTBOX, WORK], 'readwrite');
    const finished = done(tx);
    try {
      const after = fn(tx.objectStore(OUTBOX), await this.current(tx));
      const token = newToken();
      tx.objectStore(WORK).put({ key: VERSION_KEY, token });
      await finished;
      this.mirror = { token, entries: after().sort(bySeq) };
    } catch (e) {
      this.mirror = null;
      throw e;
    }
  }

  async entries(): Promise<OutboxEntry[]> {
    const tx = this.db.transaction([OUTBOX, WORK], 'readonly');
    return [...(await this.current(tx))];
  }

  putDraft(draft: OutboxDraft): Promise<void> {
    return this.write((store, entries) => {
      const old = rules.draftsOf(entries, draft.leaseId);
      const { seq: _seq, ...fresh } = draft;
      for (const o of old) store.delete(o.seq!);
      const value = { ...fresh, sent: false, edits: draft.edits + rules.carried(old) };
      const added = store.add(value);
      return () => [...entries.filter((e) => !old.includes(e as OutboxDraft)), { ...value, seq: added.result as number }];
    });
  }

  putSubmit(submit: OutboxSubmit): Promise<void> {
    return this.write((store, entries) => {
      const old = rules.draftsOf(entries, submit.leaseId);
      for (const o of old) store.delete(o.seq!);
      const { seq: _seq, ...fresh } = submit;
      const added = store.add(fresh);
      return () => [...entries.filter((e) => !old.includes(e as OutboxDraft)), { ...fresh, seq: added.result as number }];
    });
  }

  settle(entry: OutboxEntry, keep: boolean): Promise<void> {
    return this.write((store, entries) => {
      const current = entries.find((e) => e.seq === entry.seq);
      if (current) {
        if (current.kind === 'draft' && keep) {
          const sent = { ...current, sent: true, edits: 0 };
          store.put(sent);
          return () => entries.map((e) => (e === current ? sent : e));
        }
        store.delete(entry.seq!);
        return () => entries.filter((e) => e !== current);
      }
      if (entry.kind !== 'draft') return () => [...entries];
      // Replaced while in flight: the replacement also counted the edits just confirmed.
      const next = entries.map((e) => {
        if (e.kind !== 'draft' || e.leaseId !== entry.leaseId || e.sent) return e;
        const d = { ...e, edits: Math.max(0, e.edits - entry.edits) };
        store.put(d);
        return d;
      });
      return () => next;
    });
  }

  dropLease(leaseId: string): Promise<void> {
    return this.write((store, entries) => {
      for (const e of entries) if (e.leaseId === leaseId) store.delete(e.seq!);
      return () => entries.filter((e) => e.leaseId !== leaseId);
    });
  }

  prune(userId: string, projectId: string, keepLeaseId: string): Promise<void> {
    return this.write((store, entries) => {
      const gone = (e: OutboxEntry) => rules.prunable(e, userId, projectId, keepLeaseId);
      for (const e of entries) if (gone(e)) store.delete(e.seq!);
      return () => entries.filter((e) => !gone(e));
    });
  }

  async getWork(key: string): Promise<WorkRecord | undefined> {
    const tx = this.db.transaction(WORK, 'readonly');
    return (await promised(tx.objectStore(WORK).get(key))) as WorkRecord | undefined;
  }

  async putWork(record: WorkRecord): Promise<void> {
    const tx = this.db.transaction(WORK, 'readwrite');
    tx.objectStore(WORK).put(record);
    await done(tx);
  }

  async deleteWork(key: string): Promise<void> {
    const tx = this.db.transaction(WORK, 'readwrite');
    tx.objectStore(WORK).delete(key);
    await done(tx);
  }
}

/** Same behaviour, in memory (private windows without IndexedDB; unit tests). */
export class MemoryStorage implements OfflineStorage {
  private seq = 0;
  private list: OutboxEntry[] = [];
  private readonly work = new Map<string, WorkRecord>();
  private clone = <T>(v: T): T => structuredClone(v);

  async entries(): Promise<OutboxEntry[]> {
    return this.list.map(this.clone);
  }
  async putDraft(draft: OutboxDraft): Promise<void> {
    const old = rules.draftsOf(this.list, draft.leaseId);
    this.list = this.list.filter((e) => !old.includes(e as OutboxDraft));
    this.list.push({ ...this.clone(draft), seq: ++this.seq, sent: false, edits: draft.edits + rules.carried(old) });
  }
  async putSubmit(submit: OutboxSubmit): Promise<void> {
    const old = rules.draftsOf(this.list, submit.leaseId);
    this.list = this.list.filter((e) => !old.includes(e as OutboxDraft));
    this.list.push({ ...this.clone(submit), seq: ++this.seq });
  }
  async settle(entry: OutboxEntry, keep: boolean): Promise<void> {
    const at = this.list.findIndex((e) => e.seq === entry.seq);
    const current = this.list[at];
    if (current) {
      if (current.kind === 'draft' && keep) this.list[at] = { ...current, sent: true, edits: 0 };
      else this.list.splice(at, 1);
      return;
    }
    if (entry.kind !== 'draft') return;
    this.list = this.list.map((e) =>
      e.kind === 'draft' && !e.sent && e.leaseId === entry.leaseId ? { ...e, edits: Math.max(0, e.edits - entry.edits) } : e,
    );
  }
  async dropLease(leaseId: string): Promise<void> {
    this.list = this.list.filter((e) => e.leaseId !== leaseId);
  }
  async prune(userId: string, projectId: string, keepLeaseId: string): Promise<void> {
    this.list = this.list.filter((e) => !rules.prunable(e, userId, projectId, keepLeaseId));
  }
  async getWork(key: string): Promise<WorkRecord | undefined> {
    const w = this.work.get(key);
    return w && this.clone(w);
  }
  async putWork(record: WorkRecord): Promise<void> {
    this.work.set(record.key, this.clone(record));
  }
  async deleteWork(key: string): Promise<void> {
    this.work.delete(key);
  }
}

let shared: Promise<OfflineStorage> | null = null;

/** The device's storage (IndexedDB, opened once per page), or memory when IndexedDB cannot be opened. */
export function offlineStorage(): Promise<OfflineStorage> {
  shared ??= (typeof indexedDB === 'undefined' ? Promise.reject(new Error('no IndexedDB')) : openDb()).then(
    (db) => new IdbStorage(db),
    () => new MemoryStorage(),
  );
  return shared;
}
