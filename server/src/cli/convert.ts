import { stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  DATASET_FORMATS,
  DATASET_FORMAT_REGISTRY,
  type Dataset,
  type DatasetFormat,
  type DatasetFormatId,
  type DatasetWarning,
  type WriteOptions,
} from '@labelwork/core/formats/dataset/index';
import { ConvertError, StagedOutput, imageSizes, imagesUnder, readInput, type ImageFile } from './convert-files.ts';
import { fail, type CliIo } from './io.ts';

const HELP = `usage: labelwork convert --from <format> --to <format> --input <file|dir> --output <file|dir> [options]

formats: ${DATASET_FORMATS.join(', ')}
options:
  --images DIR            image files: their sizes (read from the headers) for formats that lack them,
                          and the images copied into outputs that hold them (YOLO)
  --scheme iob2|bioes     CoNLL output tags (default iob2)
  --layout labelwork|doccano   JSONL output records (default labelwork)
output: one JSON line on stdout {"items", "labels", "regions": {"bbox", "polygon", "keypoints", "span", "class"}, "warnings"};
        exit 2 with a one-line message naming the file and line or element for bad usage or malformed input.
        The output is written beside the target first and moved into place at the end: nothing partial is left.
`;

const REGION_TYPES = ['bbox', 'polygon', 'keypoints', 'span', 'class'] as const;

function format(id: string | undefined, flag: string): DatasetFormat {
  if (id === undefined) throw new ConvertError(`${flag} is required; use one of ${DATASET_FORMATS.join(', ')}`);
  if (!(DATASET_FORMATS as readonly string[]).includes(id))
    throw new ConvertError(`unknown format "${id}"; use one of ${DATASET_FORMATS.join(', ')}`);
  const f = DATASET_FORMAT_REGISTRY[id as DatasetFormatId];
  if (!f) throw new ConvertError(`the ${id} format is not available in this version`);
  return f;
}

function summary(dataset: Dataset, warnings: readonly DatasetWarning[]): Record<string, unknown> {
  const regions = Object.fromEntries(REGION_TYPES.map((t) => [t, 0])) as Record<(typeof REGION_TYPES)[number], number>;
  for (const item of dataset.items) for (const a of item.annotations) for (const r of a.regions) regions[r.type]++;
  return { items: dataset.items.length, labels: dataset.labels.length, regions, warnings };
}

function where(e: { file: string; line?: number; element?: string }, dir: string | undefined): string {
  const file = dir === undefined ? e.file : join(dir, e.file);
  return e.line !== undefined ? `${file}:${e.line}` : e.element !== undefined ? `${file} (${e.element})` : file;
}

/** The output file of a one-file format: the path itself, or `defaultFile` inside it when it is a directory. */
async function fileTarget(output: string, to: DatasetFormat): Promise<string> {
  const s = await stat(output).catch(() => null);
  if (s?.isDirectory() || output.endsWith('/')) return join(output, to.defaultFile ?? `dataset.${to.id}`);
  return output;
}

/**
 * `labelwork convert`: reads a dataset in one format and writes it in another, with the format code
 * of core (no server). Prints one JSON summary line; exit 2 for bad usage or malformed input.
 */
export async function runConvert(args: string[], io: CliIo): Promise<number> {
  let staged: StagedOutput | undefined;
  try {
    const { values } = parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
        from: { type: 'string' },
        to: { type: 'string' },
        input: { type: 'string' },
        output: { type: 'string' },
        images: { type: 'string' },
        scheme: { type: 'string' },
        layout: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    if (values.help) {
      io.stdout.write(HELP);
      return 0;
    }
    const from = format(values.from, '--from');
    const to = format(values.to, '--to');
    if (values.input === undefined) throw new ConvertError('--input is required (a file or a directory)');
    if (values.output === undefined) throw new ConvertError('--output is required (a file or a directory)');
    const options: WriteOptions = {};
    if (values.scheme !== undefined) {
      if (values.scheme !== 'iob2' && values.scheme !== 'bioes')
        throw new ConvertError(`--scheme must be iob2 or bioes, not "${values.scheme}"`);
      if (to.id !== 'conll') throw new ConvertError('--scheme applies to --to conll only');
      options.scheme = values.scheme;
    }
    if (values.layout !== undefined) {
      if (values.layout !== 'labelwork' && values.layout !== 'doccano')
        throw new ConvertError(`--layout must be labelwork or doccano, not "${values.layout}"`);
      if (to.id !== 'jsonl') throw new ConvertError('--layout applies to --to jsonl only');
      options.layout = values.layout;
    }

    const input = await readInput(values.input);
    const images: ImageFile[] = [...input.images];
    if (values.images !== undefined) images.push(...(await imagesUnder(values.images, input.dir)));
    const sizes = await imageSizes(images);
    const read = from.read(input.files, { imageSizes: sizes, imageNames: images.map((i) => i.name) });
    if (!read.ok) return fail(io, 'convert', `${where(read.error, input.dir)}: ${read.error.message}`);
    const { dataset } = read;
    if (!to.kinds.includes(dataset.kind))
      throw new ConvertError(`${to.id} holds ${to.kinds.join(' and ')} items; the input holds ${dataset.kind} items`);

    const byName = new Map(images.map((i) => [i.name, i.path]));
    for (const i of images) if (!byName.has(basename(i.name))) byName.set(basename(i.name), i.path);
    const target = to.output === 'file' ? await fileTarget(values.output, to) : values.output;
    staged = new StagedOutput(target, to.output);
    await staged.open();
    const writer = to.writer(dataset.kind, options);
    let missingImages = 0;
    await staged.put(writer.begin(dataset.labels));
    for (const item of dataset.items) {
      if (item.kind === 'image' && (item.width === undefined || item.height === undefined)) {
        const size = sizes.get(item.name) ?? sizes.get(basename(item.name));
        if (size) Object.assign(item, size);
      }
      await staged.put(writer.item(item));
      const dest = writer.imagePath?.(item);
      if (dest !== undefined) {
        const source = byName.get(item.name) ?? byName.get(basename(item.name));
        if (source) await staged.copyImage(source, dest);
        else missingImages++;
      }
    }
    await staged.put(writer.finish());
    await staged.commit(to.defaultFile);
    await staged.discard();
    staged = undefined;
    const warnings = [...read.warnings, ...writer.warnings()];
    if (missingImages)
      warnings.push({
        code: 'images_not_copied',
        message: `${missingImages} images are not in the output: their files were not found (give --images)`,
      });
    io.stdout.write(JSON.stringify(summary(dataset, warnings)) + '\n');
    return 0;
  } catch (err) {
    await staged?.discard();
    return fail(io, 'convert', err instanceof Error ? err.message : String(err));
  }
}
