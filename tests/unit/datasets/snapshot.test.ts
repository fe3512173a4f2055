import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  addHeaderDiff,
  addItemDiff,
  canonicalJson,
  emptyChangelog,
  labelSchemaDiff,
  nextVersion,
  releaseNoteRequired,
  snapshotEntryLine,
  snapshotHeaderLine,
  snapshotLabels,
  versionBump,
  SNAPSHOT_FORMAT,
  type SnapshotEntry,
  type SnapshotHeader,
  type SnapshotLabel,
} from '@labelwork/core';

const header = (labels: SnapshotLabel[], guideline?: { slug: string; version: string }): SnapshotHeader => ({
  format: SNAPSHOT_FORMAT,
  projectId: 'p1',
  kind: 'image',
  labels,
  guideline,
  selection: { annotations: 'all' },
});
const car: SnapshotLabel = { name: 'car', tool: 'bbox' };
const dog: SnapshotLabel = { name: 'dog', tool: 'bbox' };

const entry = (itemId: string, boxes: { id: string; label: string; x: number }[], ref = 'a1'): SnapshotEntry => ({
  itemId,
  itemHash: `h-${itemId}`,
  name: `${itemId}.png`,
  kind: 'image',
  width: 100,
  height: 50,
  status: 'complete',
  annotations: [
    {
      kind: 'annotation',
      ref,
      version: 1,
      regions: boxes.map((b) => ({ type: 'bbox', id: b.id, label: b.label, x: b.x, y: 0, w: 1, h: 1 })),
    },
  ],
});

const snapshotId = (h: SnapshotHeader, entries: SnapshotEntry[]) => {
  const hash = createHash('sha256').update(snapshotHeaderLine(h));
  for (const e of entries) hash.update(snapshotEntryLine(e));
  return hash.digest('hex');
};

describe('canonical snapshot text', () => {
  it('sorts object keys and drops undefined members, so key order never changes the text', () => {
    expect(canonicalJson({ b: 1, a: { d: undefined, c: [2, { z: 1, y: 'é' }] } })).toBe('{"a":{"c":[2,{"y":"é","z":1}]},"b":1}');
  });

  it('gives the same snapshot id for the same state built in a different order', () => {
    const e1 = entry('i1', [
      { id: 'r2', label: 'car', x: 2 },
      { id: 'r1', label: 'dog', x: 1 },
    ]);
    const e1Reordered: SnapshotEntry = {
      ...e1,
      annotations: [
        { ...e1.annotations[0]!, regions: [...e1.annotations[0]!.regions].reverse() },
        { kind: 'gold' as const, ref: 'gold', version: 0, regions: [] },
      ].reverse(),
    };
    const e1WithGold: SnapshotEntry = { ...e1, annotations: [...e1.annotations, { kind: 'gold', ref: 'gold', version: 0, regions: [] }] };
    expect(snapshotEntryLine(e1Reordered)).toBe(snapshotEntryLine(e1WithGold));
    expect(snapshotId(header([car, dog]), [e1WithGold])).toBe(snapshotId(header([car, dog]), [e1Reordered]));
  });

  it('gives a different id when one coordinate changes', () => {
    const a = snapshotId(header([car]), [entry('i1', [{ id: 'r1', label: 'car', x: 1 }])]);
    const b = snapshotId(header([car]), [entry('i1', [{ id: 'r1', label: 'car', x: 1.5 }])]);
    expect(a).not.toBe(b);
  });

  it('keeps only the fields of a label that change what a dataset means', () => {
    expect(
      snapshotLabels([
        { name: 'car', color: '#ff0000', hotkey: 'c', tool: 'bbox', description: 'a car' },
        { name: 'person', color: '#00ff00', tool: 'keypoints', points: ['nose', 'eye'], edges: [{ from: 'nose', to: 'eye' }] },
      ]),
    ).toEqual([
      { name: 'car', tool: 'bbox' },
      { name: 'person', tool: 'keypoints', points: ['nose', 'eye'], edges: [{ from: 'nose', to: 'eye' }] },
    ]);
  });
});

