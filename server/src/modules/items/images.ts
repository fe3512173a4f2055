import { open, readFile, writeFile } from 'node:fs/promises';
import type { ImageInfo } from '@labelwork/core';
import type { ImageProbe } from './image-probe.ts';
import { sanitizeSvg, type SvgLimits } from './svg-sanitize.ts';

export type ImageMime = ImageInfo['mime'];

/** An upload on disk (a temp file), with the hash of its bytes. */
export interface UploadedFile {
  name: string;
  path: string;
  size: number;
  sha256: string;
}

export interface CheckedImage {
  name: string;
  mime: ImageMime;
  width: number;
  height: number;
  bytes: number;
  /** The file to store: the upload itself, or for SVG the rewritten document. */
  path: string;
  thumb: Buffer;
  sha256: string;
}

export interface ImageProblem {
  file: string;
  code: 'UNSUPPORTED_MEDIA_TYPE' | 'CORRUPT_IMAGE' | 'UNSAFE_SVG' | 'IMAGE_TOO_COSTLY';
  /** Finer reason for UNSAFE_SVG and IMAGE_TOO_COSTLY (svg-filter, svg-size, svg-use-fanout, timeout, memory, script…). */
  reason?: string;
  message: string;
}

export const THUMB_SIZE = 320;
/** SVG is parsed on the server's thread; larger documents are refused. */
export const SVG_MAX_BYTES = 5 * 1024 * 1024;

/** Detects the type from the bytes themselves (never from the name or the declared type). */
export function sniffImage(buf: Buffer): ImageMime | null {
  if (buf.length >= 8 && buf.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'image/png';
  if (buf.length >= 3 && buf[0] === 0xff && buf[1] === 0xd8 && buf[2] === 0xff) return 'image/jpeg';
  if (buf.length >= 12 && buf.toString('latin1', 0, 4) === 'RIFF' && buf.toString('latin1', 8, 12) === 'WEBP') return 'image/webp';
  const head = buf
    .subarray(0, 4096)
    .toString('utf8')
    .replace(/^\uFEFF/, '');
  const stripped = head.replace(
    /^\s*(<\?xml[^>]*\?>\s*)?(<!--[\s\S]*?-->\s*)*(<!DOCTYPE[^>[]*(\[[\s\S]*?\])?\s*>\s*)?(<!--[\s\S]*?-->\s*)*/i,
    '',
  );
  if (/^<([A-Za-z_][\w.-]*:)?svg[\s>]/i.test(stripped)) return 'image/svg+xml';
  return null;
}

async function head(path: string): Promise<Buffer> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(4096);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

/**
 * Validates one upload completely — SVG is rewritten from an allowlist first — then decodes every
 * pixel and makes the thumbnail in the probe's child process. Nothing is stored here.
 */
export async function checkImage(probe: ImageProbe, file: UploadedFile, svgLimits: SvgLimits): Promise<CheckedImage | ImageProblem> {
  const { name } = file;
  const mime = sniffImage(await head(file.path));
  if (!mime) return { file: name, code: 'UNSUPPORTED_MEDIA_TYPE', message: 'not a PNG, JPEG, WebP or SVG image' };
  let path = file.path;
  let bytes = file.size;
  if (mime === 'image/svg+xml') {
    if (file.size > SVG_MAX_BYTES)
      return { file: name, code: 'IMAGE_TOO_COSTLY', reason: 'svg-bytes', message: `SVG files may be at most ${SVG_MAX_BYTES} bytes` };
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(await readFile(file.path));
    } catch {
      return { file: name, code: 'CORRUPT_IMAGE', message: 'SVG is not valid UTF-8' };
    }
    const clean = sanitizeSvg(text, svgLimits);
    if (!clean.ok) return { file: name, code: clean.code, reason: clean.reason, message: clean.message };
    path = `${file.path}.clean.svg`;
    await writeFile(path, clean.svg, { mode: 0o600 });
    bytes = Buffer.byteLength(clean.svg);
  }
  // An SVG's rendered size is checked again once librsvg has worked it out (percentages, missing sizes).
  const r = await probe.probe(path, mime === 'image/svg+xml' ? svgLimits.maxPixels : undefined);
  if (!r.ok) {
    return r.costly
      ? {
          file: name,
          code: 'IMAGE_TOO_COSTLY',
          reason: r.reason === 'pixels' && mime === 'image/svg+xml' ? 'svg-size' : r.reason,
          message: `the image is too costly to decode (${r.message})`,
        }
      : { file: name, code: 'CORRUPT_IMAGE', message: `the image cannot be decoded (${r.message})` };
  }
  const rotated = r.orientation >= 5;
  return {
    name,
    mime,
    width: rotated ? r.height : r.width,
    height: rotated ? r.width : r.height,
    bytes,
    path,
    thumb: r.thumb,
    sha256: file.sha256,
  };
}
