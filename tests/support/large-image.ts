import { existsSync, mkdirSync, renameSync } from 'node:fs';
import path from 'node:path';
import sharp, { type Sharp } from 'sharp';

/**
 * A large synthetic photo-like JPEG: broad colour fields (a small random image scaled up, so every
 * region of the image looks different) with fine noise on top (so JPEG tiles are not trivially
 * small). Built by libvips in strips, so memory stays small even at 20,000 × 20,000. `seed` changes
 * the colours (two images of one test are different files; imports skip duplicates).
 */
export async function texturedJpeg(width: number, height: number, seed = 1): Promise<Sharp> {
  const cw = 24;
  const ch = Math.max(2, Math.round((24 * height) / width));
  let s = seed * 2654435761;
  const rand = () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
  const coarse = Buffer.alloc(cw * ch * 3);
  for (let i = 0; i < coarse.length; i++) coarse[i] = Math.floor(40 + rand() * 180);
  const fields = await sharp(coarse, { raw: { width: cw, height: ch, channels: 3 } })
    .png()
    .toBuffer();
  const noise = await sharp({
    create: { width: 256, height: 256, channels: 3, background: '#808080', noise: { type: 'gaussian', mean: 128, sigma: 24 } },
  })
    .png()
    .toBuffer();
  return sharp(fields)
    .resize(width, height, { kernel: 'cubic' })
    .composite([{ input: noise, tile: true, blend: 'soft-light' }])
    .jpeg({ quality: 85 });
}

/** The same image as a file, made once per size and seed under `dir` and reused (a 20,000² one takes a while). */
export async function texturedJpegFile(dir: string, width: number, height: number, seed = 1): Promise<string> {
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `textured-${width}x${height}-${seed}.jpg`);
  if (existsSync(file)) return file;
  const tmp = `${file}.${process.pid}.part`;
  await (await texturedJpeg(width, height, seed)).toFile(tmp);
  renameSync(tmp, file);
  return file;
}
