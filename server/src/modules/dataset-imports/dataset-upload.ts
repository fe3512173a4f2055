import { createHash } from 'node:crypto';
import { open, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { InputFile } from '@labelwork/core';
import { AppError } from '../../http/errors.ts';
import { DEFAULT_ZIP_LIMITS, unpackZip, type ZipLimits } from '../../infra/zip.ts';

const IMAGE_EXT = /\.(png|jpe?g|webp|svg)$/i;

/** An image that came in a zip, unpacked to a temp file. */
export interface UploadedImage {
  name: string;
  path: string;
  size: number;
  sha256: string;
}

/** An upload opened for reading: the format's input files as text, and the images that came with it. */
export interface OpenedUpload {
  inputs: InputFile[];
  /** Images in the zip by their path in it, as temp files (for the items import to check and store). */
  images: Map<string, UploadedImage>;
}

async function isZip(file: string): Promise<boolean> {
  const fh = await open(file, 'r');
  try {
    const buf = Buffer.alloc(4);
    const { bytesRead } = await fh.read(buf, 0, 4, 0);
    return bytesRead === 4 && buf.readUInt32LE(0) === 0x04034b50;
  } finally {
    await fh.close();
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function decode(data: Buffer, file: string): string {
  try {
    // A byte-order mark is not part of the text (Windows editors write one).
    return utf8.decode(data).replace(/^\uFEFF/, '');
  } catch {
    throw new AppError('BAD_IMPORT', `${file} is not valid UTF-8`, {
      reason: 'NOT_UTF8',
      error: { code: 'NOT_UTF8', message: 'not valid UTF-8', file },
    });
  }
}

const sha256Of = async (file: string) =>
  createHash('sha256')
    .update(await readFile(file))
    .digest('hex');

/**
 * Opens an uploaded dataset: a zip is checked and unpacked safely into `workDir` (see infra/zip.ts)
 * and split into the format's text files and the images; any other file is the format's one input.
 * Text must be UTF-8. `workDir` is the caller's to remove.
 */
export async function openUpload(
  upload: { path: string; name: string },
  workDir: string,
  maxTextBytes: number,
  limits: ZipLimits = DEFAULT_ZIP_LIMITS,
): Promise<OpenedUpload> {
  if (!(await isZip(upload.path))) {
    if ((await stat(upload.path)).size > maxTextBytes)
      throw new AppError('PAYLOAD_TOO_LARGE', `the annotation file may be at most ${maxTextBytes} bytes`, { limit: maxTextBytes });
    return { inputs: [{ path: upload.name, text: decode(await readFile(upload.path), upload.name) }], images: new Map() };
  }
  const files = await unpackZip(upload.path, workDir, limits);
  const inputs: InputFile[] = [];
  const images = new Map<string, UploadedImage>();
  let textBytes = 0;
  for (const f of files) {
    // macOS archivers add resource forks beside every file.
    if (f.path.startsWith('__MACOSX/') || path.posix.basename(f.path).startsWith('._')) continue;
    if (IMAGE_EXT.test(f.path)) {
      images.set(f.path, { name: path.posix.basename(f.path), path: f.file, size: f.size, sha256: await sha256Of(f.file) });
      continue;
    }
    textBytes += f.size;
    if (textBytes > maxTextBytes)
      throw new AppError('PAYLOAD_TOO_LARGE', `the annotation files may be at most ${maxTextBytes} bytes together`, {
        limit: maxTextBytes,
      });
    inputs.push({ path: f.path, text: decode(await readFile(f.file), f.path) });
  }
  if (inputs.length === 0) throw new AppError('BAD_IMPORT', 'the zip has no annotation files', { reason: 'NO_INPUT' });
  return { inputs, images };
}
