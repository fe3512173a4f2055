import { createReadStream, createWriteStream } from 'node:fs';
import { appendFile, copyFile, mkdir, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { basename, dirname, isAbsolute, join, relative, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { InputFile, OutputChunk } from '@labelwork/core/formats/dataset/index';

/** File endings taken as images (never read as text; their sizes come from their headers). */
const IMAGE_EXT = /\.(png|jpe?g|webp|bmp|gif|tiff?)$/i;

export class ConvertError extends Error {}

export interface ImageFile {
  /** Name relative to the images root, with `/` separators. */
  name: string;
  path: string;
}

/** Every file under `root` (not following links, skipping dot files), relative names with `/`, sorted. */
async function walk(root: string): Promise<string[]> {
  const out: string[] = [];
  const visit = async (dir: string) => {
    for (const e of await readdir(dir, { withFileTypes: true })) {
      if (e.name.startsWith('.')) continue;
      const p = join(dir, e.name);
      if (e.isDirectory()) await visit(p);
      else if (e.isFile()) out.push(relative(root, p).split(sep).join('/'));
    }
  };
  await visit(root);
  return out.sort();
}

/**
 * The input as a reader takes it: one file (its path as given), or every non-image file of a
 * directory (paths relative to it), plus the images found there. XML with a DOCTYPE is refused
 * here, whatever the format, before any parser sees it.
 */
export async function readInput(input: string): Promise<{ files: InputFile[]; images: ImageFile[]; dir?: string }> {
  const s = await stat(input).catch(() => {
    throw new ConvertError(`${input}: no such file or directory`);
  });
  const files: InputFile[] = [];
  const images: ImageFile[] = [];
  if (s.isDirectory()) {
    for (const name of await walk(input)) {
      if (IMAGE_EXT.test(name)) images.push({ name, path: join(input, name) });
      else files.push({ path: name, text: await readFile(join(input, name), 'utf8') });
    }
  } else files.push({ path: input, text: await readFile(input, 'utf8') });
  for (const f of files) refuseDoctype(s.isDirectory() ? join(input, f.path) : f.path, f.text);
  return { files, images, ...(s.isDirectory() ? { dir: input } : {}) };
}

function refuseDoctype(path: string, text: string): void {
  const at = /<!DOCTYPE/i.exec(text);
  if (!at || !(/\.xml$/i.test(path) || /^\uFEFF?\s*</.test(text))) return;
  const line = text.slice(0, at.index).split('\n').length;
  throw new ConvertError(`${path}:${line}: XML with a DOCTYPE is refused (entities and DTDs are never read)`);
}

/** Images under `dir`, named relative to `root` when `dir` lies inside it (so YOLO finds `images/…` beside `labels/…`). */
export async function imagesUnder(dir: string, root?: string): Promise<ImageFile[]> {
  const s = await stat(dir).catch(() => null);
  if (!s?.isDirectory()) throw new ConvertError(`--images ${dir}: not a directory`);
  const base = root && !relative(root, dir).startsWith('..') && !isAbsolute(relative(root, dir)) ? root : dir;
  return (await walk(dir))
    .filter((n) => IMAGE_EXT.test(n))
    .map((n) => {
      const path = join(dir, n);
      return { name: relative(base, path).split(sep).join('/'), path };
    });
}

/**
 * Image sizes from the files' headers (sharp reads the header only; no pixel is decoded), keyed by
 * relative name and also by base name where that is unique.
 */
export async function imageSizes(images: readonly ImageFile[]): Promise<Map<string, { width: number; height: number }>> {
  const sizes = new Map<string, { width: number; height: number }>();
  const byBase = new Map<string, number>();
  for (const img of images) byBase.set(basename(img.name), (byBase.get(basename(img.name)) ?? 0) + 1);
  if (images.length === 0) return sizes;
  // Loaded on demand: the native library costs every other CLI command its start-up time.
  const { default: sharp } = await import('sharp');
  for (const img of images) {
    const meta = await sharp(img.path)
      .metadata()
      .catch((e: unknown) => {
        throw new ConvertError(`${img.path}: not a readable image (${e instanceof Error ? e.message : String(e)})`);
      });
    if (!meta.width || !meta.height) throw new ConvertError(`${img.path}: the image header has no size`);
    const size = { width: meta.width, height: meta.height };
    sizes.set(img.name, size);
    if (byBase.get(basename(img.name)) === 1 && !sizes.has(basename(img.name))) sizes.set(basename(img.name), size);
  }
  return sizes;
}

const FLUSH_BYTES = 1 << 20;

/**
 * Output staged in a temporary directory beside the target: chunks are appended per (file,
 * section) part, joined in section order by `commit()`, which then renames the result into place.
 * `discard()` removes everything; nothing partial is ever left at the target.
 */
export class StagedOutput {
  readonly tmp: string;
  private readonly parts = new Map<string, Map<number, { path: string; buffer: string[]; size: number }>>();
  private n = 0;

  constructor(
    private readonly target: string,
    private readonly mode: 'file' | 'dir',
  ) {
    this.tmp = join(dirname(target), `.labelwork-convert-${randomUUID()}`);
  }

  async open(): Promise<void> {
    const parent = await stat(dirname(this.target)).catch(() => null);
    if (!parent?.isDirectory()) throw new ConvertError(`${this.target}: the directory ${dirname(this.target)} does not exist`);
    await mkdir(join(this.tmp, 'parts'), { recursive: true });
    await mkdir(join(this.tmp, 'out'), { recursive: true });
  }

  private static safe(file: string): string {
    const parts = file.split('/');
    if (isAbsolute(file) || file.includes('\\') || parts.some((p) => p === '..' || p === '' || p === '.'))
      throw new Error(`a writer produced an unsafe output path "${file}"`);
    return file;
  }

  async put(chunks: readonly OutputChunk[]): Promise<void> {
    for (const c of chunks) {
      const file = StagedOutput.safe(c.file);
      let sections = this.parts.get(file);
      if (!sections) this.parts.set(file, (sections = new Map()));
      const s = c.section ?? 0;
      let part = sections.get(s);
      if (!part) sections.set(s, (part = { path: join(this.tmp, 'parts', String(this.n++)), buffer: [], size: 0 }));
      part.buffer.push(c.text);
      part.size += c.text.length;
      if (part.size >= FLUSH_BYTES) await this.flush(part);
    }
  }

  /** Copies an image into the output (YOLO's `images/…`). */
  async copyImage(source: string, dest: string): Promise<void> {
    const to = join(this.tmp, 'out', StagedOutput.safe(dest));
    await mkdir(dirname(to), { recursive: true });
    await copyFile(source, to);
  }

  private async flush(part: { path: string; buffer: string[]; size: number }): Promise<void> {
    if (part.buffer.length === 0) return;
    await appendFile(part.path, part.buffer.join(''));
    part.buffer = [];
    part.size = 0;
  }

  /** Joins the parts and moves the result to the target (a file, or files into a directory). */
  async commit(defaultFile: string | undefined): Promise<string[]> {
    const written: string[] = [];
    if (this.mode === 'file' && this.parts.size === 0) this.parts.set(defaultFile ?? 'output', new Map());
    for (const [file, sections] of this.parts) {
      const out = join(this.tmp, 'out', file);
      await mkdir(dirname(out), { recursive: true });
      await appendFile(out, '');
      for (const s of [...sections.keys()].sort((a, b) => a - b)) {
        const part = sections.get(s)!;
        await this.flush(part);
        await pipeline(createReadStream(part.path), createWriteStream(out, { flags: 'a' })).catch(async (e: unknown) => {
          if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
          throw e;
        });
      }
      written.push(file);
    }
    if (this.mode === 'file') {
      const [first, ...rest] = written;
      if (rest.length) throw new Error(`a one-file format wrote ${written.length} files`);
      await rename(join(this.tmp, 'out', first!), this.target);
      return [this.target];
    }
    const outDir = join(this.tmp, 'out');
    const exists = await stat(this.target).catch(() => null);
    if (!exists) {
      await rename(outDir, this.target);
      return [this.target];
    }
    if (!exists.isDirectory()) throw new ConvertError(`${this.target}: exists and is not a directory`);
    for (const name of await walk(outDir)) {
      await mkdir(dirname(join(this.target, name)), { recursive: true });
      await rename(join(outDir, name), join(this.target, name));
    }
    return [this.target];
  }

  async discard(): Promise<void> {
    await rm(this.tmp, { recursive: true, force: true });
  }
}
