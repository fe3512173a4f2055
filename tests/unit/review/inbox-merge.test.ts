import { describe, expect, it } from 'vitest';
import type { ReviewComment, ReviewRecord } from '@labelwork/core';
import { fromComment, fromVerdict, inboxEntries, SeenEntries } from '../../../client/src/features/review/inbox-merge.ts';

const ids = { p: 'a'.repeat(24), i: 'b'.repeat(24), a: 'c'.repeat(24), u: 'd'.repeat(24), r: 'e'.repeat(24) };

function comment(id: string, at: string, text = 'fix the box'): ReviewComment {
  return { id, taskId: `${ids.a}-0`, projectId: ids.p, itemId: ids.i, annotationId: ids.a, authorId: ids.r, anchor: { kind: 'region', regionId: 'box1' }, text, at };
}
function verdict(id: string, at: string, verdict: ReviewRecord['verdict'], comments: ReviewComment[] = []): ReviewRecord {
  return { id, taskId: `${ids.a}-0`, projectId: ids.p, itemId: ids.i, annotationId: ids.a, annotatorId: ids.u, reviewerId: ids.r, round: 0, verdict, comments, at };
}

describe('review inbox merge', () => {
  const c1 = comment('c1', '2026-01-01T10:00:01.000Z', '这不是轿车');
  const c2 = comment('c2', '2026-01-01T10:00:05.000Z', 'also the tail');
  const rej = verdict('v1', '2026-01-01T10:00:01.000Z', 'reject', [c1]);
  const acc = verdict('v2', '2026-01-01T10:05:00.000Z', 'accept');

  it('lists verdicts and stand-alone comments oldest first; comments sent with a verdict are part of it', () => {
    const list = inboxEntries({ verdicts: [rej, acc], comments: [c1, c2] }, null);
    expect(list.map((e) => [e.kind, e.id])).toEqual([['verdict', 'v1'], ['comment', 'c2'], ['verdict', 'v2']]);
    expect(list[0]).toMatchObject({ verdict: 'reject', text: '这不是轿车', projectId: ids.p, itemId: ids.i });
  });

  it('keeps only what is newer than the last seen time', () => {
    expect(inboxEntries({ verdicts: [rej, acc], comments: [c1, c2] }, '2026-01-01T10:00:05.000Z').map((e) => e.id)).toEqual(['v2']);
  });

  it('never shows the same verdict or comment twice across live events and catch-up after a reconnect', () => {
    const seen = new SeenEntries();
    // Live: the reject arrives as a socket event (payload with reviewId), then a stand-alone comment.
    expect(seen.fresh([fromVerdict({ reviewId: 'v1', taskId: rej.taskId, projectId: ids.p, itemId: ids.i, annotationId: ids.a, verdict: 'reject', comments: [c1], at: rej.at })])).toHaveLength(1);
    expect(seen.fresh([fromComment(c2)])).toHaveLength(1);
    // Reconnect: the catch-up answer repeats both and adds the accept missed while offline.
    const fresh = seen.fresh(inboxEntries({ verdicts: [rej, acc], comments: [c1, c2] }, null));
    expect(fresh.map((e) => e.id)).toEqual(['v2']);
    // A second catch-up (another reconnect) adds nothing; duplicates within one list count once.
    expect(seen.fresh(inboxEntries({ verdicts: [rej, acc, acc], comments: [c1, c2] }, null))).toEqual([]);
  });
});
