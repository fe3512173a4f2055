import { parse as parseYaml, YAMLParseError } from 'yaml';
import type { Region } from '../../schema/region.ts';
import { fail, LabelBook, readWith, roundPx, withoutExt } from './image-common.ts';
import { isRecord } from './json-input.ts';
import { img2labelPath, splitOfImagePath } from './yolo-layout.ts';
import type { DatasetItem, DatasetLabel, DatasetWarning, InputFile, ReadOptions, ReadResult } from './types.ts';

interface DataYaml {
  names: Map<number, string>;
  kpt?: { k: number; dims: 2 | 3; names: Map<number, string[]> };
  edges: [string, string][];
  renamed: Map<string, string>;
  splitDirs: Set<string>;
}

function readDataYaml(file: InputFile | undefined, labelFiles: readonly InputFile[], warnings: DatasetWarning[]): DataYaml {
  const out: DataYaml = { names: new Map(), edges: [], renamed: new Map(), splitDirs: new Set(['train', 'val', 'valid', 'test']) };
  if (!file) {
    const classes = labelFiles.find((f) => /(^|\/)(classes\.txt|obj\.names)$/.test(f.path));
    if (classes)
      classes.text
        .split(/\r?\n/)
        .map((l) => l.trim())
        .filter((l) => l !== '')
        .forEach((n, i) => out.names.set(i, n));
    else if (labelFiles.length > 0)
      warnings.push({ code: 'YOLO_NO_NAMES', message: 'no data.yaml (or classes.txt) with class names; classes are named by their index' });
    return out;
  }
  let doc: unknown;
  try {
    doc = parseYaml(file.text, { maxAliasCount: 100 });
  } catch (e) {
    const line = e instanceof YAMLParseError ? e.linePos?.[0].line : undefined;
    return fail(
      'YOLO_YAML',
      `data.yaml is not valid YAML: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`,
      file.path,
      line ? { line } : {},
    );
  }
  if (!isRecord(doc)) return fail('YOLO_YAML', 'data.yaml must be a mapping', file.path);
  const names = doc.names;
  if (Array.isArray(names)) names.forEach((n, i) => out.names.set(i, String(n)));
  else if (isRecord(names))
    for (const [k, v] of Object.entries(names)) {
      if (!/^\d+$/.test(k)) return fail('YOLO_YAML', `names: "${k}" is not a class index`, file.path, { element: 'names' });
      out.names.set(Number(k), String(v));
    }
  else if (names !== undefined)
    return fail('YOLO_YAML', 'names must be a list or a mapping of index to name', file.path, { element: 'names' });
  for (const key of ['train', 'val', 'test'] as const) {
    const v = doc[key];
    for (const dir of Array.isArray(v) ? v : [v])
      if (typeof dir === 'string') {
        const seg = dir.replace(/\/+$/, '').split('/');
        out.splitDirs.add(seg[seg.length - 1] === 'images' ? (seg[seg.length - 2] ?? key) : seg[seg.length - 1]!);
      }
  }
  const kpt = doc.kpt_shape;
  if (kpt !== undefined) {
    if (!Array.isArray(kpt) || kpt.length !== 2 || !Number.isInteger(kpt[0]) || kpt[0] < 1 || (kpt[1] !== 2 && kpt[1] !== 3))
      return fail('YOLO_YAML', 'kpt_shape must be [number of keypoints, 2 or 3]', file.path, { element: 'kpt_shape' });
    const k = kpt[0] as number;
    const kptNames = new Map<number, string[]>();
    const kn = doc.kpt_names;
    const put = (cls: number, list: unknown) => {
      if (Array.isArray(list) && list.length === k) kptNames.set(cls, list.map(String));
      else
        warnings.push({
          code: 'YOLO_KPT_NAMES',
          message: `kpt_names for class ${cls} is not a list of ${k} names; points are named by index`,
          file: file.path,
        });
    };
    if (Array.isArray(kn)) for (const c of out.names.keys()) put(c, kn);
    else if (isRecord(kn)) for (const [c, list] of Object.entries(kn)) put(Number(c), list);
    out.kpt = { k, dims: kpt[1] as 2 | 3, names: kptNames };
  }
  const skel = doc.labelwork_skeleton;
  if (Array.isArray(skel)) for (const e of skel) if (Array.isArray(e) && e.length === 2) out.edges.push([String(e[0]), String(e[1])]);
  const renamed = doc.labelwork_names;
  if (isRecord(renamed)) for (const [path, name] of Object.entries(renamed)) if (typeof name === 'string') out.renamed.set(path, name);
  return out;
}

/**
 * Reads an Ultralytics YOLO dataset: data.yaml (names as a list or a mapping, kpt_shape, kpt_names),
 * label files found from the images' paths (images/ ↔ labels/, flat or per split, or Roboflow's
 * <split>/images), normalised values turned into pixels with the image sizes from `options`.
 * No label file: the image is not labeled yet; an empty one: labeled, no objects.
 */
