import { useCallback, useEffect, useRef, useState } from 'react';
import type { Project, Region, Task } from '@labelwork/core';
import { isApiError } from '../../api/http.ts';
import { getProject } from '../../api/projects.ts';
import { nextTask, releaseTask, saveTaskDraft, skipTask, submitTask } from '../../api/tasks.ts';
import { Outbox, type OutboxSender, type Outcome } from './offline-queue.ts';
import { offlineStorage, workKey, type OfflineStorage, type ProjectSnapshot, type WorkRecord } from './offline-store.ts';
import { latestDraft, newSubmissionId, resumeRegions, sendVerdict } from './outbox-rules.ts';
import type { LeaseEndReason } from './lease-keeper.ts';

/** Why the task in hand went away without a submit from this page. */
export type EndCode = LeaseEndReason | 'LEASE_EXPIRED' | 'SLOT_FILLED' | 'ALREADY_ANNOTATED' | 'gone';

export type Phase =
  | { kind: 'starting' }
  | { kind: 'working'; work: WorkRecord; initialRegions: Region[]; from: 'local' | 'server' | 'none'; offline: boolean }
  /** A submit waits on this device for the server; the next task comes once it is sent. */
  | { kind: 'waiting' }
  | { kind: 'idle'; why: 'released' }
  | { kind: 'idle'; why: 'ended'; code: EndCode; draftSaved: boolean }
  | { kind: 'none'; code: 'NOTHING_TO_DO' | 'PROJECT_PAUSED'; retryAt: number }
  | { kind: 'blocked'; error: unknown }
  | { kind: 'unreachable'; error: unknown; retryAt: number };

export type Notice =
  | { kind: 'submitted'; duplicate: boolean; offline: boolean }
  | { kind: 'skipped' }
  | { kind: 'invalid'; error: unknown; regions: Region[] }
  | { kind: 'error'; error: unknown };

const RETRY_UNREACHABLE_MS = 5000;
const RETRY_PAUSED_MS = 15_000;

/** A hung server must not hold the queue: a send without an answer is given up and retried (submits are idempotent). */
const SEND_TIMEOUT_MS = 20_000;

const sender: OutboxSender = {
  draft: (e, keepalive) =>
    saveTaskDraft(e.leaseId, e.regions, keepalive ? { keepalive: true } : { signal: AbortSignal.timeout(SEND_TIMEOUT_MS) }),
  submit: (e) =>
    submitTask(
      e.leaseId,
      { submissionId: e.submissionId, regions: e.regions, durationMs: e.durationMs },
      { signal: AbortSignal.timeout(SEND_TIMEOUT_MS) },
    ),
};

/** No answer, or a server in trouble: worth trying again (and working on from the device meanwhile). */
function transient(e: unknown): boolean {
  return isApiError(e) && sendVerdict(e.status, e.code).kind === 'retry' && e.code !== 'UNAUTHENTICATED' && e.code !== 'SESSION_EXPIRED';
}

function retryAfter(e: unknown, fallback: number): number {
  const d = isApiError(e) ? e.details : null;
  const v = typeof d === 'object' && d !== null && 'retryAfterMs' in d ? Number(d.retryAfterMs) : NaN;
  return Number.isFinite(v) && v > 0 ? Math.min(v, 60_000) : fallback;
}

const END_CODES: ReadonlySet<string> = new Set(['LEASE_EXPIRED', 'SLOT_FILLED', 'ALREADY_ANNOTATED']);

/** The end reason to show for a code that settled the task (anything unexpected: the task is gone). */
function endCodeOf(code: string): EndCode {
  return END_CODES.has(code) ? (code as EndCode) : 'gone';
}

function snapshotOf(p: Project): ProjectSnapshot {
  return { id: p.id, name: p.name, kind: p.kind, labelSchema: p.labelSchema, ...(p.guideline ? { guideline: p.guideline } : {}) };
}

interface Live {
  storage: OfflineStorage;
  outbox: Outbox;
  project: ProjectSnapshot;
  /** The "next task" request in progress: reconnects, timers and sent submits may all ask at once. */
  fetching: Promise<void> | null;
  /** Leases with work that earlier pages left unsent (delivered on start, so the server's copy is it). */
  carried: ReadonlySet<string>;
}

/** One mount of the session: effects that outlive it (StrictMode runs them twice) see it cancelled. */
interface Run {
  cancelled: boolean;
}

/**
 * The annotator's session on one project: restores the task in hand (from the server, or from the
 * device when the server is out of reach), asks for the next one, submits through the outbox
 * (queued on the device when offline), skips and releases, and turns the server's answers into
 * phases and notices for the page.
 */
