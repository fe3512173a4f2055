import { afterEach, describe, expect, it } from 'vitest';
import type { Annotation, Region } from '@labelwork/core';
import { ApiError } from '../../../client/src/api/http.ts';
import { Outbox, type OutboxSender } from '../../../client/src/features/workspace/offline-queue.ts';
import { MemoryStorage } from '../../../client/src/features/workspace/offline-store.ts';
import {
  backoffMs,
  latestDraft,
  newSubmissionId,
  resumeRegions,
  sendVerdict,
  unsentCounts,
  type OutboxDraft,
  type OutboxSubmit,
} from '../../../client/src/features/workspace/outbox-rules.ts';

const box = (id: string, x = 10): Region => ({ id, type: 'bbox', label: 'car', x, y: 20, w: 30, h: 40 });
const target = { projectId: 'p1', leaseId: 'L1', itemId: 'i1' };

/** A fake server: records what arrives, answers from a script (default: accepts everything). */
function fakeServer() {
  const received: { kind: 'draft' | 'submit'; leaseId: string; regions: Region[]; submissionId?: string }[] = [];
  let down = false;
  const annotations = new Map<string, Annotation>();
  const sender: OutboxSender = {
    async draft(e) {
      if (down) throw new ApiError(0, 'NETWORK', 'connection refused');
      received.push({ kind: 'draft', leaseId: e.leaseId, regions: e.regions });
      return { savedAt: new Date().toISOString(), leaseUntil: new Date().toISOString() };
    },
    async submit(e) {
      if (down) throw new ApiError(0, 'NETWORK', 'connection refused');
      received.push({ kind: 'submit', leaseId: e.leaseId, regions: e.regions, submissionId: e.submissionId });
      const known = annotations.get(e.submissionId);
      if (known) return { annotation: known, duplicate: true };
      const a = { id: `a${annotations.size + 1}`, regions: e.regions } as Annotation;
      annotations.set(e.submissionId, a);
      return { annotation: a, duplicate: false };
    },
  };
  return { sender, received, annotations, setDown: (v: boolean) => (down = v) };
}

const boxes: Outbox[] = [];
function outbox(storage = new MemoryStorage(), sender: OutboxSender = fakeServer().sender) {
  const o = new Outbox(storage, sender, 'u1', { now: Date.now, random: () => 0.5 });
  boxes.push(o);
  return o;
}
afterEach(() => {
  for (const o of boxes.splice(0)) o.stop();
});

