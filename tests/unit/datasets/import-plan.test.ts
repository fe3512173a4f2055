import { describe, expect, it } from 'vitest';
import { planDatasetImport, type Dataset, type ImportPlanInput, type LabelSchema, type ProjectItemRef } from '@labelwork/core';

const schema: LabelSchema = {
  labels: [
    { name: 'Car', color: '#ff0000', tool: 'bbox' },
    { name: 'road', color: '#00ff00', tool: 'polygon' },
    { name: 'person', color: '#0000ff', tool: 'keypoints', points: ['head', 'foot'] },
  ],
};

const items: ProjectItemRef[] = [
  { id: 'i1', fileName: 'a.jpg', extent: { kind: 'image', width: 100, height: 50 } },
  { id: 'i2', fileName: '图片 1.JPG', extent: { kind: 'image', width: 100, height: 50 } },
];

function dataset(over: Partial<Dataset> = {}): Dataset {
  return {
    kind: 'image',
    labels: [
      { name: 'car', tool: 'bbox', sourceId: 1 },
      { name: 'truck', tool: 'bbox', sourceId: 3 },
      { name: 'road', tool: 'bbox', sourceId: 7 },
    ],
    items: [
      {
        name: 'images/a.jpg',
        kind: 'image',
        width: 100,
        height: 50,
        annotations: [
          {
            kind: 'annotation',
            regions: [
              { id: 'r1', type: 'bbox', label: 'car', x: 1, y: 1, w: 10, h: 10 },
              { id: 'r2', type: 'bbox', label: 'truck', x: 5, y: 5, w: 10, h: 10 },
              { id: 'r3', type: 'bbox', label: 'car', x: 95, y: 1, w: 10, h: 10 }, // outside the 100 px wide image
            ],
          },
        ],
      },
      {
        name: '图片 1.JPG',
        kind: 'image',
        annotations: [{ kind: 'annotation', regions: [{ id: 'r1', type: 'bbox', label: 'road', x: 0, y: 0, w: 1, h: 1 }] }],
      },
      {
        name: 'new.png',
        kind: 'image',
        annotations: [{ kind: 'annotation', regions: [{ id: 'r1', type: 'bbox', label: 'car', x: 0, y: 0, w: 1, h: 1 }] }],
      },
    ],
    ...over,
  };
}

const input = (over: Partial<ImportPlanInput> = {}): ImportPlanInput => ({
  format: 'coco',
  as: 'predictions',
  dataset: dataset(),
  projectKind: 'image',
  schema,
  items,
  ...over,
});

