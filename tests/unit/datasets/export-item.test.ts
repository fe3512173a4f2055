import { describe, expect, it } from 'vitest';
import { datasetItemFromEntry, selectAnnotations, type SnapshotEntry } from '@labelwork/core';

const box = (id: string) => ({ type: 'bbox' as const, id, label: 'car', x: 1, y: 2, w: 3, h: 4 });
const entry = (annotations: SnapshotEntry['annotations']): SnapshotEntry => ({
  itemId: 'i1',
  itemHash: 'h',
  name: '图片 1.JPG',
  kind: 'image',
  width: 1000,
  height: 500,
  status: 'complete',
  annotations,
});
const ann = (ref: string, verdict?: string) => ({
  kind: 'annotation' as const,
  ref,
  version: 1,
  regions: [box(`r-${ref}`)],
  provenance: { annotator: `u-${ref}`, ...(verdict ? { verdict } : {}) },
});

describe('which annotations an export takes from an item', () => {
  it('takes the consensus when there is one, else the single annotation, else none', () => {
    const consensus = { kind: 'consensus' as const, ref: 'consensus', version: 0, regions: [box('c')] };
    expect(selectAnnotations(entry([ann('a'), ann('b'), consensus]), 'consensus').map((a) => a.ref)).toEqual(['consensus']);
    expect(selectAnnotations(entry([ann('a')]), 'consensus').map((a) => a.ref)).toEqual(['a']);
    expect(selectAnnotations(entry([ann('a'), ann('b')]), 'consensus')).toEqual([]);
  });

  it('takes only accepted or fixed annotations for `accepted`', () => {
    const e = entry([ann('a', 'accepted'), ann('b', 'rejected'), ann('c', 'fixed'), ann('d', 'submitted')]);
    expect(selectAnnotations(e, 'accepted').map((a) => a.ref)).toEqual(['a', 'c']);
  });

  it('keeps an item without annotations as an unlabeled item, but leaves non-gold items out of a gold export', () => {
    const empty = datasetItemFromEntry(entry([]), 'all');
    expect(empty).toMatchObject({ name: '图片 1.JPG', width: 1000, height: 500, annotations: [] });
    expect(datasetItemFromEntry(entry([ann('a')]), 'gold')).toBeNull();
    const gold = datasetItemFromEntry(entry([ann('a'), { kind: 'gold', ref: 'gold', version: 0, regions: [box('g')] }]), 'gold');
    expect(gold?.annotations.map((a) => a.kind)).toEqual(['gold']);
  });

  it('carries provenance to the interchange item', () => {
    const item = datasetItemFromEntry(entry([ann('a', 'accepted')]), 'all');
    expect(item?.annotations[0]?.provenance).toEqual({ annotator: 'u-a', verdict: 'accepted' });
  });
});
