import { describe, expect, it } from 'vitest';
import { LabelSchema, hotkeyChanges, labelHotkeys, labelMergeIssues, relabelRegions, type Region } from '@labelwork/core';

const schema = (labels: unknown[]) => LabelSchema.parse({ labels });
const base = schema([
  { name: 'car', color: '#000000', tool: 'bbox' },
  { name: 'truck', color: '#000000', tool: 'bbox' },
  { name: 'bus', color: '#000000', tool: 'bbox' },
  { name: 'ped', color: '#000000', tool: 'bbox', hotkey: 'e' },
  { name: 'night', color: '#000000', tool: 'class-multi' },
  { name: 'rain', color: '#000000', tool: 'class-multi' },
]);

describe('label number keys', () => {
  it('give a retired label no key but keep its place, so no other key shifts', () => {
    const retired = schema(base.labels.map((l) => (l.name === 'truck' ? { ...l, retired: true } : l)));
    expect(labelHotkeys(retired).get('2')).toBeUndefined();
    expect(labelHotkeys(retired).get('3')).toBe('bus');
    expect(hotkeyChanges(base, retired)).toEqual([]);
  });

  it('name the labels whose implicit number changes when a label goes, not those with their own key only', () => {
    const removed = schema(base.labels.filter((l) => l.name !== 'truck'));
    expect(hotkeyChanges(base, removed)).toEqual([
      { label: 'bus', before: ['3'], after: ['2'] },
      { label: 'ped', before: ['4', 'e'], after: ['3', 'e'] },
      { label: 'night', before: ['5'], after: ['4'] },
      { label: 'rain', before: ['6'], after: ['5'] },
    ]);
  });
});

describe('label merges', () => {
  it('accept a removed label into a kept label of the same kind of region only', () => {
    const after = schema(base.labels.filter((l) => l.name !== 'truck' && l.name !== 'rain'));
    expect(
      labelMergeIssues(base, after, [
        { from: 'truck', into: 'car' },
        { from: 'rain', into: 'night' },
      ]),
    ).toEqual([]);
    expect(labelMergeIssues(base, after, [{ from: 'truck', into: 'night' }]).map((i) => i.reason)).toEqual(['merge_tool_mismatch']);
    expect(labelMergeIssues(base, after, [{ from: 'car', into: 'bus' }]).map((i) => i.reason)).toEqual(['unknown_label']);
    expect(labelMergeIssues(base, after, [{ from: 'truck', into: 'tram' }]).map((i) => i.reason)).toEqual(['merge_target_unknown']);
  });

  it('rename regions and drop a class that would be chosen twice; unchanged regions give null', () => {
    const regions: Region[] = [
      { id: 'a', type: 'bbox', label: 'truck', x: 0, y: 0, w: 1, h: 1 },
      { id: 'b', type: 'bbox', label: 'car', x: 0, y: 0, w: 1, h: 1 },
      { id: 'c', type: 'class', label: 'rain' },
      { id: 'd', type: 'class', label: 'night' },
    ];
    expect(
      relabelRegions(regions, [
        { from: 'truck', into: 'car' },
        { from: 'rain', into: 'night' },
      ]),
    ).toEqual([
      { id: 'a', type: 'bbox', label: 'car', x: 0, y: 0, w: 1, h: 1 },
      { id: 'b', type: 'bbox', label: 'car', x: 0, y: 0, w: 1, h: 1 },
      { id: 'd', type: 'class', label: 'night' },
    ]);
    expect(relabelRegions(regions, [{ from: 'bus', into: 'car' }])).toBeNull();
  });
});
