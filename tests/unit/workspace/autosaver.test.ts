import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Region } from '@labelwork/core';
import { Autosaver } from '../../../client/src/features/workspace/autosaver.ts';
import { readJournals } from '../../../client/src/features/workspace/draft-journal.ts';
import { Outbox, type OutboxSender } from '../../../client/src/features/workspace/offline-queue.ts';
import { MemoryStorage } from '../../../client/src/features/workspace/offline-store.ts';
import type { OutboxDraft } from '../../../client/src/features/workspace/outbox-rules.ts';

const box = (id: string, x = 10): Region => ({ id, type: 'bbox', label: 'car', x, y: 20, w: 30, h: 40 });
const target = { projectId: 'p1', leaseId: 'L1', itemId: 'i1' };
const noServer: OutboxSender = {
  draft: () => new Promise(() => undefined),
  submit: () => new Promise(() => undefined),
};

/** localStorage as the browser has it, backed by a Map (synchronous, like the real one). */
class MapStorage {
  private m = new Map<string, string>();
  get length() {
    return this.m.size;
  }
  key(i: number) {
    return [...this.m.keys()][i] ?? null;
  }
  getItem(k: string) {
    return this.m.get(k) ?? null;
  }
  setItem(k: string, v: string) {
    this.m.set(k, String(v));
  }
  removeItem(k: string) {
    this.m.delete(k);
  }
}

/** A device whose IndexedDB writes commit only when the test says so (a page unloading mid-write never lets them). */
class SlowStorage extends MemoryStorage {
  held: (() => void)[] = [];
  override async putDraft(d: OutboxDraft): Promise<void> {
    await new Promise<void>((resolve) => this.held.push(resolve));
    await super.putDraft(d);
  }
  release(): void {
    for (const r of this.held.splice(0)) r();
  }
}

const tick = () => new Promise((r) => setTimeout(r, 0));

beforeEach(() => {
  (globalThis as { localStorage?: unknown }).localStorage = new MapStorage();
});
afterEach(() => {
  delete (globalThis as { localStorage?: unknown }).localStorage;
});

describe('autosave to the device', () => {
  it('writes every change to the device at once, without waiting for a pause', async () => {
    const storage = new MemoryStorage();
    const a = new Autosaver(new Outbox(storage, noServer, 'u1'), target, null, { sendMs: 60_000 });
    a.change([box('a')]);
    expect(a.unwritten()).toBe(1);
    await a.persist();
    expect(a.unwritten()).toBe(0);
    const [d] = await storage.entries();
    expect(d).toMatchObject({ kind: 'draft', leaseId: 'L1', regions: [box('a')], edits: 1, sent: false });
  });

  it('lets the newest change follow the write in flight, in order, and counts a change as written only once it committed', async () => {
    const storage = new SlowStorage();
    const a = new Autosaver(new Outbox(storage, noServer, 'u1'), target, null, { sendMs: 60_000 });
    a.change([box('a')]);
    a.change([box('a'), box('b')]);
    a.change([box('a'), box('b'), box('c')]);
    await tick();
    expect(storage.held).toHaveLength(1);
    expect(a.unwritten()).toBe(3);
    storage.release();
    await tick();
    // The first write committed; the two changes after it go in one write, the newest.
    expect(a.unwritten()).toBe(2);
    expect(storage.held).toHaveLength(1);
    storage.release();
    await a.persist();
    expect(a.unwritten()).toBe(0);
    const entries = await storage.entries();
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ regions: [box('a'), box('b'), box('c')], edits: 3 });
  });

  it('copies a change whose write has not committed to localStorage when the page goes, and the next page takes it into the outbox', async () => {
    const slow = new SlowStorage();
    const a = new Autosaver(new Outbox(slow, noServer, 'u1'), target, '2026-12-06T07:00:00.000Z', { sendMs: 60_000 });
    a.change([box('a'), box('b', 300)]);
    a.exit();
    // The page unloads: the IndexedDB write never commits.
    const copy = readJournals('u1');
    expect(copy).toHaveLength(1);
    expect(copy[0]).toMatchObject({ leaseId: 'L1', regions: [box('a'), box('b', 300)], edits: 1, basedOn: '2026-12-06T07:00:00.000Z' });
    // The device already had an older copy of the lease; the journal is newer and wins.
    const device = new MemoryStorage();
    await device.putDraft({ kind: 'draft', userId: 'u1', ...target, regions: [box('a')], changedAt: copy[0]!.changedAt - 500, edits: 1 });
    const next = new Outbox(device, noServer, 'u1');
    await next.load();
    expect(next.pending()).toHaveLength(1);
    expect(next.pending()[0]).toMatchObject({ regions: [box('a'), box('b', 300)], edits: 2 });
    expect(readJournals('u1')).toHaveLength(0);
  });

  it('writes no copy when every change is committed, and an older copy never replaces newer work', async () => {
    const storage = new MemoryStorage();
    const a = new Autosaver(new Outbox(storage, noServer, 'u1'), target, null, { sendMs: 60_000 });
    a.change([box('a')]);
    await a.persist();
    a.exit();
    expect(readJournals('u1')).toHaveLength(0);

    localStorage.setItem(
      'labelwork.workspace.journal.L1',
      JSON.stringify({ kind: 'draft', userId: 'u1', ...target, regions: [], changedAt: 1, edits: 1 }),
    );
    const next = new Outbox(storage, noServer, 'u1');
    await next.load();
    expect(next.pending()[0]).toMatchObject({ regions: [box('a')] });
    expect(readJournals('u1')).toHaveLength(0);
  });

  it('forgets the copy once the write it stood in for has committed', async () => {
    const slow = new SlowStorage();
    const a = new Autosaver(new Outbox(slow, noServer, 'u1'), target, null, { sendMs: 60_000 });
    a.change([box('a')]);
    a.exit();
    expect(readJournals('u1')).toHaveLength(1);
    slow.release();
    await a.persist();
    expect(readJournals('u1')).toHaveLength(0);
  });
});
