import type { Dataset, DatasetItem, DatasetLabel, KeypointsRegion, Region } from '../../../core/src/index.ts';

/** Shared fixtures of the image format tests (issue #13, peer-notes part B). */

export const COCO_KEYPOINT_NAMES = [
  'nose',
  'left_eye',
  'right_eye',
  'left_ear',
  'right_ear',
  'left_shoulder',
  'right_shoulder',
  'left_elbow',
  'right_elbow',
  'left_wrist',
  'right_wrist',
  'left_hip',
  'right_hip',
  'left_knee',
  'right_knee',
  'left_ankle',
  'right_ankle',
];
/** COCO's person skeleton, 1-based. */
export const COCO_SKELETON = [
  [16, 14],
  [14, 12],
  [17, 15],
  [15, 13],
  [12, 13],
  [6, 12],
  [7, 13],
  [6, 7],
  [6, 8],
  [7, 9],
  [8, 10],
  [9, 11],
  [2, 3],
  [1, 2],
  [1, 3],
  [2, 4],
  [3, 5],
  [4, 6],
  [5, 7],
] as const;

export const LABELS: DatasetLabel[] = [
  { name: 'traffic light', tool: 'bbox', sourceId: 1 },
  { name: '行人 pedestrian', tool: 'polygon', sourceId: 3 },
  {
    name: 'person pose',
    tool: 'keypoints',
    sourceId: 7,
    points: COCO_KEYPOINT_NAMES,
    edges: COCO_SKELETON.map(([a, b]) => ({ from: COCO_KEYPOINT_NAMES[a - 1]!, to: COCO_KEYPOINT_NAMES[b - 1]! })),
  },
];

/** 17 points with v = 0/1/2; `right_ankle` is missing altogether (COCO writes it 0,0,0). */
export function pose(id: string): KeypointsRegion {
  const points = COCO_KEYPOINT_NAMES.slice(0, 16).map((name, i) => ({
    name,
    x: i % 5 === 4 ? 0 : 400 + i * 10,
    y: i % 5 === 4 ? 0 : 100 + i * 15,
    v: (i % 5 === 4 ? 0 : i % 3 === 0 ? 1 : 2) as 0 | 1 | 2,
  }));
  return { id, type: 'keypoints', label: 'person pose', points };
}

const item = (name: string, width: number, height: number, regions: Region[] | null): DatasetItem => ({
  name,
  kind: 'image',
  width,
  height,
  annotations: regions ? [{ kind: 'annotation', regions }] : [],
});

/** A non-square image (1000×500) with boxes on every edge, a polygon and a pose; an empty one; `a.png` + `a.jpg`; one not labeled yet. */
export function imageDataset(): Dataset {
  return {
    kind: 'image',
    labels: LABELS.map((l) => ({ ...l })),
    items: [
      item('图片 1.JPG', 1000, 500, [
        { id: 'b1', type: 'bbox', label: 'traffic light', x: 0, y: 0, w: 100, h: 50 },
        { id: 'b2', type: 'bbox', label: 'traffic light', x: 900, y: 450, w: 100, h: 50 },
        { id: 'b3', type: 'bbox', label: 'traffic light', x: 0, y: 0, w: 1000, h: 500 },
        { id: 'b4', type: 'bbox', label: 'traffic light', x: 333, y: 111, w: 222.5, h: 77.25 },
        {
          id: 'p1',
          type: 'polygon',
          label: '行人 pedestrian',
          points: [
            { x: 10, y: 20 },
            { x: 300, y: 40 },
            { x: 250, y: 480 },
            { x: 30, y: 400 },
          ],
        },
        pose('k1'),
      ]),
      item('empty.jpg', 640, 480, []),
      item('a.png', 200, 100, [{ id: 'b1', type: 'bbox', label: 'traffic light', x: 10, y: 10, w: 20, h: 20 }]),
      item('a.jpg', 200, 100, [{ id: 'b1', type: 'bbox', label: 'traffic light', x: 50, y: 50, w: 30, h: 40 }]),
      item('later.jpg', 300, 300, null),
    ],
  };
}

/** Regions of each item without ids, in a stable order: what a round trip must keep. */
export function regionsByItem(d: Dataset): Record<string, unknown[]> {
  const out: Record<string, unknown[]> = {};
  for (const it of d.items) {
    const regions = it.annotations.flatMap((a) => a.regions).map(({ id: _id, ...r }) => r);
    out[it.name] = regions
      .map((r) => JSON.stringify(r))
      .sort()
      .map((s) => JSON.parse(s) as unknown);
  }
  return out;
}

/** The keypoints region as COCO/YOLO give it back: all 17 points, the missing one and v = 0 ones at 0,0 with v = 0. */
export function poseAsRead(id: string): KeypointsRegion {
  const p = pose(id);
  const points = COCO_KEYPOINT_NAMES.map((name) => p.points.find((q) => q.name === name) ?? { name, x: 0, y: 0, v: 0 as const });
  return { ...p, points: points.map((q) => (q.v === 0 ? { ...q, x: 0, y: 0 } : q)) };
}
