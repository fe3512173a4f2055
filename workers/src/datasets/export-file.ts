import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { appendFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough, Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ObjectId, GridFSBucket } from 'mongodb';
import yazl from 'yazl';
import type { OutputChunk } from '@labelwork/core';
import { scratchDir } from '../infra/scratch.ts';

/**
 * Where an export's text goes while it is written: each (file, section) of the format's chunks is
 * appended to its own temporary part file, buffered a little in memory and flushed after every
 * batch, so memory stays bounded whatever the project's size. `finish` joins the parts in order into
 * one zip streamed straight into GridFS.
 */
export class ExportParts {
  private readonly parts = new Map<string, { file: string; section: number; path: string; buffer: string[]; size: number }>();
  /** Files in order of first appearance (deterministic: items come in item-id order). */
  private readonly files: string[] = [];
  private readonly sectionsOf = new Map<string, number[]>();
  private n = 0;

  private constructor(readonly dir: string) {}

  static async create(name: string): Promise<ExportParts> {
    return new ExportParts(await scratchDir(`export-${name}`));
  }

  async put(chunks: readonly OutputChunk[]): Promise<void> {
    for (const c of chunks) {
      if (!c.text) continue;
      const section = c.section ?? 0;
      const key = `${section}\u0000${c.file}`;
      let p = this.parts.get(key);
      if (!p) {
        p = { file: c.file, section, path: join(this.dir, `p${this.n++}`), buffer: [], size: 0 };
        this.parts.set(key, p);
        let secs = this.sectionsOf.get(c.file);
        if (!secs) {
          this.files.push(c.file);
          this.sectionsOf.set(c.file, (secs = []));
        }
        secs.push(section);
      }
      p.buffer.push(c.text);
      p.size += c.text.length;
      if (p.size > 1 << 20) await this.flushPart(p);
    }
  }

  private async flushPart(p: { path: string; buffer: string[]; size: number }): Promise<void> {
    if (!p.buffer.length) return;
    await appendFile(p.path, p.buffer.join(''), 'utf8');
    p.buffer = [];
    p.size = 0;
  }

  /** Writes every buffered text to its part (call after each batch). */
  async flush(): Promise<void> {
    for (const p of this.parts.values()) await this.flushPart(p);
  }

  /** The files in output order, each with its part paths in section order. */
  layout(): { file: string; paths: string[] }[] {
    return this.files.map((file) => ({
      file,
      paths: [...this.sectionsOf.get(file)!].sort((a, b) => a - b).map((s) => this.parts.get(`${s}\u0000${file}`)!.path),
    }));
  }

  async dispose(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }
}

/** The parts of one file as one stream, in order. */
function concat(paths: readonly string[]): Readable {
  const out = new PassThrough();
  void (async () => {
    try {
      for (const p of paths) await pipeline(createReadStream(p), out, { end: false });
      out.end();
    } catch (e) {
      out.destroy(e as Error);
    }
  })();
  return out;
}

/** Fixed entry times: an export of the same state is the same bytes. */
const ZIP_MTIME = new Date(2000, 0, 1);

export interface ZipSource {
  name: string;
  open(): Readable;
}

export interface WrittenFile {
  name: string;
  bytes: number;
  sha256: string;
}

/**
 * Streams a zip into GridFS under `fileId`: the format's files (from parts), then `extra` files
 * (images), then the manifest, which is built last from the files' hashes. Returns the zip's size.
 * GridFS writes the file document after the last chunk: until then the file does not exist, so a
 * crash never leaves a file that looks whole.
 */
export async function writeExportZip(opts: {
  bucket: GridFSBucket;
  fileId: ObjectId;
  fileName: string;
  parts: ExportParts;
  extra: () => AsyncIterable<ZipSource>;
  manifest: (files: WrittenFile[]) => string;
  metadata: Record<string, unknown>;
}): Promise<{ bytes: number; files: WrittenFile[] }> {
  const zip = new yazl.ZipFile();
  const upload = opts.bucket.openUploadStreamWithId(opts.fileId, opts.fileName, { metadata: opts.metadata });
  let bytes = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      bytes += chunk.length;
      cb(null, chunk);
    },
  });
  const uploaded = pipeline(zip.outputStream, counter, upload);
  const files: WrittenFile[] = [];
  const add = async (name: string, source: Readable) => {
    const hash = createHash('sha256');
    let size = 0;
    const tap = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        hash.update(chunk);
        size += chunk.length;
        cb(null, chunk);
      },
    });
    const done = new Promise<void>((resolve, reject) => {
      tap.on('end', resolve);
      tap.on('error', reject);
      source.on('error', reject);
    });
    zip.addReadStream(source.pipe(tap), name, { mtime: ZIP_MTIME, mode: 0o100644 });
    await done;
    files.push({ name, bytes: size, sha256: hash.digest('hex') });
  };
  try {
    for (const { file, paths } of opts.parts.layout()) await add(file, concat(paths));
    for await (const x of opts.extra()) await add(x.name, x.open());
    zip.addBuffer(Buffer.from(opts.manifest(files), 'utf8'), 'manifest.json', { mtime: ZIP_MTIME, mode: 0o100644 });
    zip.end();
    await uploaded;
  } catch (e) {
    (zip.outputStream as Readable).destroy();
    await uploaded.catch(() => undefined);
    throw e;
  }
  return { bytes, files };
}
