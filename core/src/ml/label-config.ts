import type { LabelDef, LabelSchema, ProjectKind } from '../schema/label-schema.ts';

/**
 * The Label Studio label config (XML) Labelwork sends to an ML backend as `schema` (/setup) and
 * `label_config` (/predict). Backends read it to find their tags (`get_first_tag_occurence(
 * 'RectangleLabels', 'Image')`) and label names, and a prediction names the same tags in
 * `from_name`/`to_name`. Tag names are stable — they depend only on the tool, not on labels:
 *
 * | Labelwork tool | Label Studio control (name)                               | object            |
 * | -------------- | --------------------------------------------------------- | ----------------- |
 * | bbox           | `RectangleLabels` (`label`)                               | `Image` (`image`) |
 * | polygon        | `PolygonLabels` (`polygon`)                               | `Image`           |
 * | keypoints      | `KeyPointLabels` (`keypoints_<n>`, one per keypoints label, n = its index in the schema; Label values are the point names) | `Image` |
 * | span           | `Labels` (`label`)                                        | `Text` (`text`)   |
 * | class-single   | `Choices choice="single"` (`choice`)                      | the object        |
 * | class-multi    | `Choices choice="multiple"` (`choices`)                   | the object        |
 *
 * Retired labels are left out: a backend should not propose them. The image value is `$image`,
 * the text value `$text`, matching the task data Labelwork sends.
 */

export type LsControlTag = 'RectangleLabels' | 'PolygonLabels' | 'KeyPointLabels' | 'Labels' | 'Choices';
/** The result `type` a prediction of each control carries (lower-cased tag name). */
export type LsResultType = 'rectanglelabels' | 'polygonlabels' | 'keypointlabels' | 'labels' | 'choices';

export const LS_RESULT_TYPE: Record<LsControlTag, LsResultType> = {
  RectangleLabels: 'rectanglelabels',
  PolygonLabels: 'polygonlabels',
  KeyPointLabels: 'keypointlabels',
  Labels: 'labels',
  Choices: 'choices',
};

/** One control tag of the generated config and what its values mean in Labelwork. */
export interface LsControl {
  tag: LsControlTag;
  name: string;
  toName: 'image' | 'text';
  /** Label Studio label values offered by this control. */
  values: string[];
  /** For `Choices`: single or multiple. */
  choice?: 'single' | 'multiple';
  /** For `KeyPointLabels`: the Labelwork keypoints label whose named points are `values`. */
  keypointLabel?: string;
}

export interface LsLabelConfig {
  kind: ProjectKind;
  /** The object tag's name: `image` or `text`. */
  objectName: 'image' | 'text';
  controls: LsControl[];
  xml: string;
}

/** Escapes a string for an XML attribute value. */
export function xmlAttr(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

const active = (labels: readonly LabelDef[], tool: LabelDef['tool']) => labels.filter((l) => l.tool === tool && !l.retired);

function controlXml(c: LsControl, colors: ReadonlyMap<string, string>): string {
  const attrs = [`name="${xmlAttr(c.name)}"`, `toName="${c.toName}"`];
  if (c.choice) attrs.push(`choice="${c.choice}"`);
  const labelTag = c.tag === 'Choices' ? 'Choice' : 'Label';
  const children = c.values.map((v, i) => {
    const a = [`value="${xmlAttr(v)}"`];
    const color = colors.get(v);
    if (c.tag !== 'Choices' && c.tag !== 'KeyPointLabels' && color) a.push(`background="${color}"`);
    // YOLO-pose style backends map their keypoint index to a label through these attributes.
    if (c.keypointLabel !== undefined) a.push(`predicted_values="${xmlAttr(c.keypointLabel)}"`, `model_index="${i}"`);
    return `    <${labelTag} ${a.join(' ')}/>`;
  });
  return [`  <${c.tag} ${attrs.join(' ')}>`, ...children, `  </${c.tag}>`].join('\n');
}

/** Builds the Label Studio label config for a project's label schema (see the table above). */
export function buildLsLabelConfig(kind: ProjectKind, schema: LabelSchema): LsLabelConfig {
  const objectName = kind === 'image' ? 'image' : 'text';
  const controls: LsControl[] = [];
  const names = (tool: LabelDef['tool']) => active(schema.labels, tool).map((l) => l.name);
  if (kind === 'image') {
    if (names('bbox').length) controls.push({ tag: 'RectangleLabels', name: 'label', toName: 'image', values: names('bbox') });
    if (names('polygon').length) controls.push({ tag: 'PolygonLabels', name: 'polygon', toName: 'image', values: names('polygon') });
    schema.labels.forEach((l, i) => {
      if (l.tool === 'keypoints' && !l.retired)
        controls.push({ tag: 'KeyPointLabels', name: `keypoints_${i}`, toName: 'image', values: l.points ?? [], keypointLabel: l.name });
    });
  } else if (names('span').length) controls.push({ tag: 'Labels', name: 'label', toName: 'text', values: names('span') });
  if (names('class-single').length)
    controls.push({ tag: 'Choices', name: 'choice', toName: objectName, values: names('class-single'), choice: 'single' });
  if (names('class-multi').length)
    controls.push({ tag: 'Choices', name: 'choices', toName: objectName, values: names('class-multi'), choice: 'multiple' });
  const colors = new Map(schema.labels.map((l) => [l.name, l.color]));
  const object = kind === 'image' ? '  <Image name="image" value="$image"/>' : '  <Text name="text" value="$text"/>';
  const xml = ['<View>', object, ...controls.map((c) => controlXml(c, colors)), '</View>', ''].join('\n');
  return { kind, objectName, controls, xml };
}
