import { describe, expect, it } from 'vitest';
import { applyRecordsDiff, diffLists, invertRecordsDiff, recordOps } from '../../../client/src/editor/diff.ts';

type R = { id: string; v: number };
const list: R[] = [
  { id: 'a', v: 1 },
  { id: 'b', v: 2 },
  { id: 'c', v: 3 },
  { id: 'd', v: 4 },
];

describe('record diffs', () => {
  it('puts deleted records back in their places when inverted', () => {
    const { list: after, diff } = recordOps(list, [
      { op: 'remove', id: 'b' },
      { op: 'remove', id: 'd' },
      { op: 'put', record: { id: 'a', v: 10 } },
      { op: 'put', record: { id: 'e', v: 5 } },
    ]);
    expect(after.map((r) => r.id)).toEqual(['a', 'c', 'e']);
    expect(after[0]!.v).toBe(10);
    expect(applyRecordsDiff(after, invertRecordsDiff(diff))).toEqual(list);
    expect(applyRecordsDiff(list, diff)).toEqual(after);
  });

  it('records nothing for a put of the very same record', () => {
    expect(recordOps(list, [{ op: 'put', record: list[1]! }]).diff).toEqual([]);
  });

  it('tolerates lists changed elsewhere since the diff was made', () => {
    const { diff } = recordOps(list, [{ op: 'put', record: { id: 'b', v: 20 } }]);
    // Someone removed b meanwhile: undoing our edit brings back our "before".
    const remote = list.filter((r) => r.id !== 'b');
    expect(applyRecordsDiff(remote, invertRecordsDiff(diff)).map((r) => r.id)).toEqual(['a', 'b', 'c', 'd']);
    // Removing something already gone does nothing.
    expect(applyRecordsDiff(remote, [{ id: 'b', before: list[1]!, after: null, index: 1 }])).toEqual(remote);
  });

  it('describes any replacement of a list, order included', () => {
    const to: R[] = [
      { id: 'd', v: 4 },
      { id: 'x', v: 9 },
      { id: 'a', v: 1 },
    ];
    expect(applyRecordsDiff(list, diffLists(list, to))).toEqual(to);
    expect(applyRecordsDiff(to, invertRecordsDiff(diffLists(list, to)))).toEqual(list);
  });
});
