import { describe, expect, it } from 'vitest';
import { DATASET_FORMAT_REGISTRY, writeDataset, type Dataset, type ReadResult } from '../../../core/src/index.ts';
import { imageDataset, regionsByItem } from './image-fixtures.ts';

const voc = DATASET_FORMAT_REGISTRY.voc!;
const ok = (r: ReadResult): Dataset => {
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
  return r.dataset;
};
const files = (m: Map<string, string>) => [...m].map(([path, text]) => ({ path, text }));
const xml = (objects: string, extra = '') =>
  `<?xml version="1.0"?>${extra}\n<annotation>\n<filename>x.jpg</filename>\n<size><width>1000</width><height>500</height><depth>3</depth></size>\n${objects}</annotation>\n`;
const obj = (name: string, b: [number, number, number, number], flags = '') =>
  `<object><name>${name}</name>${flags}<bndbox><xmin>${b[0]}</xmin><ymin>${b[1]}</ymin><xmax>${b[2]}</xmax><ymax>${b[3]}</ymax></bndbox></object>\n`;

describe('Pascal VOC', () => {
  it('writes boxes touching every edge of a 1000×500 image in 1-based pixels and reads them back exactly', () => {
    const edges = [
      { id: 'l', x: 0, y: 200, w: 10, h: 10 },
      { id: 't', x: 200, y: 0, w: 10, h: 10 },
      { id: 'r', x: 990, y: 200, w: 10, h: 10 },
      { id: 'b', x: 200, y: 490, w: 10, h: 10 },
      { id: 'all', x: 0, y: 0, w: 1000, h: 500 },
      { id: 'px', x: 999, y: 499, w: 1, h: 1 },
    ].map((b) => ({ ...b, type: 'bbox' as const, label: 'traffic light' }));
    const d: Dataset = {
      kind: 'image',
      labels: [{ name: 'traffic light', tool: 'bbox' }],
      items: [{ name: 'x.jpg', kind: 'image', width: 1000, height: 500, annotations: [{ kind: 'annotation', regions: edges }] }],
    };
    const out = writeDataset(voc, d).files;
    const text = out.get('Annotations/x.xml')!;
    expect(text).toContain('<xmin>1</xmin>\n      <ymin>1</ymin>\n      <xmax>1000</xmax>\n      <ymax>500</ymax>');
    expect(text).toContain('<xmin>1000</xmin>\n      <ymin>500</ymin>\n      <xmax>1000</xmax>\n      <ymax>500</ymax>');
    expect(text).not.toMatch(/<[xy]min>0<|<xmax>1001<|<ymax>501</);
    const back = ok(voc.read(files(out)));
    expect(back.items[0]!.annotations[0]!.regions).toEqual(edges.map((r, i) => ({ ...r, id: `o${i + 1}` })));
  });

  it('round-trips the shared fixture: an XML for every image (empty ones too), names with spaces and Chinese, a.png and a.jpg apart', () => {
    const src = imageDataset();
    const { files: out, warnings } = writeDataset(voc, src);
    expect([...out.keys()].sort()).toEqual([
      'Annotations/a.xml',
      'Annotations/a_jpg.xml',
      'Annotations/empty.xml',
      'Annotations/later.xml',
      'Annotations/图片 1.xml',
      'ImageSets/Main/default.txt',
    ]);
    expect(warnings.map((w) => w.code).sort()).toEqual(['ITEM_UNLABELED', 'REGION_NOT_IN_FORMAT', 'VOC_POLYGON_AS_BOX']);
    const back = ok(voc.read(files(out)));
    const byName = regionsByItem(back);
    expect(Object.keys(byName).sort()).toEqual(src.items.map((i) => i.name).sort());
    expect(byName['empty.jpg']).toEqual([]);
    expect(byName['a.jpg']).toEqual(regionsByItem(src)['a.jpg']);
    expect(byName['图片 1.JPG']).toContainEqual({ type: 'bbox', label: 'traffic light', x: 333, y: 111, w: 222.5, h: 77.25 });
    expect(byName['图片 1.JPG']).toContainEqual({ type: 'bbox', label: '行人 pedestrian', x: 10, y: 20, w: 290, h: 460 });
    expect(back.labels.map((l) => l.name)).toEqual(['traffic light', '行人 pedestrian']);
  });

  it('keeps truncated, difficult, occluded and pose as region attributes, both ways', () => {
    const d = ok(
      voc.read([
        {
          path: 'Annotations/x.xml',
          text: xml(
            obj('car', [1, 1, 10, 10], '<pose>Left</pose><truncated>1</truncated><difficult>1</difficult>') +
              obj('car', [5, 5, 9, 9], '<truncated>0</truncated><difficult>0</difficult>'),
          ),
        },
      ]),
    );
    expect(d.items[0]!.attributes).toEqual({ o1: { truncated: true, difficult: true, pose: 'Left' } });
    const text = writeDataset(voc, d).files.get('Annotations/x.xml')!;
    expect(text).toContain('<pose>Left</pose>\n    <truncated>1</truncated>\n    <difficult>1</difficult>');
    expect(ok(voc.read([{ path: 'x.xml', text }])).items[0]!.attributes).toEqual(d.items[0]!.attributes);
  });

  it('refuses XML with a DOCTYPE or an external entity, naming the file and line', () => {
    const xxe = xml(obj('&xxe;', [1, 1, 2, 2]), '\n<!DOCTYPE annotation [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>');
    expect(voc.read([{ path: 'Annotations/evil.xml', text: xxe }])).toMatchObject({
      ok: false,
      error: { code: 'XML_DOCTYPE', file: 'Annotations/evil.xml', line: 2 },
    });
    const plainDoctype = xml('', '\n<!DOCTYPE annotation>');
    expect(voc.read([{ path: 'a.xml', text: plainDoctype }])).toMatchObject({ ok: false, error: { code: 'XML_DOCTYPE' } });
    const entity = xml(obj('car &bogus;', [1, 1, 2, 2]));
    expect(voc.read([{ path: 'b.xml', text: entity }])).toMatchObject({ ok: false, error: { code: 'XML_ENTITY', file: 'b.xml', line: 5 } });
    expect(ok(voc.read([{ path: 'c.xml', text: xml(obj('a &amp; b &lt;&#x4e2d;&gt;', [1, 1, 2, 2])) }])).labels[0]!.name).toBe(
      'a & b <中>',
    );
  });

  it('refuses broken XML and impossible boxes with the line, and reads 0-based boxes at the edge with a warning', () => {
    expect(voc.read([{ path: 'x.xml', text: '<annotation>\n<filename>x.jpg</filename>\n<object>\n</annotation>' }])).toMatchObject({
      ok: false,
      error: { code: 'XML_SYNTAX', file: 'x.xml', line: 4 },
    });
    expect(voc.read([{ path: 'x.xml', text: xml(obj('car', [50, 50, 10, 10])) }])).toMatchObject({
      ok: false,
      error: { code: 'VOC_BAD_BOX', line: 5 },
    });
    expect(voc.read([{ path: 'x.xml', text: xml(obj('car', [1, 1, 'a' as unknown as number, 10])) }])).toMatchObject({
      ok: false,
      error: { code: 'VOC_BAD_BOX' },
    });
    const r = voc.read([{ path: 'x.xml', text: xml(obj('car', [0, 0, 10, 10])) }]);
    expect(r).toMatchObject({ ok: true, warnings: [{ code: 'VOC_ZERO_BASED' }] });
    expect(ok(r).items[0]!.annotations[0]!.regions[0]).toMatchObject({ x: 0, y: 0, w: 10, h: 10 });
  });
});