describe('outbox rules', () => {
  it('retries when there is no answer or the server is in trouble, settles when the lease is gone, drops what the server refuses', () => {
    expect(sendVerdict(0, 'NETWORK')).toEqual({ kind: 'retry' });
    expect(sendVerdict(503, 'UNAVAILABLE')).toEqual({ kind: 'retry' });
    expect(sendVerdict(502, 'INTERNAL')).toEqual({ kind: 'retry' });
    expect(sendVerdict(401, 'SESSION_EXPIRED')).toEqual({ kind: 'retry' });
    expect(sendVerdict(410, 'LEASE_EXPIRED', { draftSaved: true })).toEqual({ kind: 'ended', code: 'LEASE_EXPIRED', draftSaved: true });
    expect(sendVerdict(409, 'SLOT_FILLED', { draftSaved: true })).toMatchObject({ kind: 'ended', draftSaved: true });
    expect(sendVerdict(404, 'NOT_FOUND')).toEqual({ kind: 'ended', code: 'NOT_FOUND', draftSaved: false });
    expect(sendVerdict(400, 'VALIDATION_FAILED')).toEqual({ kind: 'invalid', code: 'VALIDATION_FAILED' });
  });

  it('backs off from 1 s, doubling, to at most 30 s', () => {
    expect([0, 1, 2, 3, 4, 5, 9].map((n) => backoffMs(n, () => 0.5))).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000]);
    expect(backoffMs(0, () => 0)).toBe(800);
    expect(backoffMs(0, () => 1)).toBe(1200);
  });

  it('resumes the local copy when it is newer than the server draft, or continues that very draft', () => {
    const local = { regions: [box('a')], changedAt: Date.parse('2026-01-01T10:00:05Z') };
    const server = { regions: [box('b')], savedAt: '2026-01-01T10:00:00Z' };
    expect(resumeRegions(local, server)).toEqual({ regions: [box('a')], from: 'local' });
    expect(resumeRegions({ ...local, changedAt: Date.parse('2026-01-01T09:59:00Z') }, server).from).toBe('server');
    // Behind the server's clock, but continuing the server's draft: still the newer work.
    expect(resumeRegions({ ...local, changedAt: Date.parse('2026-01-01T09:59:00Z'), basedOn: '2026-01-01T10:00:00Z' }, server).from).toBe(
      'local',
    );
    expect(resumeRegions(undefined, undefined)).toEqual({ regions: [], from: 'none' });
  });

  it('finds the newest draft of a lease, or of the same item under an older lease', () => {
    const d = (leaseId: string, itemId: string, changedAt: number): OutboxDraft => ({
      kind: 'draft',
      userId: 'u1',
      projectId: 'p1',
      leaseId,
      itemId,
      regions: [],
      changedAt,
      edits: 1,
    });
    const entries = [d('L0', 'i1', 1), d('L9', 'i9', 5), d('L0', 'i1', 3)];
    expect(latestDraft(entries, 'L1', 'i1')?.changedAt).toBe(3);
    expect(latestDraft(entries, 'L9', 'x')?.changedAt).toBe(5);
    expect(latestDraft(entries, 'L2', 'i2')).toBeUndefined();
    const s: OutboxSubmit = {
      kind: 'submit',
      userId: 'u1',
      projectId: 'p1',
      leaseId: 'L3',
      itemId: 'i3',
      regions: [],
      changedAt: 9,
      submissionId: 'x'.repeat(32),
      durationMs: 1,
    };
    expect(unsentCounts([...entries, { ...d('L8', 'i8', 9), sent: true }, s])).toEqual({ edits: 3, submits: 1 });
  });

  it('makes submission ids the server accepts', () => {
    const id = newSubmissionId();
    expect(id).toMatch(/^[0-9a-f]{32}$/);
    expect(newSubmissionId()).not.toBe(id);
  });
});