describe('changelog between two snapshots', () => {
  it('counts items and regions added, changed and removed per label', () => {
    const prev = [
      entry('i1', [
        { id: 'r1', label: 'car', x: 1 },
        { id: 'r2', label: 'car', x: 2 },
      ]),
      entry('i2', [{ id: 'r1', label: 'dog', x: 1 }]),
      entry('i3', []),
    ];
    const next = [
      entry('i1', [
        { id: 'r1', label: 'car', x: 5 },
        { id: 'r3', label: 'dog', x: 3 },
      ]),
      entry('i3', []),
      entry('i4', [{ id: 'r1', label: 'car', x: 1 }]),
    ];
    const log = emptyChangelog();
    // merge walk in item-id order
    const ids = [...new Set([...prev, ...next].map((e) => e.itemId))].sort();
    for (const id of ids)
      addItemDiff(
        log,
        prev.find((e) => e.itemId === id),
        next.find((e) => e.itemId === id),
      );
    expect(log.items).toMatchObject({ added: 1, changed: 1, removed: 1, examples: { added: ['i4'], changed: ['i1'], removed: ['i2'] } });
    expect(log.regionsByLabel.car).toMatchObject({ added: 1, changed: 1, removed: 1 });
    expect(log.regionsByLabel.dog).toMatchObject({ added: 1, changed: 0, removed: 1 });
    expect(log.regions).toEqual({ added: 2, changed: 1, removed: 2 });
  });

  it('counts a relabelled region as removed from its old label and added to its new one', () => {
    const log = emptyChangelog();
    addItemDiff(log, entry('i1', [{ id: 'r1', label: 'car', x: 1 }]), entry('i1', [{ id: 'r1', label: 'dog', x: 1 }]));
    expect(log.regionsByLabel.car).toMatchObject({ removed: 1, added: 0 });
    expect(log.regionsByLabel.dog).toMatchObject({ added: 1, removed: 0 });
  });

  it('keeps the same region id of two annotators apart', () => {
    const log = emptyChangelog();
    const prev = entry('i1', [{ id: 'r1', label: 'car', x: 1 }], 'annA');
    const next: SnapshotEntry = { ...prev, annotations: [...prev.annotations, { ...prev.annotations[0]!, ref: 'annB' }] };
    addItemDiff(log, prev, next);
    expect(log.regions).toEqual({ added: 1, changed: 0, removed: 0 });
  });

  it('reports no change for the same entry', () => {
    const log = emptyChangelog();
    const e = entry('i1', [{ id: 'r1', label: 'car', x: 1 }]);
    addItemDiff(log, e, structuredClone(e));
    expect(log.items).toMatchObject({ added: 0, changed: 0, removed: 0 });
    expect(versionBump(log, labelSchemaDiff([car], [car]))).toBe('none');
  });
});

describe('version bump rules', () => {
  it('bumps major when a label is removed, renamed or changes tool, and requires a release note', () => {
    expect(labelSchemaDiff([car, dog], [car]).bump).toBe('major');
    expect(labelSchemaDiff([car], [{ name: 'auto', tool: 'bbox' }]).bump).toBe('major');
    expect(labelSchemaDiff([car], [{ name: 'car', tool: 'polygon' }]).bump).toBe('major');
    const kp: SnapshotLabel = { name: 'p', tool: 'keypoints', points: ['a', 'b'] };
    expect(labelSchemaDiff([kp], [{ ...kp, points: ['b', 'a'] }]).bump).toBe('major');
    expect(releaseNoteRequired('major')).toBe(true);
    expect(releaseNoteRequired('minor')).toBe(false);
    expect(nextVersion('1.4.2', 'major')).toBe('2.0.0');
  });

  it('bumps minor for added labels or added/removed items, patch for corrections only', () => {
    const same = labelSchemaDiff([car], [car]);
    expect(labelSchemaDiff([car], [car, dog])).toMatchObject({ bump: 'minor', added: ['dog'] });
    expect(labelSchemaDiff([car], [{ ...car, retired: true }])).toMatchObject({ bump: 'minor', changed: ['car'] });

    const added = emptyChangelog();
    addItemDiff(added, undefined, entry('i9', []));
    expect(versionBump(added, same)).toBe('minor');

    const corrected = emptyChangelog();
    addItemDiff(corrected, entry('i1', [{ id: 'r1', label: 'car', x: 1 }]), entry('i1', [{ id: 'r1', label: 'car', x: 2 }]));
    expect(versionBump(corrected, same)).toBe('patch');
    expect(nextVersion('1.4.2', 'minor')).toBe('1.5.0');
    expect(nextVersion('1.4.2', 'patch')).toBe('1.4.3');
    expect(nextVersion(null, 'none')).toBe('1.0.0');
  });

  it('records a guideline version change as a patch', () => {
    const log = emptyChangelog();
    addHeaderDiff(log, header([car], { slug: 'cars', version: '1' }), header([car], { slug: 'cars', version: '2' }));
    expect(log.guideline).toEqual({ from: '1', to: '2' });
    expect(versionBump(log, labelSchemaDiff([car], [car]))).toBe('patch');
  });
});
