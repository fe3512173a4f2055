import type { Region } from '../../schema/region.ts';
import { codePointIndex, type CodePointIndex } from '../../text/codepoints.ts';
import { pixelToPercent } from '../../ml/ls-coords.ts';
import { readLabelStudio } from './labelstudio-read.ts';
import type { DatasetFormat, DatasetItem, DatasetWarning, DatasetWriter } from './types.ts';

/**
 * Label Studio JSON: an array of tasks, one per item, `{id, data: {image | text}, annotations:
 * [{result}], predictions: [{result, score, model_version}]}`.
 *
 * - Images: values are percent of the image (`original_width`/`original_height` on each result).
 *   A rectangle's `rotation` (degrees, clockwise, about its top-left corner) is applied in PIXELS,
 *   after scaling width and height by the image's own width and height (never in percent space,
 *   which skews boxes on non-square images); a rectangle rotated by a multiple of 90° is a box
 *   again, any other angle becomes a 4-point polygon (with a warning).
 * - Keypoints: LS stores single points (`keypointlabels`, the label value is the point's name).
 *   The control `keypoints_<n>` names the n-th label of the schema (the label config of core/ml, see
 *   {@link labelStudioTagNames}); it is resolved through `ReadOptions.labels`, else kept as the label name.
 *   Points are grouped into one keypoints region by, in this order: our own result ids
 *   (`<regionId>.kp<k>`), LS's `parentID`, else in order per control tag, a new region starting when a
 *   point name repeats. LS keeps no visibility: every point read is visible (v = 2); points with
 *   v = 0 are not written, v = 1 points are written as ordinary points.
 * - Text: `labels` with `start`/`end` in code points; a file whose offsets are UTF-16 units (old LS
 *   versions, which count an emoji as 2) is recognised by its `text` field and converted, with a warning.
 * - `choices` become class regions. Annotations with `ground_truth` are gold; cancelled ones are skipped.
 */

/**
 * The control and object tag names of the Label Studio label config Labelwork makes from a schema
 * (core/ml/label-config.ts `buildLsLabelConfig`, sent to ML backends): results written here name
 * the same tags, so a task exported from Labelwork shows in a Label Studio project set up with
 * that config, and predictions come back under these names.
 */
export function labelStudioTagNames(kind: 'image' | 'text') {
  return {
    /** The object tag: `<Image name="image" value="$image"/>` or `<Text name="text" value="$text"/>`. */
    object: kind,
    /** RectangleLabels (images). */
    bbox: 'label',
    /** Labels (text). */
    span: 'label',
    polygon: 'polygon',
    /** Choices of single-choice labels (`choice="single"`). */
    classSingle: 'choice',
    /** Choices of multiple-choice labels (`choice="multiple"`). */
    classMulti: 'choices',
    /** One KeyPointLabels control per keypoints label, by the label's index in the schema; its Label values are the point names. */
    keypoints: (labelIndex: number) => `keypoints_${labelIndex}`,
  } as const;
}

/** What the writer knows of the labels: keypoints control index and single/multiple choice. */
interface LabelIndex {
  index: Map<string, number>;
  multi: Set<string>;
}

function resultsOf(item: DatasetItem, regions: readonly Region[], labels: LabelIndex, counts: Record<string, number>): unknown[] {
  const tags = labelStudioTagNames(item.kind);
  let text: CodePointIndex | undefined;
  const W = item.width;
  const H = item.height;
  const out: unknown[] = [];
  const image = (extra: Record<string, unknown>) => ({
    ...extra,
    to_name: tags.object,
    original_width: W,
    original_height: H,
    image_rotation: 0,
  });
  const single: Region[] = [];
  const multi: Region[] = [];
  for (const r of regions) {
    if (r.type === 'class') {
      (labels.multi.has(r.label) ? multi : single).push(r);
      continue;
    }
    if (r.type === 'span') {
      const value = {
        start: r.start,
        end: r.end,
        text: (text ??= codePointIndex(item.text ?? '')).slice(r.start, r.end),
        labels: [r.label],
      };
      out.push({ id: r.id, from_name: tags.span, to_name: tags.object, type: 'labels', value });
      continue;
    }
    if (W === undefined || H === undefined) {
      counts.noSize = (counts.noSize ?? 0) + 1;
      continue;
    }
    const px = (x: number) => pixelToPercent(x, W);
    const py = (y: number) => pixelToPercent(y, H);
    if (r.type === 'bbox') {
      const value = { x: px(r.x), y: py(r.y), width: px(r.w), height: py(r.h), rotation: 0, rectanglelabels: [r.label] };
      out.push(image({ id: r.id, from_name: tags.bbox, type: 'rectanglelabels', value }));
    } else if (r.type === 'polygon') {
      const value = { points: r.points.map((p) => [px(p.x), py(p.y)]), closed: true, polygonlabels: [r.label] };
      out.push(image({ id: r.id, from_name: tags.polygon, type: 'polygonlabels', value }));
    } else {
      let index = labels.index.get(r.label);
      if (index === undefined) labels.index.set(r.label, (index = labels.index.size));
      r.points.forEach((p, k) => {
        if (p.v === 0) return;
        if (p.v === 1) counts.occluded = (counts.occluded ?? 0) + 1;
        const value = { x: px(p.x), y: py(p.y), width: 0.5, keypointlabels: [p.name] };
        out.push(image({ id: `${r.id}.kp${k}`, from_name: tags.keypoints(index), type: 'keypointlabels', value }));
      });
    }
  }
  for (const [from, classes] of [
    [tags.classSingle, single],
    [tags.classMulti, multi],
  ] as const)
    if (classes.length)
      out.push({
        id: classes[0]!.id,
        from_name: from,
        to_name: tags.object,
        type: 'choices',
        value: { choices: classes.map((c) => c.label) },
      });
  return out;
}

