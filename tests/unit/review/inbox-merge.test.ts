import { describe, expect, it } from 'vitest';
import type { InboxEntry, ReviewComment } from '@labelwork/core';
import { addToasts, fromComment, fromVerdict, mergeEntries, SeenEntries } from '../../../client/src/features/review/inbox-merge.ts';

const ids = { p: 'a'.repeat(24), i: 'b'.repeat(24), a: 'c'.repeat(24), u: 'd'.repeat(24), r: 'e'.repeat(24) };

function comment(id: string, at: string, text = 'fix the box'): ReviewComment {
  return {
    id,
    taskId: `${ids.a}-0`,
    projectId: ids.p,
    itemId: ids.i,
    annotationId: ids.a,
    authorId: ids.r,
    anchor: { kind: 'region', regionId: 'box1' },
    text,
    at,
  };
}
function entry(id: string, at: string, verdict: InboxEntry['verdict'] | null, read = false): InboxEntry {
  return {
    id,
    kind: verdict ? 'verdict' : 'comment',
    ...(verdict ? { verdict } : {}),
    projectId: ids.p,
    itemId: ids.i,
    annotationId: ids.a,
    taskId: `${ids.a}-0`,
    itemName: 'street.png',
    text: '',
    at,
    read,
  };
}
const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 10, 0, s)).toISOString();

describe('review inbox merge', () => {
  it('turns live events into unread entries with the same id and item name the inbox API gives', () => {
    const c1 = comment('c1', at(1), '这不是轿车');
    expect(
      fromVerdict({
        reviewId: 'v1',
        taskId: `${ids.a}-0`,
        projectId: ids.p,
        itemId: ids.i,
        annotationId: ids.a,
        verdict: 'reject',
        comments: [c1],
        at: at(1),
        itemName: 'street.png',
      }),
    ).toEqual({
      id: 'v1',
      kind: 'verdict',
      verdict: 'reject',
      projectId: ids.p,
      itemId: ids.i,
      annotationId: ids.a,
      taskId: `${ids.a}-0`,
      itemName: 'street.png',
      text: '这不是轿车',
      at: at(1),
      read: false,
    });
    expect(fromComment({ ...comment('c2', at(2)), itemName: null })).toMatchObject({
      id: 'c2',
      kind: 'comment',
      itemName: null,
      read: false,
    });
  });

  it('orders unread first, then newest first; a live copy never makes a read entry unread again', () => {
    const list = mergeEntries(
      [entry('old-read', at(1), 'accept', true), entry('new-unread', at(5), 'reject')],
      [entry('mid', at(3), null), entry('old-read', at(1), 'accept', false)],
    );
    expect(list.map((e) => [e.id, e.read])).toEqual([
      ['new-unread', false],
      ['mid', false],
      ['old-read', true],
    ]);
  });

  it('never toasts the same verdict or comment twice across live events and re-reads after a reconnect', () => {
    const seen = new SeenEntries();
    expect(seen.fresh([entry('v1', at(1), 'reject')])).toHaveLength(1);
    expect(seen.fresh([entry('v1', at(1), 'reject'), entry('v2', at(9), 'accept')]).map((e) => e.id)).toEqual(['v2']);
    expect(seen.fresh([entry('v2', at(9), 'accept'), entry('v2', at(9), 'accept')])).toEqual([]);
  });
});

describe('toasts', () => {
  it('folds ten accepts arriving together into one "10 annotations accepted" toast; a reject keeps its own', () => {
    const fresh = Array.from({ length: 10 }, (_, i) => entry(`a${i}`, at(i), 'accept'));
    fresh.splice(4, 0, entry('r1', at(4), 'reject'));
    const toasts = addToasts([], fresh, 1000, 8000);
    expect(toasts.map((t) => [t.kind, t.entries.length])).toEqual([
      ['single', 1],
      ['accepted', 10],
    ]);
    expect(toasts[0]!.entries[0]!.id).toBe('r1');
  });

  it('adds accepts that arrive one by one to the group on screen and keeps it up longer', () => {
    let toasts = addToasts([], [entry('a0', at(0), 'accept')], 0, 8000);
    expect(toasts.map((t) => [t.kind, t.entries.length])).toEqual([['single', 1]]);
    toasts = addToasts(toasts, [entry('a1', at(1), 'accept')], 100, 8000);
    toasts = addToasts(toasts, [entry('a2', at(2), 'accept')], 200, 8000);
    expect(toasts.map((t) => [t.kind, t.entries.length, t.until])).toEqual([['accepted', 3, 8200]]);
    // Once it has gone, the next accept starts a new toast.
    expect(addToasts(toasts, [entry('a3', at(3), 'accept')], 9000, 8000).map((t) => [t.kind, t.entries.length])).toEqual([['single', 1]]);
  });

  it('keeps at most four toasts, the newest', () => {
    const toasts = addToasts(
      [],
      ['x1', 'x2', 'x3', 'x4', 'x5'].map((id, i) => entry(id, at(i), 'reject')),
      0,
      8000,
    );
    expect(toasts.map((t) => t.key)).toEqual(['x2', 'x3', 'x4', 'x5']);
  });
});
