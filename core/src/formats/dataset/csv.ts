import type { Region } from '../../schema/region.ts';
import { parseCsv } from '../csv.ts';
import { pickAnnotation } from './image-common.ts';
import { labelsFromItems, regionIds } from './labels-from-regions.ts';
import type {
  DatasetFormat,
  DatasetItem,
  DatasetLabel,
  DatasetWarning,
  DatasetWriter,
  InputFile,
  ReadResult,
  WriteOptions,
} from './types.ts';

/**
 * CSV (RFC 4180, header row) for classification projects, one row per item:
 * - images: `image,label` — `image` is the file name (also read from a `file_name`, `filename` or `path` column);
 * - texts: `id,text,label` (`id` optional when reading).
 * A single-choice project writes a `label` column holding one label; a multiple-choice project a
 * `labels` column holding the labels joined with `|`. An empty cell means the item is not labeled
 * yet. Other columns are read into the item's `meta.csv`. Only class regions fit: others are left
 * out with a warning.
 */

const IMAGE_COLUMNS = ['image', 'file_name', 'filename', 'path'];
const MULTI_SEPARATOR = '|';

function read(files: readonly InputFile[]): ReadResult {
  const items: DatasetItem[] = [];
  let kind: 'image' | 'text' | undefined;
  let multi = false;
  for (const file of files) {
    const fail = (message: string, line: number): ReadResult => ({
      ok: false,
      error: { code: 'CSV_INVALID', message, file: file.path, line },
    });
    const parsed = parseCsv(file.text);
    if (!parsed.ok) return fail(parsed.message, parsed.line);
    const [header, ...rows] = parsed.rows;
    if (!header) return fail('the file is empty', 1);
    const cols = header.cells.map((c) => c.trim().toLowerCase());
    const textCol = cols.indexOf('text');
    const imageCol = cols.findIndex((c) => IMAGE_COLUMNS.includes(c));
    const idCol = cols.indexOf('id');
    const labelCol = cols.indexOf('label') >= 0 ? cols.indexOf('label') : cols.indexOf('class');
    const labelsCol = cols.indexOf('labels');
    if (textCol < 0 === imageCol < 0) return fail('the header needs a "text" column or an "image" column (not both)', header.line);
    if (labelCol < 0 && labelsCol < 0) return fail('the header needs a "label" (or "labels") column', header.line);
    const fileKind = textCol >= 0 ? 'text' : 'image';
    if (kind !== undefined && kind !== fileKind) return fail(`${fileKind} rows after ${kind} rows`, header.line);
    kind = fileKind;
    if (labelsCol >= 0) multi = true;
    const known = new Set([textCol, imageCol, idCol, labelCol, labelsCol]);
    for (const row of rows) {
      if (row.cells.length !== cols.length) return fail(`expected ${cols.length} columns, found ${row.cells.length}`, row.line);
      const cell = (i: number) => (i >= 0 ? row.cells[i]! : '');
      const next = regionIds();
      const labels =
        labelsCol >= 0
          ? cell(labelsCol)
              .split(MULTI_SEPARATOR)
              .map((s) => s.trim())
          : [cell(labelCol).trim()];
      const chosen = labels.filter((l) => l !== '');
      const regions: Region[] = chosen.map((label) => ({ id: next(), type: 'class', label }));
      let item: DatasetItem;
      if (kind === 'text') {
        const text = cell(textCol);
        item = { name: cell(idCol) || String(items.length + 1), kind, text, annotations: [] };
      } else {
        const name = cell(imageCol).trim();
        if (name === '') return fail('the image file name is empty', row.line);
        item = { name, kind, annotations: [] };
      }
      if (regions.length) item.annotations.push({ kind: 'annotation', regions });
      const extra: Record<string, string> = {};
      cols.forEach((c, i) => {
        if (!known.has(i) && c !== '') extra[header.cells[i]!.trim()] = row.cells[i]!;
      });
      if (Object.keys(extra).length) item.meta = { csv: extra };
      items.push(item);
    }
  }
  if (items.length === 0)
    return { ok: false, error: { code: 'CSV_EMPTY', message: 'the file has no rows', file: files[0]?.path ?? '', line: 1 } };
  const declared: DatasetLabel[] = [];
  const labels = labelsFromItems(items, declared).map((l) =>
    multi && l.tool === 'class-single' ? { ...l, tool: 'class-multi' as const } : l,
  );
  return { ok: true, dataset: { kind: kind ?? 'text', labels, items }, warnings: [] };
}

/** One CSV field, quoted when it holds a comma, a quote or a line break. */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

function writer(kind: 'image' | 'text', options: WriteOptions = {}): DatasetWriter {
  let multi = false;
  const counts = { other: 0, empty: 0, separator: 0, unlabeled: 0, extra: 0 };
  const warnings: DatasetWarning[] = [];
  const row = (cells: string[]) => ({ file: 'dataset.csv', text: cells.map(csvField).join(',') + '\r\n' });
  return {
    begin(labels) {
      multi = labels.some((l) => l.tool === 'class-multi');
      const labelCol = multi ? 'labels' : 'label';
      return [row(kind === 'image' ? ['image', labelCol] : ['id', 'text', labelCol])];
    },
    item(item) {
      const a = pickAnnotation(item, options);
      if (!a) counts.unlabeled++;
      const classes = (a?.regions ?? []).filter((r) => r.type === 'class').map((r) => r.label);
      counts.other += (a?.regions.length ?? 0) - classes.length;
      if (a && classes.length === 0) counts.empty++;
      if (!multi && classes.length > 1) counts.extra++;
      if (multi && classes.some((c) => c.includes(MULTI_SEPARATOR))) counts.separator++;
      const cell = multi ? classes.join(MULTI_SEPARATOR) : (classes[0] ?? '');
      return [row(item.kind === 'image' ? [item.name, cell] : [item.name, item.text ?? '', cell])];
    },
    finish() {
      const note = (n: number, code: string, message: string) => {
        if (n) warnings.push({ code, message: `${n} ${message}` });
      };
      note(counts.other, 'csv_regions_dropped', 'regions that are not classes left out: CSV holds classifications');
      note(counts.empty, 'csv_no_class', 'labeled items without a class written with an empty label (read back as not labeled)');
      note(counts.unlabeled, 'csv_unlabeled', 'items not labeled yet written with an empty label');
      note(counts.extra, 'csv_extra_classes', 'items with several classes in a single-choice CSV kept their first class');
      note(counts.separator, 'csv_separator', `items have a label containing "${MULTI_SEPARATOR}", which reads back as two labels`);
      return [];
    },
    warnings: () => warnings,
  };
}

export const csvFormat: DatasetFormat = {
  id: 'csv',
  kinds: ['image', 'text'],
  input: 'file',
  output: 'file',
  defaultFile: 'dataset.csv',
  read,
  writer,
};