/**
 * One annotation's regions as Label Studio results (the same conversion as the export: percent of
 * the image, code points, tag names of the generated label config), for the ML backends' webhook.
 * `declared` is the project's labels in schema order (keypoints controls are named by that index).
 */
export function labelStudioResults(
  item: { kind: 'image' | 'text'; width?: number; height?: number; text?: string },
  regions: readonly Region[],
  declared: readonly { name: string; tool: string }[],
): unknown[] {
  const labels: LabelIndex = { index: new Map(), multi: new Set() };
  declared.forEach((l, i) => {
    labels.index.set(l.name, i);
    if (l.tool === 'class-multi') labels.multi.add(l.name);
  });
  return resultsOf({ ...item, name: '', annotations: [] }, regions, labels, {});
}

function writer(): DatasetWriter {
  let n = 0;
  const counts: Record<string, number> = {};
  const warnings: DatasetWarning[] = [];
  const labels: LabelIndex = { index: new Map(), multi: new Set() };
  return {
    begin(declared) {
      declared.forEach((l, i) => {
        labels.index.set(l.name, i);
        if (l.tool === 'class-multi') labels.multi.add(l.name);
      });
      return [{ file: 'labelstudio.json', text: '[' }];
    },
    item(item) {
      n++;
      const task: Record<string, unknown> = { id: n, data: item.kind === 'image' ? { image: item.name } : { text: item.text ?? '' } };
      if (item.kind === 'text') task.meta = { name: item.name };
      const annotations: unknown[] = [];
      const predictions: unknown[] = [];
      for (const a of item.annotations) {
        const result = resultsOf(item, a.regions, labels, counts);
        if (a.kind === 'prediction') {
          const p: Record<string, unknown> = { result };
          if (a.provenance?.score !== undefined) p.score = a.provenance.score;
          if (a.provenance?.modelVersion !== undefined) p.model_version = a.provenance.modelVersion;
          predictions.push(p);
        } else {
          const ann: Record<string, unknown> = { result, was_cancelled: false, ground_truth: a.kind === 'gold' };
          if (a.provenance?.at !== undefined) ann.created_at = a.provenance.at;
          annotations.push(ann);
        }
      }
      task.annotations = annotations;
      task.predictions = predictions;
      if (item.annotations.length === 0) counts.unlabeled = (counts.unlabeled ?? 0) + 1;
      return [{ file: 'labelstudio.json', text: `${n > 1 ? ',' : ''}\n${JSON.stringify(task)}` }];
    },
    finish() {
      const note = (v: number | undefined, code: string, message: string) => {
        if (v) warnings.push({ code, message: `${v} ${message}` });
      };
      note(counts.noSize, 'ls_no_image_size', 'image regions left out: their image has no known size (give --images)');
      note(counts.occluded, 'ls_keypoint_visibility', 'occluded keypoints written as plain points (Label Studio keeps no visibility)');
      note(counts.unlabeled, 'ls_unlabeled', 'items not labeled yet written as tasks without annotations');
      return [{ file: 'labelstudio.json', text: n === 0 ? ']\n' : '\n]\n' }];
    },
    warnings: () => warnings,
  };
}

export const labelStudioFormat: DatasetFormat = {
  id: 'labelstudio',
  kinds: ['image', 'text'],
  input: 'file',
  output: 'file',
  defaultFile: 'labelstudio.json',
  read: readLabelStudio,
  writer,
};
