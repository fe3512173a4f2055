import sharp from 'sharp';
import type { ImageInfo } from '@labelwork/core';

export type ImageMime = ImageInfo['mime'];

export interface CheckedImage {
  name: string;
  mime: ImageMime;
  width: number;
  height: number;
  bytes: number;
  original: Buffer;
  thumb: Buffer;
}

export interface ImageProblem {
  file: string;
  code: 'UNSUPPORTED_MEDIA_TYPE' | 'CORRUPT_IMAGE' | 'UNSAFE_SVG';
  message: string;
}

export const THUMB_SIZE = 320;

/** Detects the type from the bytes themselves (never from the name or the declared type). */
export function sniffImage(buf: Buffer): ImageMime | null {
  if (buf.length >= 8 && buf.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'image/png';
  if (buf.length >= 3 && buf[0] === 0xff && buf[1] === 0xd8 && buf[2] === 0xff) return 'image/jpeg';
  if (buf.length >= 12 && buf.toString('latin1', 0, 4) === 'RIFF' && buf.toString('latin1', 8, 12) === 'WEBP') return 'image/webp';
  const head = buf.subarray(0, 4096).toString('utf8').replace(/^\uFEFF/, '');
  const stripped = head.replace(/^\s*(<\?xml[^>]*\?>\s*)?(<!--[\s\S]*?-->\s*)*(<!DOCTYPE[^>[]*(\[[\s\S]*?\])?\s*>\s*)?(<!--[\s\S]*?-->\s*)*/i, '');
  if (/^<svg[\s>]/i.test(stripped)) return 'image/svg+xml';
  return null;
}

/**
 * Refuses SVG that could run code or reach out when opened: scripts, event handlers, javascript: URLs,
 * foreignObject (embedded HTML), entity declarations, and references to anything outside the file.
 */
export function svgDanger(svg: string): string | null {
  const checks: [RegExp, string][] = [
    [/<\s*script\b/i, 'contains a <script> element'],
    [/\son[a-z]+\s*=/i, 'contains an event-handler attribute (on…=)'],
    [/javascript\s*:/i, 'contains a javascript: URL'],
    [/<\s*foreignObject\b/i, 'contains a <foreignObject> element'],
    [/<!ENTITY/i, 'declares XML entities'],
    [/<\s*(iframe|embed|object|audio|video)\b/i, 'embeds active content'],
    [/(?:xlink:)?href\s*=\s*["']\s*(?!#|data:image\/)[^"']*["']/i, 'refers to an external resource'],
    [/url\(\s*["']?\s*(?!#|data:image\/)/i, 'refers to an external resource in CSS'],
    [/@import/i, 'imports external CSS'],
  ];
  for (const [re, why] of checks) if (re.test(svg)) return why;
  return null;
}

/** Validates one upload completely (decodes every pixel) and makes its thumbnail; nothing is stored here. */
export async function checkImage(name: string, buf: Buffer): Promise<CheckedImage | ImageProblem> {
  const mime = sniffImage(buf);
  if (!mime) return { file: name, code: 'UNSUPPORTED_MEDIA_TYPE', message: 'not a PNG, JPEG, WebP or SVG image' };
  if (mime === 'image/svg+xml') {
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(buf);
    } catch {
      return { file: name, code: 'CORRUPT_IMAGE', message: 'SVG is not valid UTF-8' };
    }
    const danger = svgDanger(text);
    if (danger) return { file: name, code: 'UNSAFE_SVG', message: `SVG refused: ${danger}` };
  }
  try {
    const img = sharp(buf, { failOn: 'warning', limitInputPixels: 20_000 * 20_000 });
    const meta = await img.metadata();
    if (!meta.width || !meta.height) return { file: name, code: 'CORRUPT_IMAGE', message: 'the image has no size' };
    const thumb = await img.rotate().resize(THUMB_SIZE, THUMB_SIZE, { fit: 'inside', withoutEnlargement: true }).webp({ quality: 80 }).toBuffer();
    // Decode the whole image once more at full size: truncated data fails here even when the header is fine.
    await sharp(buf, { failOn: 'warning', limitInputPixels: 20_000 * 20_000 }).raw().toBuffer();
    const rotated = (meta.orientation ?? 1) >= 5;
    return {
      name,
      mime,
      width: rotated ? meta.height : meta.width,
      height: rotated ? meta.width : meta.height,
      bytes: buf.length,
      original: buf,
      thumb,
    };
  } catch (e) {
    return { file: name, code: 'CORRUPT_IMAGE', message: `the image cannot be decoded (${e instanceof Error ? e.message.split('\n')[0] : 'error'})` };
  }
}