export function readYolo(files: readonly InputFile[], options: ReadOptions = {}): ReadResult {
  return readWith((warnings) => {
    const yamlFile = files.find((f) => /(^|\/)data\.ya?ml$/.test(f.path)) ?? files.find((f) => /\.ya?ml$/.test(f.path));
    const txt = files.filter((f) => f.path.endsWith('.txt') && !/(^|\/)(classes|train|val|valid|test)\.txt$/.test(f.path));
    const meta = readDataYaml(yamlFile, files, warnings);
    const images = [...new Set(options.imageNames ?? options.imageSizes?.keys() ?? [])].filter((p) => !p.endsWith('.txt')).sort();
    if (images.length === 0 && txt.length > 0)
      return fail('YOLO_IMAGES_NEEDED', 'YOLO labels need their images (names and sizes) to be read; none were given', txt[0]!.path);
    const usedLabels = new Set<string>();
    const book = new LabelBook();
    const labelOf = (cls: number, file: string, line: number): DatasetLabel => {
      if (meta.names.size > 0 && !meta.names.has(cls))
        return fail('YOLO_BAD_CLASS', `class ${cls} is not among the ${meta.names.size} names of data.yaml`, file, { line });
      const name = meta.names.get(cls) ?? String(cls);
      return book.get(name) ?? book.declare({ name, tool: 'bbox', sourceId: cls });
    };
    for (const [cls, name] of [...meta.names].sort((a, b) => a[0] - b[0])) {
      const points = meta.kpt ? (meta.kpt.names.get(cls) ?? Array.from({ length: meta.kpt.k }, (_, i) => String(i))) : undefined;
      book.declare({
        name,
        // In a pose dataset Labelwork wrote, classes without kpt_names are boxes (pose lines with no keypoints).
        tool: meta.kpt && (meta.kpt.names.size === 0 || meta.kpt.names.has(cls)) ? 'keypoints' : 'bbox',
        sourceId: cls,
        ...(points ? { points, edges: edgesOf(points, meta.edges) } : {}),
      });
    }
    const pairs = pairLabels(txt, images, meta);
    const items: DatasetItem[] = [];
    const named = new Set<string>();
    const addItem = (imagePath: string, name: string, split: string | undefined, label?: InputFile) => {
      const item: DatasetItem = { name, kind: 'image', annotations: [] };
      if (split) item.meta = { split };
      const size = options.imageSizes?.get(imagePath) ?? options.imageSizes?.get(name);
      if (size) Object.assign(item, { width: size.width, height: size.height });
      items.push(item);
      named.add(name);
      if (!label) return;
      usedLabels.add(label.path);
      item.annotations.push({ kind: 'annotation', regions: readLabelFile(label, item, imagePath, meta, labelOf) });
    };
    for (const p of pairs) addItem(p.imagePath, p.name, p.split, p.label);
    const pairedImages = new Set(pairs.map((p) => p.imagePath));
    const pairedBase = new Set(pairs.map((p) => p.imagePath.slice(p.imagePath.lastIndexOf('/') + 1)));
    // Images without a label file: not labeled yet (unless the same image was already paired under another path).
    for (const path of images) {
      if (pairedImages.has(path)) continue;
      const where = splitOfImagePath(path, meta.splitDirs);
      const name = meta.renamed.get(path) ?? where.name;
      if (!where.split && (named.has(name) || (!path.includes('/') && pairedBase.has(path)))) continue;
      addItem(path, name, where.split);
    }
    for (const f of txt)
      if (!usedLabels.has(f.path))
        warnings.push({
          code: 'YOLO_ORPHAN_LABEL',
          message: `label file ${f.path} has no image among the images given; it was not read`,
          file: f.path,
        });
    return { kind: 'image', labels: book.settle(items, yamlFile?.path ?? txt[0]?.path ?? '', warnings), items };
  });
}

interface Pair {
  label: InputFile;
  imagePath: string;
  name: string;
  split?: string;
}

/**
 * Pairs label files with images: by ultralytics' img2label_paths rule (or a label file beside the
 * image, or under labels/ for a bare image name), and through data.yaml's `labelwork_names` for
 * images renamed on export. A bare image name (`x.jpg`, as a project knows its items) also finds
 * `labels/<split>/x.txt`.
 */
