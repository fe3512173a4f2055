import type { Tool } from '../../schema/label-schema.ts';
import type { Region } from '../../schema/region.ts';

/**
 * The interchange model every dataset format reads into and writes from (COCO, YOLO, VOC, CVAT,
 * Label Studio, CoNLL, JSONL, CSV). Pure data: pixel coordinates for images (x right, y down, origin
 * at the image's top-left corner, boxes as x, y, w, h), Unicode code-point offsets (end exclusive)
 * for text — exactly Labelwork's `Region` shapes, so no format converts in its own private units.
 */

export const DATASET_FORMATS = ['coco', 'yolo', 'voc', 'cvat', 'labelstudio', 'conll', 'jsonl', 'csv'] as const;
export type DatasetFormatId = (typeof DATASET_FORMATS)[number];

/** A label as a dataset declares it: the tool gives its region type; keypoint labels name their points. */
export interface DatasetLabel {
  name: string;
  tool: Tool;
  /** Keypoint labels: point names in order (COCO `keypoints`). */
  points?: string[];
  /** Keypoint labels: skeleton edges by point name (COCO `skeleton` is 1-based indices into `points`). */
  edges?: { from: string; to: string }[];
  /** The id the source format gave this label (COCO category id, YOLO class index), kept for a faithful write-back. */
  sourceId?: number;
}

/** Who made an annotation and when, written wherever a format has room for it (COCO/Label Studio/JSONL/CVAT). */
export interface Provenance {
  annotator?: string;
  at?: string;
  guidelineVersion?: string;
  verdict?: string;
  modelVersion?: string;
  score?: number;
}

/** One set of regions on an item: an annotation, a prediction or the gold answer. */
export interface DatasetAnnotation {
  kind: 'annotation' | 'prediction' | 'gold' | 'consensus';
  regions: Region[];
  provenance?: Provenance;
}

/**
 * One image or text. `name` is the image's file name as the dataset refers to it (relative path,
 * kept byte for byte: spaces, Chinese, `a.png` beside `a.jpg`) or the text item's own id.
 * An item with no annotations is still an item: writers keep it (and say it is unlabeled where the
 * format allows), never drop it.
 */
export interface DatasetItem {
  name: string;
  kind: 'image' | 'text';
  /** Image size in pixels; required by formats that store normalised or percent coordinates. */
  width?: number;
  height?: number;
  text?: string;
  annotations: DatasetAnnotation[];
  /** Per-item extras the format carries (VOC `truncated`/`difficult` go on regions' `attributes`). */
  meta?: Record<string, unknown>;
  /** Per-region attributes by region id (CVAT attributes, VOC truncated/difficult, COCO iscrowd …). */
  attributes?: Record<string, Record<string, string | number | boolean>>;
}

export interface Dataset {
  kind: 'image' | 'text';
  labels: DatasetLabel[];
  items: DatasetItem[];
}

/** A non-fatal note about the input or output (an item exported unlabeled, a label renamed …). */
export interface DatasetWarning {
  code: string;
  message: string;
  file?: string;
  line?: number;
}

/**
 * A malformed input: where (file, and line or element where the format has them) and why.
 * Readers return it instead of throwing; nothing partial is returned with it.
 */
export interface DatasetError {
  code: string;
  message: string;
  file: string;
  line?: number;
  element?: string;
}

export type ReadResult = { ok: true; dataset: Dataset; warnings: DatasetWarning[] } | { ok: false; error: DatasetError };

/** An input file handed to a reader: its path relative to the dataset root, and its text. */
export interface InputFile {
  path: string;
  text: string;
}

export interface ReadOptions {
  /** Image sizes by file name (relative path) for formats that lack them (YOLO). */
  imageSizes?: ReadonlyMap<string, { width: number; height: number }>;
  /** Image file names present beside the labels (YOLO pairs labels with images by stem). */
  imageNames?: readonly string[];
  /**
   * The labels of the schema the data was labelled with, where the format refers to labels by
   * position (Label Studio's `keypoints_<n>` controls name the n-th label of the schema).
   */
  labels?: readonly DatasetLabel[];
}

/**
 * Output as ordered chunks of text per file: a writer is called once per item, in order, and
 * returns chunks; the sink appends each chunk to its file, chunks of a lower `section` of a file
 * before those of a higher one (COCO's images and annotations arrays are written in one pass
 * this way, in constant memory: each (file, section) streams to its own part and the parts are
 * joined at the end).
 */
export interface OutputChunk {
  file: string;
  text: string;
  section?: number;
}

export interface WriteOptions {
  /** CoNLL: `iob2` (default) or `bioes`. */
  scheme?: 'iob2' | 'bioes';
  /** Which annotation of an item a single-answer format writes: the first of these kinds found. */
  prefer?: DatasetAnnotation['kind'][];
  /** Facts about the export for formats whose header has room for them (COCO `info`: export id, snapshot, date). */
  info?: Record<string, string | number>;
  /** JSONL: Labelwork's native records (default) or doccano's `label` layout. */
  layout?: 'labelwork' | 'doccano';
}

export interface DatasetWriter {
  /** Chunks that open the output, given the labels (e.g. COCO's header, YOLO's data.yaml). */
  begin(labels: readonly DatasetLabel[]): OutputChunk[];
  item(item: DatasetItem): OutputChunk[];
  /** Chunks that close the output; called once after the last item. */
  finish(): OutputChunk[];
  warnings(): DatasetWarning[];
  /**
   * Where an item's image file goes in a directory output, for formats whose layout places images
   * (YOLO: `images/<split>/<name>`, renamed when two images would share a label file). Undefined for
   * formats that only refer to images. Call it after `item()` for that item.
   */
  imagePath?(item: DatasetItem): string | undefined;
}

export interface DatasetFormat {
  id: DatasetFormatId;
  kinds: readonly ('image' | 'text')[];
  /** Whether input is one file (`file`) or a directory tree (`dir`, e.g. YOLO, VOC). */
  input: 'file' | 'dir';
  /** Whether output is one file or a directory tree; a one-file output is named `defaultFile`. */
  output: 'file' | 'dir';
  defaultFile?: string;
  read(files: readonly InputFile[], options?: ReadOptions): ReadResult;
  writer(kind: 'image' | 'text', options?: WriteOptions): DatasetWriter;
}

/** Collects a writer's chunks into whole files (tests, the CLI on small inputs). */
export function writeDataset(
  format: DatasetFormat,
  dataset: Dataset,
  options?: WriteOptions,
): { files: Map<string, string>; warnings: DatasetWarning[] } {
  const w = format.writer(dataset.kind, options);
  const parts = new Map<string, Map<number, string[]>>();
  const put = (chunks: OutputChunk[]) => {
    for (const c of chunks) {
      let f = parts.get(c.file);
      if (!f) parts.set(c.file, (f = new Map()));
      const s = c.section ?? 0;
      let list = f.get(s);
      if (!list) f.set(s, (list = []));
      list.push(c.text);
    }
  };
  put(w.begin(dataset.labels));
  for (const item of dataset.items) put(w.item(item));
  put(w.finish());
  const files = new Map<string, string>();
  for (const [file, sections] of parts) {
    const order = [...sections.keys()].sort((a, b) => a - b);
    files.set(file, order.map((s) => sections.get(s)!.join('')).join(''));
  }
  return { files, warnings: w.warnings() };
}