describe('output paths', () => {
  it('never writes a VOC or YOLO file outside the output directory, whatever the image is called', () => {
    const names = ['../../etc/passwd.jpg', '/abs/x.jpg', 'C:\\data\\y.jpg', 'ok/./z.jpg'];
    const d: Dataset = {
      kind: 'image',
      labels: [{ name: 'car', tool: 'bbox' }],
      items: names.map((name) => ({ name, kind: 'image', width: 10, height: 10, annotations: [{ kind: 'annotation', regions: [] }] })),
    };
    const vocOut = writeDataset(voc, d);
    expect([...vocOut.files.keys()].sort()).toEqual([
      'Annotations/abs/x.xml',
      'Annotations/data/y.xml',
      'Annotations/etc/passwd.xml',
      'Annotations/ok/z.xml',
      'ImageSets/Main/default.txt',
    ]);
    expect(vocOut.warnings.filter((w) => w.code === 'PATH_SANITIZED')).toHaveLength(4);
    const yoloOut = writeDataset(DATASET_FORMAT_REGISTRY.yolo!, d);
    expect([...yoloOut.files.keys()].sort()).toEqual([
      'data.yaml',
      'labels/abs/x.txt',
      'labels/data/y.txt',
      'labels/etc/passwd.txt',
      'labels/ok/z.txt',
    ]);
    // the names themselves are kept inside the files
    expect(vocOut.files.get('Annotations/etc/passwd.xml')).toContain('<filename>../../etc/passwd.jpg</filename>');
  });
});