describe('dataset import plan', () => {
  it('matches labels by name case-insensitively, marks new ones and tool conflicts', () => {
    const { preview } = planDatasetImport(input());
    const byName = Object.fromEntries(preview.labels.map((l) => [l.name, l]));
    expect(byName.car).toMatchObject({ status: 'matched', match: 'Car', decision: { action: 'map', to: 'Car' }, regions: 3 });
    expect(byName.truck).toMatchObject({ status: 'new', decision: { action: 'add' }, regions: 1 });
    // road is a polygon label in the schema; the dataset has it as boxes
    expect(byName.road).toMatchObject({ status: 'conflict', match: 'road', regionTypes: { bbox: 1 } });
    expect(preview.newLabels).toEqual(['truck']);
  });

  it('matches items by file name, also by the base name of a path, and counts missing ones', () => {
    const plan = planDatasetImport(input());
    expect(plan.preview.items).toEqual({ total: 3, matched: 2, new: 0, missing: 1, ambiguous: 0 });
    expect(plan.writes.map((w) => [w.name, w.itemId])).toEqual([
      ['images/a.jpg', 'i1'],
      ['图片 1.JPG', 'i2'],
    ]);
    expect(plan.preview.refusals).toContainEqual({
      item: 'new.png',
      reason: 'item_missing',
      message: expect.stringContaining('new.png') as string,
    });
  });

  it('refuses regions outside the image and with the wrong tool, keeping the rest', () => {
    const plan = planDatasetImport(input());
    expect(plan.writes[0]!.regions.map((r) => [r.id, r.label])).toEqual([
      ['r1', 'Car'],
      ['r2', 'truck'],
    ]);
    expect(plan.writes[1]!.regions).toEqual([]);
    expect(plan.preview.refusedByReason).toEqual({ box_outside_image: 1, label_tool_mismatch: 1, item_missing: 1 });
    expect(plan.preview.refusals).toContainEqual({
      item: 'images/a.jpg',
      region: 2,
      label: 'car',
      reason: 'box_outside_image',
      message: 'box lies outside the image',
    });
    expect(plan.preview.regions).toEqual({ total: 5, accepted: 2, dropped: 0, refused: 3 });
    const car = plan.preview.labels.find((l) => l.name === 'car')!;
    expect([car.accepted, car.refused]).toEqual([1, 2]);
  });

  it('adds new labels to the schema with a colour, and maps or drops on request', () => {
    const plan = planDatasetImport(input({ mapping: { truck: { action: 'map', to: 'car' }, road: { action: 'drop' } } }));
    expect(plan.preview.mappingIssues).toEqual([]);
    expect(plan.schema!.labels.map((l) => l.name)).toEqual(['Car', 'road', 'person']);
    expect(plan.writes[0]!.regions.map((r) => r.label)).toEqual(['Car', 'Car']);
    expect(plan.preview.regions).toMatchObject({ dropped: 1 });

    const added = planDatasetImport(input());
    expect(added.schema!.labels.at(-1)).toMatchObject({
      name: 'truck',
      tool: 'bbox',
      color: expect.stringMatching(/^#[0-9a-f]{6}$/) as string,
    });
  });

  it('reports a mapping onto a missing label, a tool that fits nothing, and adding a name the schema has', () => {
    const plan = planDatasetImport(
      input({ mapping: { truck: { action: 'map', to: 'bus' }, car: { action: 'map', to: 'road' }, road: { action: 'add' } } }),
    );
    expect(plan.schema).toBeNull();
    expect(plan.preview.mappingIssues.map((i) => [i.label, i.reason])).toEqual([
      ['car', 'target_tool_mismatch'],
      ['truck', 'unknown_target'],
      ['road', 'name_taken'],
    ]);
  });

  it('refuses adding a tool the project kind cannot use', () => {
    const plan = planDatasetImport(input({ mapping: { truck: { action: 'add', tool: 'span' } } }));
    expect(plan.preview.mappingIssues).toEqual([{ label: 'truck', reason: 'tool_not_for_kind', message: expect.any(String) as string }]);
  });

  it('creates new image items from uploaded images, with the probed size as the extent', () => {
    const plan = planDatasetImport(input({ uploadedImages: new Map([['new.png', { width: 2, height: 2 }]]) }));
    expect(plan.preview.items).toMatchObject({ matched: 2, new: 1, missing: 0 });
    expect(plan.writes[2]).toMatchObject({ name: 'new.png', itemId: null, image: 'new.png', answered: true });
    expect(plan.writes[2]!.regions).toHaveLength(1);
  });

  it('refuses items whose file name several project items share', () => {
    const plan = planDatasetImport(
      input({ items: [...items, { id: 'i3', fileName: 'a.jpg', extent: { kind: 'image', width: 1, height: 1 } }] }),
    );
    expect(plan.preview.items.ambiguous).toBe(1);
    expect(plan.preview.refusedByReason.item_ambiguous).toBe(1);
    expect(plan.writes.map((w) => w.itemId)).toEqual(['i2']);
  });

  it('picks the annotation kind that fits the import: predictions first for predictions, gold first for gold', () => {
    const ds = dataset({
      items: [
        {
          name: 'a.jpg',
          kind: 'image',
          annotations: [
            { kind: 'annotation', regions: [{ id: 'h', type: 'bbox', label: 'car', x: 0, y: 0, w: 1, h: 1 }] },
            {
              kind: 'prediction',
              regions: [{ id: 'p', type: 'bbox', label: 'car', x: 0, y: 0, w: 2, h: 2 }],
              provenance: { modelVersion: 'v1', score: 0.9 },
            },
          ],
        },
      ],
    });
    const pred = planDatasetImport(input({ dataset: ds }));
    expect(pred.writes[0]).toMatchObject({ regions: [{ id: 'p' }], provenance: { modelVersion: 'v1', score: 0.9 } });
    const gold = planDatasetImport(input({ dataset: ds, as: 'gold' }));
    expect(gold.writes[0]!.regions.map((r) => r.id)).toEqual(['h']);
  });

  it("merges one annotator's annotations of the chosen kind (COCO groups boxes by score), keeping others' apart", () => {
    const box = (id: string, x: number) => ({ id, type: 'bbox' as const, label: 'car', x, y: 0, w: 1, h: 1 });
    const ds = dataset({
      items: [
        {
          name: 'a.jpg',
          kind: 'image',
          annotations: [
            { kind: 'prediction', regions: [box('a1', 1)], provenance: { score: 0.9 } },
            { kind: 'prediction', regions: [box('a2', 2)], provenance: { score: 0.5 } },
            { kind: 'annotation', regions: [box('h1', 3)], provenance: { annotator: 'ann' } },
            { kind: 'annotation', regions: [box('h2', 4)], provenance: { annotator: 'bob' } },
          ],
        },
      ],
    });
    const pred = planDatasetImport(input({ dataset: ds }));
    expect(pred.writes[0]!.regions.map((r) => r.id)).toEqual(['a1', 'a2']);
    expect(pred.writes[0]!.provenance!.score).toBeCloseTo(0.7);
    const gold = planDatasetImport(input({ dataset: ds, as: 'gold' }));
    expect(gold.writes[0]!.regions.map((r) => r.id)).toEqual(['h1']);
  });

  it('imports text datasets into text projects: spans checked against the text, new items from their text', () => {
    const textSchema: LabelSchema = { labels: [{ name: 'PER', color: '#ff0000', tool: 'span' }] };
    const ds: Dataset = {
      kind: 'text',
      labels: [{ name: 'PER', tool: 'span' }],
      items: [
        {
          name: 'doc-1',
          kind: 'text',
          text: '😀张三',
          annotations: [
            {
              kind: 'annotation',
              regions: [
                { id: 'a', type: 'span', label: 'PER', start: 1, end: 3 },
                { id: 'b', type: 'span', label: 'PER', start: 2, end: 9 },
              ],
            },
          ],
        },
        { name: 'doc-2', kind: 'text', text: 'x', annotations: [] },
      ],
    };
    const plan = planDatasetImport({
      format: 'jsonl',
      as: 'annotations',
      dataset: ds,
      projectKind: 'text',
      schema: textSchema,
      items: [{ id: 't1', externalId: 'doc-1', extent: { kind: 'text', length: 3 } }],
    });
    expect(plan.preview.items).toMatchObject({ matched: 1, new: 1 });
    expect(plan.writes[0]).toMatchObject({ itemId: 't1', regions: [{ id: 'a' }] });
    expect(plan.writes[1]).toMatchObject({ itemId: null, text: 'x', regions: [], answered: false });
    expect(plan.preview.refusedByReason).toEqual({ span_outside_text: 1 });
  });

  it('adds a keypoints label with the points and skeleton the dataset declares', () => {
    const ds = dataset({
      labels: [{ name: 'hand', tool: 'keypoints', points: ['wrist', 'thumb'], edges: [{ from: 'wrist', to: 'thumb' }] }],
      items: [
        {
          name: 'a.jpg',
          kind: 'image',
          annotations: [
            {
              kind: 'annotation',
              regions: [
                {
                  id: 'k',
                  type: 'keypoints',
                  label: 'hand',
                  points: [
                    { name: 'wrist', x: 1, y: 1, v: 2 },
                    { name: 'thumb', x: 0, y: 0, v: 0 },
                  ],
                },
              ],
            },
          ],
        },
      ],
    });
    const plan = planDatasetImport(input({ dataset: ds }));
    expect(plan.schema!.labels.at(-1)).toMatchObject({
      name: 'hand',
      tool: 'keypoints',
      points: ['wrist', 'thumb'],
      edges: [{ from: 'wrist', to: 'thumb' }],
    });
    expect(plan.preview.regions.accepted).toBe(1);
  });

  it('imports finished annotations one per source annotator, and lists the annotators in the preview', () => {
    const box = (id: string, label: string) => ({ id, type: 'bbox' as const, label, x: 1, y: 1, w: 5, h: 5 });
    const ds = dataset({
      items: [
        {
          name: 'a.jpg',
          kind: 'image',
          annotations: [
            { kind: 'annotation', regions: [box('a', 'car')], provenance: { annotator: 'ann1@x' } },
            { kind: 'annotation', regions: [box('b', 'car')], provenance: { annotator: 'ann2@x' } },
            { kind: 'annotation', regions: [box('c', 'car')], provenance: { annotator: 'ann1@x' } },
            { kind: 'prediction', regions: [box('p', 'car')] },
          ],
        },
        { name: '图片 1.JPG', kind: 'image', annotations: [{ kind: 'annotation', regions: [box('d', 'car')] }] },
      ],
    });
    const plan = planDatasetImport({ format: 'labelstudio', as: 'annotations', dataset: ds, projectKind: 'image', schema, items });
    expect(plan.writes.map((w) => [w.itemId, w.provenance?.annotator ?? '', w.regions.map((r) => r.id)])).toEqual([
      ['i1', 'ann1@x', ['a', 'c']],
      ['i1', 'ann2@x', ['b']],
      ['i2', '', ['d']],
    ]);
    expect(plan.preview.annotators).toEqual([
      { name: 'ann1@x', annotations: 1 },
      { name: 'ann2@x', annotations: 1 },
      { name: '', annotations: 1 },
    ]);
    expect(plan.preview.items).toMatchObject({ total: 2, matched: 2 });
    expect(plan.preview.regions).toMatchObject({ total: 4, accepted: 4 });
    // Gold and predictions still import one annotation per item.
    const gold = planDatasetImport({ format: 'labelstudio', as: 'gold', dataset: ds, projectKind: 'image', schema, items });
    expect(gold.writes).toHaveLength(2);
    expect(gold.preview.annotators).toBeUndefined();
  });
});
