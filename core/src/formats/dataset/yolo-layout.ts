/**
 * The Ultralytics YOLO dataset layout, shared by the reader, the writer and the ecosystem check:
 * an image `…/images/<rest>` has its labels at `…/labels/<rest without extension>.txt` (ultralytics'
 * `img2label_paths`: the last `/images/` becomes `/labels/`, the extension becomes `.txt`).
 */

/** The label file of an image path, as ultralytics' img2label_paths computes it. */
export function img2labelPath(imagePath: string): string {
  const p = `/${imagePath}`;
  const i = p.lastIndexOf('/images/');
  const swapped = i >= 0 ? `${p.slice(0, i)}/labels/${p.slice(i + '/images/'.length)}` : p;
  const slash = swapped.lastIndexOf('/');
  const dot = swapped.lastIndexOf('.');
  return `${dot > slash ? swapped.slice(0, dot) : swapped}.txt`.slice(1);
}

const SPLIT_NAMES = new Set(['train', 'val', 'valid', 'test']);

/**
 * Where an image sits in the layout: its split (`images/train/x.jpg`, or Roboflow's `train/images/x.jpg`)
 * and its name inside the split. A path without an `images` folder is its own name.
 */
export function splitOfImagePath(path: string, splitDirs: ReadonlySet<string> = SPLIT_NAMES): { split?: string; name: string } {
  const seg = path.split('/');
  const i = seg.lastIndexOf('images');
  if (i < 0 || i === seg.length - 1) return { name: path };
  const before = seg.slice(0, i);
  const after = seg.slice(i + 1);
  if (before.length > 0) return { split: before.join('/'), name: after.join('/') };
  if (after.length > 1 && (splitDirs.has(after[0]!) || SPLIT_NAMES.has(after[0]!)))
    return { split: after[0]!, name: after.slice(1).join('/') };
  return { name: after.join('/') };
}

function sameCase(model: string, word: string): string {
  if (model === model.toUpperCase()) return word.toUpperCase();
  if (model[0] === model[0]!.toUpperCase()) return word[0]!.toUpperCase() + word.slice(1);
  return word;
}

/**
 * flip_idx for horizontal-flip augmentation: each point's mirror by name (`left_eye` ↔ `right_eye`,
 * `l_hand` ↔ `r_hand`, `wing_left` ↔ `wing_right`), itself when it has none. Undefined when no point has a mirror.
 */
export function flipIndex(points: readonly string[]): number[] | undefined {
  const swaps: [RegExp, string, string][] = [
    [/left/i, 'left', 'right'],
    [/right/i, 'right', 'left'],
    [/(^|[_\-\s])l($|[_\-\s])/i, 'l', 'r'],
    [/(^|[_\-\s])r($|[_\-\s])/i, 'r', 'l'],
  ];
  let any = false;
  const idx = points.map((name, i) => {
    for (const [re, from, to] of swaps) {
      if (!re.test(name)) continue;
      const mirrored = name.replace(re, (m) => m.replace(new RegExp(from, 'i'), (f) => sameCase(f, to)));
      const j = points.indexOf(mirrored);
      if (j >= 0 && j !== i) {
        any = true;
        return j;
      }
    }
    return i;
  });
  return any ? idx : undefined;
}
