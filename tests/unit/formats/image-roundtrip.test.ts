import { describe, expect, it } from 'vitest';
import { DATASET_FORMAT_REGISTRY, type Dataset, type DatasetFormatId, type ReadResult } from '../../../core/src/index.ts';
import { imageDataset, regionsByItem } from './image-fixtures.ts';
import { writeImageDataset } from './image-io.ts';

const fmt = (id: DatasetFormatId) => DATASET_FORMAT_REGISTRY[id]!;
const ok = (r: ReadResult): Dataset => {
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
  return r.dataset;
};
/** Writes with one format and reads the written files back with the same format. */
const through = (id: DatasetFormatId, d: Dataset): Dataset => {
  const out = writeImageDataset(fmt(id), d);
  return ok(fmt(id).read(out.inputFiles, out.readOptions));
};
const only = (d: Dataset, types: string[]): Dataset => ({
  ...d,
  labels: d.labels.filter((l) => types.includes(l.tool)),
  items: d.items.map((it) => ({
    ...it,
    annotations: it.annotations.map((a) => ({ ...a, regions: a.regions.filter((r) => types.includes(r.type)) })),
  })),
});

const cases: [DatasetFormatId, DatasetFormatId, string[]][] = [
  ['coco', 'yolo', ['bbox']],
  ['coco', 'yolo', ['polygon']],
  ['coco', 'yolo', ['keypoints']],
  ['yolo', 'coco', ['bbox']],
  ['coco', 'voc', ['bbox']],
  ['voc', 'coco', ['bbox']],
  ['coco', 'cvat', ['bbox', 'polygon', 'keypoints']],
  ['cvat', 'coco', ['bbox', 'polygon', 'keypoints']],
  ['voc', 'cvat', ['bbox']],
  ['cvat', 'yolo', ['polygon']],
  ['yolo', 'voc', ['bbox']],
];

describe('image formats A → B → A', () => {
  it.each(cases)('%s → %s → %s returns the same regions (%s)', (a, b, types) => {
    const first = through(a, only(imageDataset(), types));
    const viaB = through(b, first);
    const again = through(a, viaB);
    expect(regionsByItem(viaB)).toEqual(regionsByItem(first));
    expect(regionsByItem(again)).toEqual(regionsByItem(first));
    expect(Object.keys(regionsByItem(again)).sort()).toEqual(['a.jpg', 'a.png', 'empty.jpg', 'later.jpg', '图片 1.JPG']);
    const pts = (d: Dataset) => d.labels.filter((l) => l.tool === 'keypoints').map((l) => [l.points, l.edges]);
    expect(pts(again)).toEqual(pts(first));
  });
});
