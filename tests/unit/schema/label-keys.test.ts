import { afterEach, describe, expect, it } from 'vitest';
import {
  addCount,
  addItemDiff,
  addPairCount,
  emptyChangelog,
  labelConfusion,
  matchBoxes,
  meanPairwiseSpanF1,
  ownEntry,
  regionConfusion,
  spanAgreement,
  type LabelSchema,
  type Region,
  type SnapshotEntry,
} from '@labelwork/core';

// Label names that are also members of Object.prototype: a record keyed by label must count them as labels.
const PROTO = ['__proto__', 'constructor', 'toString'];
const own = (r: object, key: string): unknown => Object.getOwnPropertyDescriptor(r, key)?.value;
const box = (id: string, label: string, x = 0): Region => ({ id, type: 'bbox', label, x, y: 0, w: 10, h: 10 });

afterEach(() => {
  // Nothing may have been written into every object of the process.
  for (const k of ['added', 'removed', 'fp', '(none)', 'x', ...PROTO.map((l) => `${l}-other`)])
    expect(Object.prototype).not.toHaveProperty(k);
});

describe('records keyed by label name', () => {
  it('adds and counts own entries for names of Object.prototype members', () => {
    const counts: Record<string, number> = {};
    const lists: Record<string, string[]> = {};
    for (const label of PROTO) {
      addCount(counts, label);
      addCount(counts, label, 2);
      ownEntry(lists, label, () => []).push('x');
    }
    for (const label of PROTO) {
      expect(own(counts, label)).toBe(3);
      expect(own(lists, label)).toEqual(['x']);
    }
    expect(Object.keys(counts).sort()).toEqual([...PROTO].sort());
    expect(JSON.parse(JSON.stringify(counts))).toEqual(Object.fromEntries(PROTO.map((l) => [l, 3])));
    const m: Record<string, Record<string, number>> = {};
    addPairCount(m, '__proto__', 'constructor', 4);
    expect(own(own(m, '__proto__') as object, 'constructor')).toBe(4);
  });

  it('keeps such labels in a snapshot changelog', () => {
    const entry = (labels: string[]): SnapshotEntry => ({
      itemId: 'i1',
      itemHash: 'h',
      name: 'i1.png',
      kind: 'image',
      width: 100,
      height: 50,
      status: 'complete',
      annotations: [{ kind: 'annotation', ref: 'a1', version: 1, regions: labels.map((l, i) => box(`r${i}`, l)) }],
    });
    const log = emptyChangelog();
    addItemDiff(log, entry([]), entry(PROTO));
    for (const label of PROTO) expect(own(log.regionsByLabel, label)).toMatchObject({ added: 1, changed: 0, removed: 0 });
    expect(log.regions.added).toBe(3);
  });

  it('keeps such labels in the class and region confusion matrices', () => {
    const c = labelConfusion([{ classChoice: { a: '__proto__', b: 'constructor' }, consensus: '__proto__' }]);
    expect(own(own(c.between, '__proto__') as object, 'constructor')).toBe(1);
    expect(own(own(c.between, 'constructor') as object, '__proto__')).toBe(1);
    expect(own(own(c.vsConsensus, '__proto__') as object, '__proto__')).toBe(1);
    const schema = { labels: PROTO.map((name) => ({ name, color: '#ff0000', tool: 'bbox' })) } as LabelSchema;
    const r = regionConfusion(
      [
        { annotatorId: 'a', regions: [box('1', '__proto__')] },
        { annotatorId: 'b', regions: [box('1', 'constructor')] },
      ],
      schema,
    );
    expect(own(own(r, '__proto__') as object, 'constructor')).toBe(1);
    expect(own(own(r, 'constructor') as object, '__proto__')).toBe(1);
  });

  it('keeps such labels in the per-label figures of the agreement metrics', () => {
    const boxes = PROTO.map((label, i) => ({ label, x: i * 20, y: 0, w: 10, h: 10 }));
    const m = matchBoxes(boxes, boxes);
    for (const label of PROTO) expect(own(m.perLabel, label)).toMatchObject({ tp: 1, fp: 0, fn: 0 });
    const spans = PROTO.map((label, i) => ({ label, start: i * 10, end: i * 10 + 5 }));
    const s = spanAgreement(spans, spans);
    for (const label of PROTO) expect(own(s.perLabel, label)).toMatchObject({ f1: 1 });
    const p = meanPairwiseSpanF1([spans, spans]);
    for (const label of PROTO) expect(own(p.perLabel, label)).toBe(1);
  });
});
