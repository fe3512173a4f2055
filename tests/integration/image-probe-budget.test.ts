import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ImageProbe } from '../../server/src/modules/items/image-probe.ts';
import { jpegBuffer } from '../support/fixtures.ts';
import { texturedJpegFile } from '../support/large-image.ts';
import { existsSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import sharp from 'sharp';

/**
 * The decode check's memory stays bounded at any size, and its time limit follows the image's size (IMAGE_DECODE_TIMEOUT_MS per 100
 * megapixels, read from the header): a gigapixel slide gets the time its pixels need, while a
 * small file that decodes slowly is still stopped at the base limit.
 */
describe('image decode time budget', () => {
  const image = () => texturedJpegFile(path.join(os.tmpdir(), 'labelwork-test-images'), 5000, 3000, 7);
  /** A plain 10,000 × 10,000 JPEG (made once): far more than any machine decodes in 50 ms. */
  async function hundredMegapixels(): Promise<string> {
    const file = path.join(os.tmpdir(), 'labelwork-test-images', 'plain-10000x10000.jpg');
    if (!existsSync(file))
      await sharp({ create: { width: 10_000, height: 10_000, channels: 3, background: '#4a7a9a' } })
        .jpeg()
        .toFile(`${file}.${process.pid}`)
        .then(() => rename(`${file}.${process.pid}`, file));
    return file;
  }
  /** A probe whose child has started (a cold start takes longer than the short limits below), then held to `timeoutMs`. */
  async function warmProbe(timeoutMs: number, budgetPixels: number, memoryMb = 1024): Promise<ImageProbe> {
    const limits = { timeoutMs: 30_000, budgetPixels, memoryMb, maxPixels: 400_000_000, thumbSize: 64 };
    const probe = new ImageProbe(limits);
    const small = path.join(os.tmpdir(), `labelwork-probe-warm-${process.pid}.jpg`);
    await writeFile(small, await jpegBuffer(16, 16));
    expect(await probe.probe(small)).toMatchObject({ ok: true });
    limits.timeoutMs = timeoutMs;
    return probe;
  }

  it('gives a large image time in proportion to its pixels', async () => {
    const file = await image();
    // 150 ms per half megapixel: 15 Mpx get 4.5 s, more than the decode needs even on a loaded machine.
    const probe = await warmProbe(150, 500_000);
    try {
      const r = await probe.probe(file);
      expect(r).toMatchObject({ ok: true, width: 5000, height: 3000 });
    } finally {
      probe.close();
    }
  }, 60_000);

  it('checks every pixel of a 100-megapixel image in bounded memory', async () => {
    const file = await hundredMegapixels();
    // 300 MB of pixels decoded whole would pass the limit; streamed, they stay far below it.
    const probe = await warmProbe(60_000, 100_000_000, 300);
    try {
      expect(await probe.probe(file)).toMatchObject({ ok: true, width: 10_000, height: 10_000 });
    } finally {
      probe.close();
    }
  }, 120_000);

  it('stops at the base limit when the budget is for more pixels than the image has', async () => {
    // 100 Mpx against a budget of 1,000 Mpx per step: the base 50 ms (a quiet machine decodes 15 Mpx in under 150 ms; 100 Mpx take ~400 ms).
    const file = await hundredMegapixels();
    const probe = await warmProbe(50, 1_000_000_000);
    try {
      const r = await probe.probe(file);
      expect(r).toMatchObject({ ok: false, costly: true, reason: 'timeout' });
    } finally {
      probe.close();
    }
  }, 60_000);
});
