import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Region } from '@labelwork/core';
import { Autosaver } from '../../../client/src/features/workspace/autosaver.ts';
import { readJournals } from '../../../client/src/features/workspace/draft-journal.ts';
import { Outbox, type OutboxSender } from '../../../client/src/features/workspace/offline-queue.ts';
import { MemoryStorage } from '../../../client/src/features/workspace/offline-store.ts';

const box = (id: string): Region => ({ id, type: 'bbox', label: 'car', x: 10, y: 20, w: 30, h: 40 });
const target = { projectId: 'p1', leaseId: 'L1', itemId: 'i1' };
const noServer: OutboxSender = { draft: () => new Promise(() => undefined), submit: () => new Promise(() => undefined) };

/** localStorage backed by a Map (synchronous, like the browser's). */
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

beforeEach(() => {
  (globalThis as { localStorage?: unknown }).localStorage = new MapStorage();
});
afterEach(() => {
  delete (globalThis as { localStorage?: unknown }).localStorage;
});

describe('autosave after the frame (the workspace: writing 50,000 regions must not hold up the frame showing an edit)', () => {
  it('starts the write only after the frame, counts the change as unwritten meanwhile, and writes a burst once', async () => {
    const frames: (() => void)[] = [];
    const storage = new MemoryStorage();
    const a = new Autosaver(new Outbox(storage, noServer, 'u1'), target, null, { sendMs: 60_000, afterPaint: (run) => frames.push(run) });
    a.change([box('a')]);
    a.change([box('a'), box('b')]);
    expect(a.unwritten()).toBe(2);
    expect(frames).toHaveLength(1);
    expect(await storage.entries()).toEqual([]);
    frames.shift()!();
    await a.persist();
    expect(a.unwritten()).toBe(0);
    const entries = await storage.entries();
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ regions: [box('a'), box('b')], edits: 2 });
    // The next change asks for the next frame again.
    a.change([box('a')]);
    expect(frames).toHaveLength(1);
  });

  it('copies a change still waiting for its frame to localStorage when the page goes', () => {
    const a = new Autosaver(new Outbox(new MemoryStorage(), noServer, 'u1'), target, null, { sendMs: 60_000, afterPaint: () => undefined });
    a.change([box('a'), box('b')]);
    a.exit();
    expect(readJournals('u1')[0]).toMatchObject({ leaseId: 'L1', regions: [box('a'), box('b')], edits: 1 });
  });
});