describe('outbox', () => {
  it('keeps only the newest draft of a lease, adding up its unconfirmed edits', async () => {
    const storage = new MemoryStorage();
    const o = outbox(storage);
    await o.putDraft({ ...target, regions: [box('a')], changedAt: 1, edits: 2 });
    await o.putDraft({ ...target, regions: [box('a'), box('b')], changedAt: 2, edits: 1 });
    expect(o.pending()).toHaveLength(1);
    expect(o.pending()[0]).toMatchObject({ regions: [box('a'), box('b')], edits: 3 });
    expect(o.status()).toMatchObject({ edits: 3, submits: 0 });
  });

  it('sends in order and keeps the sent draft on the device for a reload without the server', async () => {
    const server = fakeServer();
    const o = outbox(new MemoryStorage(), server.sender);
    await o.putDraft({ ...target, regions: [box('a')], changedAt: 1, edits: 1 });
    await o.putDraft({ projectId: 'p1', leaseId: 'L2', itemId: 'i2', regions: [box('z')], changedAt: 2, edits: 1 });
    await o.flush();
    expect(server.received.map((r) => r.leaseId)).toEqual(['L1', 'L2']);
    expect(o.pending()).toEqual([]);
    expect(o.all()).toHaveLength(2);
    expect(o.all().every((e) => e.kind === 'draft' && e.sent)).toBe(true);
    expect(o.status()).toMatchObject({ edits: 0, reachable: true });
  });

  it("a submit replaces the lease's drafts and goes after what was queued before it", async () => {
    const server = fakeServer();
    const o = outbox(new MemoryStorage(), server.sender);
    server.setDown(true);
    await o.putDraft({ projectId: 'p1', leaseId: 'L0', itemId: 'i0', regions: [box('old')], changedAt: 1, edits: 1 });
    await o.putDraft({ ...target, regions: [box('a')], changedAt: 2, edits: 1 });
    await o.putSubmit({ ...target, regions: [box('a'), box('b')], changedAt: 3, submissionId: 's'.repeat(16), durationMs: 5 });
    await o.flush();
    expect(o.status()).toMatchObject({ reachable: false, edits: 1, submits: 1 });
    expect(o.pending().map((e) => `${e.kind}:${e.leaseId}`)).toEqual(['draft:L0', 'submit:L1']);
    server.setDown(false);
    await o.flush();
    expect(server.received.map((r) => `${r.kind}:${r.leaseId}`)).toEqual(['draft:L0', 'submit:L1']);
    expect(server.received[1]!.regions).toEqual([box('a'), box('b')]);
    expect(o.status()).toMatchObject({ reachable: true, edits: 0, submits: 0 });
  });

  it('sends a submit again with the same id after a lost answer, and the server counts it once', async () => {
    const server = fakeServer();
    let lose = true;
    const sender: OutboxSender = {
      draft: server.sender.draft,
      async submit(e) {
        const r = await server.sender.submit(e);
        // The server stored it, but the answer never came back.
        if (lose) {
          lose = false;
          throw new ApiError(0, 'NETWORK', 'connection reset');
        }
        return r;
      },
    };
    const outcomes: string[] = [];
    const o = outbox(new MemoryStorage(), sender);
    o.onOutcome((x) => outcomes.push(x.kind === 'submitted' ? `submitted duplicate=${x.duplicate}` : x.kind));
    await o.putSubmit({ ...target, regions: [box('a')], changedAt: 1, submissionId: 'abcdefgh12345678', durationMs: 1 });
    await o.flush();
    expect(o.pending()).toHaveLength(1);
    await o.flush();
    expect(server.received.filter((r) => r.kind === 'submit').map((r) => r.submissionId)).toEqual(['abcdefgh12345678', 'abcdefgh12345678']);
    expect(server.annotations.size).toBe(1);
    expect(outcomes).toEqual(['submitted duplicate=true']);
  });

  it('settles entries whose lease is gone instead of blocking the queue, and reports them', async () => {
    const sender: OutboxSender = {
      async draft(e) {
        if (e.leaseId === 'L1') throw new ApiError(410, 'LEASE_EXPIRED', 'gone', { draftSaved: true });
        return { savedAt: '2026-01-01T00:00:00Z', leaseUntil: '2026-01-01T00:01:00Z' };
      },
      submit: fakeServer().sender.submit,
    };
    const outcomes: unknown[] = [];
    const o = outbox(new MemoryStorage(), sender);
    o.onOutcome((x) => outcomes.push(x.kind === 'ended' ? [x.kind, x.code, x.draftSaved] : x.kind));
    await o.putDraft({ ...target, regions: [box('a')], changedAt: 1, edits: 1 });
    await o.putDraft({ projectId: 'p1', leaseId: 'L2', itemId: 'i2', regions: [], changedAt: 2, edits: 1 });
    await o.flush();
    expect(outcomes).toEqual([['ended', 'LEASE_EXPIRED', true], 'draft-saved']);
    expect(o.pending()).toEqual([]);
  });

  it('a draft replaced while it was being sent keeps only the edits made since', async () => {
    const storage = new MemoryStorage();
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    const sender: OutboxSender = {
      async draft() {
        await gate;
        return { savedAt: '2026-01-01T00:00:00Z', leaseUntil: '2026-01-01T00:01:00Z' };
      },
      submit: fakeServer().sender.submit,
    };
    const o = outbox(storage, sender);
    await o.putDraft({ ...target, regions: [box('a')], changedAt: 1, edits: 3 });
    const sending = o.flush();
    await new Promise((r) => setTimeout(r, 0));
    await o.putDraft({ ...target, regions: [box('a'), box('b')], changedAt: 2, edits: 2 });
    expect(o.status().edits).toBe(5);
    release();
    await sending;
    // The replacement went out too (the queue ran again); nothing is left unconfirmed.
    expect(o.status().edits).toBe(0);
    expect(o.all()).toHaveLength(1);
    expect(o.all()[0]).toMatchObject({ regions: [box('a'), box('b')], sent: true });
  });

  it('leaves the entries of other users on this device alone', async () => {
    const storage = new MemoryStorage();
    const server = fakeServer();
    const other = new Outbox(storage, server.sender, 'u2');
    boxes.push(other);
    await other.putDraft({ ...target, regions: [box('x')], changedAt: 1, edits: 1 });
    const mine = outbox(storage, server.sender);
    await mine.start();
    expect(server.received).toEqual([]);
    expect(mine.pending()).toEqual([]);
    expect(other.pending()).toHaveLength(1);
  });
});
