import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { DATASET_FORMAT_REGISTRY, polygonArea, writeDataset, type Dataset, type Region } from '../../core/src/index.ts';
import { ensurePythonEnv } from '../../scripts/python-env.ts';
import { repoRoot } from '../../scripts/services.ts';
import { imageDataset } from '../unit/formats/image-fixtures.ts';

/**
 * Labelwork's exports as the ecosystem's own readers see them: the COCO file loaded by pycocotools
 * (python/check_coco.py), the YOLO directory checked against the rules Ultralytics applies when it
 * loads a dataset (img2label_paths, class ids within names, normalised values, kpt_shape, flip_idx).
 */

const dir = mkdtempSync(path.join(tmpdir(), 'labelwork-ecosystem-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface PyAnn {
  id: number;
  category_id: number;
  bbox: number[];
  area: number;
  iscrowd: number;
  mask_area: number | null;
  num_keypoints: number | null;
  labelled_keypoints: number | null;
  keypoint_triplets: number | null;
}
interface PyView {
  images: { id: number; file_name: string; width: number; height: number; annotations: PyAnn[] }[];
  categories: { id: number; name: string; keypoints: string[] | null; skeleton: number[][] | null }[];
  annotation_count: number;
}

/** The fixture plus an image with a rectangle polygon whose mask area is known exactly. */
function dataset(): Dataset {
  const d = imageDataset();
  d.items.push({
    name: 'rect poly 矩形.png',
    kind: 'image',
    width: 320,
    height: 240,
    annotations: [
      {
        kind: 'annotation',
        regions: [
          {
            id: 'r',
            type: 'polygon',
            label: '行人 pedestrian',
            points: [
              { x: 10, y: 20 },
              { x: 110, y: 20 },
              { x: 110, y: 70 },
              { x: 10, y: 70 },
            ],
          },
        ],
      },
    ],
  });
  return d;
}

/** ultralytics/data/utils.py img2label_paths, verbatim in TypeScript: the last /images/ becomes /labels/, the extension .txt. */
function img2labelPaths(imgPaths: string[]): string[] {
  const sa = '/images/';
  const sb = '/labels/';
  return imgPaths.map((x) => {
    const i = x.lastIndexOf(sa);
    const swapped = i < 0 ? x : `${x.slice(0, i)}${sb}${x.slice(i + sa.length)}`;
    const dot = swapped.lastIndexOf('.');
    return `${dot < 0 ? swapped : swapped.slice(0, dot)}.txt`;
  });
}

describe('ecosystem readers', () => {
  it('pycocotools loads the COCO export and sees the same images, categories, boxes, mask areas and keypoints', () => {
    const python = ensurePythonEnv();
    const d = dataset();
    const file = path.join(dir, 'annotations.json');
    writeFileSync(file, writeDataset(DATASET_FORMAT_REGISTRY.coco!, d).files.get('annotations.json')!);
    const run = spawnSync(python, [path.join(repoRoot, 'python', 'check_coco.py'), file], { encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    const view = JSON.parse(run.stdout.trim().split('\n').pop()!) as PyView;

    expect(view.categories.map((c) => [c.id, c.name])).toEqual([
      [1, 'traffic light'],
      [3, '行人 pedestrian'],
      [7, 'person pose'],
    ]);
    const pose = d.labels[2]!;
    expect(view.categories[2]!.keypoints).toEqual(pose.points);
    expect(view.categories[2]!.skeleton).toEqual(
      pose.edges!.map((e) => [pose.points!.indexOf(e.from) + 1, pose.points!.indexOf(e.to) + 1]),
    );

    // Every image, the ones without objects (empty.jpg) and not yet labeled (later.jpg) included, with its size.
    expect(view.images.map((i) => [i.file_name, i.width, i.height])).toEqual(d.items.map((i) => [i.name, i.width, i.height]));
    const regions = (name: string): Region[] => d.items.find((i) => i.name === name)!.annotations.flatMap((a) => a.regions);
    let total = 0;
    for (const img of view.images) {
      const ours = regions(img.file_name);
      total += ours.length;
      expect(img.annotations.map((a) => a.category_id)).toEqual(ours.map((r) => d.labels.find((l) => l.name === r.label)!.sourceId));
      img.annotations.forEach((a, i) => {
        const r = ours[i]!;
        expect(a.iscrowd).toBe(0);
        if (r.type === 'bbox') expect(a.bbox).toEqual([r.x, r.y, r.w, r.h]);
        if (r.type === 'polygon') {
          // annToMask rasterises the polygon: its pixel count must match the polygon's area (rounding at the outline only).
          const area = polygonArea(r.points);
          expect(a.area).toBeCloseTo(area, 6);
          expect(Math.abs(a.mask_area! - area) / area).toBeLessThan(0.001); // measured: 105,290 px for a 105,300 px² polygon
        }
        if (r.type === 'keypoints') {
          expect(a.keypoint_triplets).toBe(17);
          expect(a.num_keypoints).toBe(r.points.filter((p) => p.v > 0).length);
          expect(a.labelled_keypoints).toBe(a.num_keypoints);
        }
      });
    }
    expect(view.annotation_count).toBe(total);
    const rect = view.images.find((i) => i.file_name === 'rect poly 矩形.png')!.annotations[0]!;
    expect([rect.area, rect.bbox]).toEqual([5000, [10, 20, 100, 50]]);
    expect(rect.mask_area).toBe(5000);
  });

  it('the YOLO export follows the layout rules Ultralytics loads datasets by', () => {
    const d = dataset();
    for (const types of [['bbox'], ['polygon'], ['keypoints']]) {
      const sub: Dataset = {
        ...d,
        labels: d.labels.filter((l) => types.includes(l.tool)),
        items: d.items.map((it, i) => ({
          ...it,
          meta: { split: i % 2 === 0 ? 'train' : 'val' },
          annotations: it.annotations.map((a) => ({ ...a, regions: a.regions.filter((r) => types.includes(r.type)) })),
        })),
      };
      const yolo = DATASET_FORMAT_REGISTRY.yolo!;
      const { files } = writeDataset(yolo, sub);
      const w = yolo.writer('image');
      w.begin(sub.labels);
      const images = sub.items.map((it) => (w.item(it), w.imagePath!(it)!));
      const yaml = parseYaml(files.get('data.yaml')!) as Record<string, unknown>;

      // names: 0…n−1 (Ultralytics checks every class id < len(names))
      const names = yaml.names as Record<number, string>;
      const nc = Object.keys(names).length;
      expect(Object.keys(names).map(Number)).toEqual([...Array(nc).keys()]);
      expect(yaml.path).toBeUndefined(); // the yaml's own folder is the root
      for (const split of ['train', 'val']) expect(yaml[split]).toBe(`images/${split}`);
      // every image lies under train or val, and no two images share a label file
      for (const p of images) expect(p.startsWith('images/train/') || p.startsWith('images/val/')).toBe(true);
      const labelPaths = img2labelPaths(images.map((p) => `/data/${p}`)).map((p) => p.slice('/data/'.length));
      expect(new Set(labelPaths).size).toBe(images.length);
      // label files exist exactly for the labeled images (later.jpg, not labeled yet, has none)
      expect(labelPaths.filter((p) => files.has(p))).toHaveLength(images.length - 1);
      expect([...files.keys()].filter((f) => f !== 'data.yaml').sort()).toEqual(labelPaths.filter((p) => files.has(p)).sort());

      const kpt = yaml.kpt_shape as [number, number] | undefined;
      if (types[0] === 'keypoints') {
        expect(kpt).toEqual([17, 3]);
        const flip = yaml.flip_idx as number[];
        expect(flip).toHaveLength(17);
        flip.forEach((j, i) => expect(flip[j]).toBe(i));
      } else expect(kpt).toBeUndefined();
      for (const [file, text] of files) {
        if (file === 'data.yaml') continue;
        for (const line of text.split('\n').filter((l) => l !== '')) {
          const v = line.split(' ').map(Number);
          expect(Number.isInteger(v[0]) && v[0]! >= 0 && v[0]! < nc).toBe(true);
          const coords = kpt ? v.slice(1).filter((_, j) => j < 4 || (j - 4) % 3 !== 2) : v.slice(1);
          for (const c of coords) expect(c >= 0 && c <= 1).toBe(true);
          if (types[0] === 'bbox') expect(v).toHaveLength(5);
          if (types[0] === 'polygon') expect(v.length % 2 === 1 && v.length >= 7).toBe(true);
          if (kpt) {
            expect(v).toHaveLength(5 + 17 * 3);
            for (let j = 7; j < v.length; j += 3) expect([0, 1, 2]).toContain(v[j]);
          }
        }
      }
    }
  });
});