export function useWorkSession(userId: string, projectId: string) {
  const [phase, setPhaseState] = useState<Phase>({ kind: 'starting' });
  const [project, setProject] = useState<ProjectSnapshot | null>(null);
  const [outbox, setOutbox] = useState<Outbox | null>(null);
  const [notice, setNotice] = useState<Notice | null>(null);
  const [busy, setBusy] = useState<null | 'submit' | 'skip' | 'release' | 'next'>(null);
  const live = useRef<Live | null>(null);
  const phaseRef = useRef(phase);
  const retryTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const key = workKey(userId, projectId);

  const setPhase = useCallback((p: Phase) => {
    phaseRef.current = p;
    setPhaseState(p);
  }, []);

  const currentLease = () => (phaseRef.current.kind === 'working' ? phaseRef.current.work.task.leaseId : null);

  const clearRetry = () => {
    if (retryTimer.current) clearTimeout(retryTimer.current);
    retryTimer.current = null;
  };

  /** Shows a task: the newest of the device's copy and the server's draft, and remembers it on the device. */
  const adopt = useCallback(
    async (l: Live, task: Task, offline: boolean) => {
      const before = await l.storage.getWork(key);
      const startedAt = before && before.task.leaseId === task.leaseId ? before.startedAt : Date.now();
      const local = latestDraft(l.outbox.all(), task.leaseId, task.item.id);
      const resumed = resumeRegions(local, task.draft);
      const { regions } = resumed;
      const from = resumed.from === 'server' && l.carried.has(task.leaseId) ? 'local' : resumed.from;
      if (!offline) {
        if (local && local.leaseId !== task.leaseId) {
          // The same item under a new lease (the old one ran out): the device's work moves over.
          await l.outbox.dropLease(local.leaseId);
          if (from === 'local') {
            await l.outbox.putDraft({
              projectId,
              leaseId: task.leaseId,
              itemId: task.item.id,
              regions,
              changedAt: local.changedAt,
              edits: Math.max(1, local.edits),
              basedOn: task.draft?.savedAt ?? null,
            });
          }
        }
        await l.outbox.prune(projectId, task.leaseId);
        void l.outbox.flush();
      }
      const work: WorkRecord = { key, task, startedAt, project: l.project };
      await l.storage.putWork(work);
      setPhase({ kind: 'working', work, initialRegions: regions, from, offline });
    },
    [key, projectId, setPhase],
  );

  const fetchNextNow = useRef<(l: Live) => Promise<void>>(async () => undefined);
  /** Flushes the outbox, then asks for the next task (one request at a time). */
  const fetchNext = useCallback((): Promise<void> => {
    const l = live.current;
    if (!l) return Promise.resolve();
    l.fetching ??= fetchNextNow.current(l).finally(() => (l.fetching = null));
    return l.fetching;
  }, []);

  fetchNextNow.current = async (l: Live): Promise<void> => {
    clearRetry();
    await l.outbox.flush();
    if (l.outbox.pending().some((e) => e.kind === 'submit' && e.projectId === projectId)) {
      setPhase({ kind: 'waiting' });
      return;
    }
    try {
      const task = await nextTask(projectId);
      if (live.current !== l) return;
      await adopt(l, task, false);
    } catch (e) {
      if (live.current !== l) return;
      if (transient(e)) {
        const rec = await l.storage.getWork(key);
        if (rec) return adopt(l, rec.task, true);
        const wait = RETRY_UNREACHABLE_MS;
        setPhase({ kind: 'unreachable', error: e, retryAt: Date.now() + wait });
        retryTimer.current = setTimeout(() => void fetchNext(), wait);
        return;
      }
      if (isApiError(e) && (e.code === 'NOTHING_TO_DO' || e.code === 'PROJECT_PAUSED')) {
        const wait = retryAfter(e, e.code === 'PROJECT_PAUSED' ? RETRY_PAUSED_MS : 10_000);
        setPhase({ kind: 'none', code: e.code, retryAt: Date.now() + wait });
        retryTimer.current = setTimeout(() => void fetchNext(), wait);
        return;
      }
      setPhase({ kind: 'blocked', error: e });
    }
  };

  /** Forgets the device's record of the task in hand, if it is that lease's. */
  const forgetWork = useCallback(
    async (l: Live, leaseId: string) => {
      const rec = await l.storage.getWork(key);
      if (rec?.task.leaseId === leaseId) await l.storage.deleteWork(key);
    },
    [key],
  );

  /** The task in hand is over without a submit from here (lease ended, slot filled…). */
  const endWork = useCallback(
    async (leaseId: string, code: EndCode, draftSaved: boolean) => {
      const l = live.current;
      if (!l) return;
      await forgetWork(l, leaseId);
      setPhase({ kind: 'idle', why: 'ended', code, draftSaved });
    },
    [forgetWork, setPhase],
  );

  const onOutcome = useCallback(
    (o: Outcome) => {
      const l = live.current;
      if (!l || o.entry.projectId !== projectId) return;
      const mine = o.entry.leaseId === currentLease();
      const { entry } = o;
      if (o.kind === 'submitted') {
        setNotice({ kind: 'submitted', duplicate: o.duplicate, offline: phaseRef.current.kind === 'waiting' });
        void forgetWork(l, entry.leaseId).then(() => {
          if (phaseRef.current.kind === 'waiting' || mine) void fetchNext();
        });
      } else if (o.kind === 'ended' && mine) {
        // The server keeps the work as a draft for the lead where it can (details.draftSaved).
        void endWork(entry.leaseId, endCodeOf(o.code), o.draftSaved || entry.kind === 'draft');
      } else if (o.kind === 'invalid' && entry.kind === 'submit') {
        // The answer does not fit the schema: back to editing it (kept as the lease's draft), nothing lost.
        setNotice({ kind: 'invalid', error: o.error, regions: entry.regions });
        void l.outbox
          .putDraft({ projectId, leaseId: entry.leaseId, itemId: entry.itemId, regions: entry.regions, changedAt: Date.now(), edits: 1 })
          .then(() => {
            if (phaseRef.current.kind === 'waiting') void fetchNext();
          });
      }
    },
    [endWork, fetchNext, forgetWork, projectId],
  );

  const start = useCallback(
    async (run: Run): Promise<void> => {
      clearRetry();
      const storage = await offlineStorage();
      const rec = await storage.getWork(key);
      let snap: ProjectSnapshot | null = null;
      try {
        snap = snapshotOf(await getProject(projectId));
      } catch (e) {
        if (run.cancelled) return;
        if (!transient(e)) return setPhase({ kind: 'blocked', error: e });
        snap = rec?.project ?? null;
        if (!snap) {
          setPhase({ kind: 'unreachable', error: e, retryAt: Date.now() + RETRY_UNREACHABLE_MS });
          retryTimer.current = setTimeout(() => void start(run), RETRY_UNREACHABLE_MS);
          return;
        }
      }
      if (run.cancelled) return;
      const ob = new Outbox(storage, sender, userId);
      ob.onOutcome(onOutcome);
      await ob.load();
      if (run.cancelled) return;
      const carried = new Set(ob.pending().map((e) => e.leaseId));
      live.current = { storage, outbox: ob, project: snap, fetching: null, carried };
      setProject(snap);
      setOutbox(ob);
      await ob.start();
      if (!run.cancelled) await fetchNext();
    },
    [fetchNext, key, onOutcome, projectId, setPhase, userId],
  );

  useEffect(() => {
    const run: Run = { cancelled: false };
    void start(run);
    return () => {
      run.cancelled = true;
      clearRetry();
      live.current?.outbox.stop();
      live.current = null;
    };
    // Once per user and project; `start` changes only with them.
  }, [start]);

  const submit = useCallback(
    async (regions: Region[]) => {
      const l = live.current;
      const p = phaseRef.current;
      if (!l || p.kind !== 'working' || busy) return;
      setBusy('submit');
      setNotice(null);
      const { task, startedAt } = p.work;
      const submissionId = newSubmissionId();
      try {
        await l.outbox.putSubmit({
          projectId,
          leaseId: task.leaseId,
          itemId: task.item.id,
          regions,
          changedAt: Date.now(),
          submissionId,
          durationMs: Math.max(0, Math.round(Date.now() - startedAt)),
        });
        await l.outbox.flush();
        // Still queued: no server. The submit waits on the device; the next task comes after it.
        if (l.outbox.pending().some((e) => e.kind === 'submit' && e.submissionId === submissionId)) setPhase({ kind: 'waiting' });
      } finally {
        setBusy(null);
      }
    },
    [busy, projectId, setPhase],
  );

  const giveBack = useCallback(
    async (how: 'skip' | 'release', reason = '') => {
      const l = live.current;
      const p = phaseRef.current;
      if (!l || p.kind !== 'working' || busy) return false;
      setBusy(how);
      setNotice(null);
      const leaseId = p.work.task.leaseId;
      try {
        await (how === 'skip' ? skipTask(leaseId, reason) : releaseTask(leaseId));
        await l.outbox.dropLease(leaseId);
        await forgetWork(l, leaseId);
        if (how === 'skip') {
          setNotice({ kind: 'skipped' });
          void fetchNext();
        } else setPhase({ kind: 'idle', why: 'released' });
        return true;
      } catch (e) {
        if (isApiError(e) && sendVerdict(e.status, e.code, e.details).kind === 'ended') void endWork(leaseId, endCodeOf(e.code), true);
        else setNotice({ kind: 'error', error: e });
        return false;
      } finally {
        setBusy(null);
      }
    },
    [busy, endWork, fetchNext, forgetWork, setPhase],
  );

  const next = useCallback(async () => {
    setBusy('next');
    setNotice(null);
    setPhase({ kind: 'starting' });
    try {
      await fetchNext();
    } finally {
      setBusy(null);
    }
  }, [fetchNext, setPhase]);

  return {
    phase,
    project,
    outbox,
    notice,
    busy,
    dismissNotice: () => setNotice(null),
    submit,
    skip: (reason: string) => giveBack('skip', reason),
    release: () => giveBack('release'),
    next,
    /** The lease keeper saw the lease end (the server keeps a late draft or submit for the lead). */
    leaseEnded: (reason: LeaseEndReason) => {
      const leaseId = currentLease();
      if (leaseId) void endWork(leaseId, reason, true);
    },
    /** The server answers again (socket reconnect, `online`): resume sending, and fetch when idle offline. */
    reconnected: () => {
      void live.current?.outbox.flush();
      const k = phaseRef.current.kind;
      if (k === 'unreachable' || k === 'waiting') void fetchNext();
    },
    retryNow: () => void fetchNext(),
  };
}