function pairLabels(txt: readonly InputFile[], images: readonly string[], meta: DataYaml): Pair[] {
  const byLabelPath = new Map<string, string>();
  const claim = (labelPath: string, image: string) => {
    if (!byLabelPath.has(labelPath)) byLabelPath.set(labelPath, image);
  };
  for (const [image] of meta.renamed) claim(img2labelPath(image), image);
  for (const p of images) claim(img2labelPath(p), p);
  for (const p of images) {
    claim(`${withoutExt(p)}.txt`, p);
    if (!p.split('/').includes('images')) claim(`labels/${withoutExt(p)}.txt`, p);
  }
  const bare = new Map<string, string[]>();
  for (const p of images) if (!p.split('/').includes('images')) bare.set(withoutExt(p), [...(bare.get(withoutExt(p)) ?? []), p]);
  const pairs: Pair[] = [];
  for (const f of txt) {
    let image = byLabelPath.get(f.path);
    let split: string | undefined;
    if (image === undefined) {
      // labels/<split>/<rest>.txt with a bare image name <rest>.<ext>
      const seg = f.path.split('/');
      const i = seg.lastIndexOf('labels');
      if (i < 0) continue;
      let rest = seg.slice(i + 1);
      if (rest.length > 1 && meta.splitDirs.has(rest[0]!)) {
        split = rest[0];
        rest = rest.slice(1);
      } else if (i > 0) split = seg.slice(0, i).join('/');
      const found = bare.get(withoutExt(rest.join('/')));
      if (!found || found.length !== 1) continue;
      image = found[0]!;
    }
    const where = splitOfImagePath(image, meta.splitDirs);
    pairs.push({ label: f, imagePath: image, name: meta.renamed.get(image) ?? where.name, split: where.split ?? split });
  }
  return pairs;
}

function edgesOf(points: string[], edges: [string, string][]): { from: string; to: string }[] {
  return edges.filter(([a, b]) => points.includes(a) && points.includes(b)).map(([from, to]) => ({ from, to }));
}

function readLabelFile(
  f: InputFile,
  item: DatasetItem,
  imagePath: string,
  meta: DataYaml,
  labelOf: (cls: number, file: string, line: number) => DatasetLabel,
): Region[] {
  const regions: Region[] = [];
  const lines = f.text.split(/\r?\n/);
  lines.forEach((raw, i) => {
    const line = i + 1;
    const t = raw.trim();
    if (t === '') return;
    const bad = (why: string): never => fail('YOLO_BAD_LINE', `${why}: "${t.length > 80 ? `${t.slice(0, 80)}…` : t}"`, f.path, { line });
    const tok = t.split(/\s+/);
    const nums = tok.map(Number);
    if (nums.some((n) => !Number.isFinite(n))) bad('every value must be a number');
    const cls = nums[0]!;
    if (!Number.isInteger(cls) || cls < 0) bad('the class must be a non-negative integer');
    const values = nums.slice(1);
    const coords = meta.kpt ? values.filter((_, j) => j < 4 || meta.kpt!.dims === 2 || (j - 4) % 3 !== 2) : values;
    if (coords.some((v) => v < -1e-6 || v > 1 + 1e-6)) bad('coordinates must be normalised to [0, 1]');
    const { width: W, height: H } = item;
    if (W === undefined || H === undefined)
      return fail('YOLO_IMAGE_SIZE', `the size of image ${imagePath} is needed to read its labels and was not given`, f.path, { line });
    const label = labelOf(cls, f.path, line);
    const id = `l${line}`;
    const box = () => {
      const [cx, cy, w, h] = values as [number, number, number, number];
      return { x: roundPx((cx - w / 2) * W), y: roundPx((cy - h / 2) * H), w: roundPx(w * W), h: roundPx(h * H) };
    };
    if (meta.kpt) {
      const { k, dims } = meta.kpt;
      if (values.length !== 4 + k * dims) bad(`a pose line has a class, a box and ${k} keypoints of ${dims} values (kpt_shape)`);
      if (label.tool === 'bbox') {
        regions.push({ id, type: 'bbox', label: label.name, ...box() });
        return;
      }
      const names = label.points ?? Array.from({ length: k }, (_, j) => String(j));
      const points = names.map((name, j) => {
        const [px, py, v0] = values.slice(4 + j * dims, 4 + (j + 1) * dims) as [number, number, number?];
        const v = dims === 3 ? v0! : px === 0 && py === 0 ? 0 : 2;
        if (v !== 0 && v !== 1 && v !== 2) bad('keypoint visibility must be 0, 1 or 2');
        return { name, x: roundPx(px * W), y: roundPx(py * H), v: v as 0 | 1 | 2 };
      });
      regions.push({ id, type: 'keypoints', label: label.name, points });
    } else if (values.length === 4) regions.push({ id, type: 'bbox', label: label.name, ...box() });
    else if (values.length >= 6 && values.length % 2 === 0) {
      const points = [];
      for (let j = 0; j < values.length; j += 2) points.push({ x: roundPx(values[j]! * W), y: roundPx(values[j + 1]! * H) });
      regions.push({ id, type: 'polygon', label: label.name, points });
    } else bad('a line is "class cx cy w h" (detect) or "class x1 y1 x2 y2 x3 y3 …" (segment)');
  });
  return regions;
}
