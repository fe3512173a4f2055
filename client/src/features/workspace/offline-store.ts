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

/** Every entry of the outbox store, within the caller's transaction. */
async function all(store: IDBObjectStore): Promise<OutboxEntry[]> {
  return (await promised(store.getAll())) as OutboxEntry[];
}

class IdbStorage implements OfflineStorage {
  constructor(private readonly db: IDBDatabase) {}

  private async write(fn: (store: IDBObjectStore) => Promise<void>): Promise<void> {
    const tx = this.db.transaction(OUTBOX, 'readwrite');
    const finished = done(tx);
    await fn(tx.objectStore(OUTBOX));
    await finished;
  }

  async entries(): Promise<OutboxEntry[]> {
    const tx = this.db.transaction(OUTBOX, 'readonly');
    const all = (await promised(tx.objectStore(OUTBOX).getAll())) as OutboxEntry[];
    return all.sort((a, b) => (a.seq ?? 0) - (b.seq ?? 0));
  }

  putDraft(draft: OutboxDraft): Promise<void> {
    return this.write(async (store) => {
      const old = rules.draftsOf(await all(store), draft.leaseId);
      const { seq: _seq, ...fresh } = draft;
      for (const o of old) store.delete(o.seq!);
      store.add({ ...fresh, sent: false, edits: draft.edits + rules.carried(old) });
    });
  }

  putSubmit(submit: OutboxSubmit): Promise<void> {
    return this.write(async (store) => {
      for (const o of rules.draftsOf(await all(store), submit.leaseId)) store.delete(o.seq!);
      const { seq: _seq, ...fresh } = submit;
      store.add(fresh);
    });
  }

  settle(entry: OutboxEntry, keep: boolean): Promise<void> {
    return this.write(async (store) => {
      const current = (await promised(store.get(entry.seq!))) as OutboxEntry | undefined;
      if (current) {
        if (current.kind === 'draft' && keep) store.put({ ...current, sent: true, edits: 0 });
        else store.delete(entry.seq!);
        return;
      }
      if (entry.kind !== 'draft') return;
      // Replaced while in flight: the replacement also counted the edits just confirmed.
      for (const d of rules.draftsOf(await all(store), entry.leaseId))
        if (!d.sent) store.put({ ...d, edits: Math.max(0, d.edits - entry.edits) });
    });
  }

  dropLease(leaseId: string): Promise<void> {
    return this.write(async (store) => {
      for (const e of await all(store)) if (e.leaseId === leaseId) store.delete(e.seq!);
    });
  }

  prune(userId: string, projectId: string, keepLeaseId: string): Promise<void> {
    return this.write(async (store) => {
      for (const e of await all(store)) if (rules.prunable(e, userId, projectId, keepLeaseId)) store.delete(e.seq!);
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
