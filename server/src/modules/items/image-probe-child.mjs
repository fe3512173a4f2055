// Decodes uploaded images for the server in a separate process (see image-probe.ts): a costly or
// hostile image can use up this process's time or memory, never the server's. Plain JavaScript so
// it starts without a TypeScript loader.
import sharp from 'sharp';

sharp.cache(false);
sharp.concurrency(1);
const limitBytes = Number(process.env.LW_PROBE_MEMORY_MB || 1024) * 1024 * 1024;
// libvips allocates outside the JS heap, so the resident size is watched (exit code 90: out of memory).
setInterval(() => {
  if (process.memoryUsage.rss() > limitBytes) process.exit(90);
}, 25).unref();
process.on('disconnect', () => process.exit(0));

process.on('message', async (msg) => {
  const { id, path, maxPixels, thumbSize } = msg;
  const opts = { failOn: 'warning', limitInputPixels: maxPixels };
  try {
    const meta = await sharp(path, opts).metadata();
    if (!meta.width || !meta.height) {
      process.send({ id, ok: false, message: 'the image has no size' });
      return;
    }
    if (meta.width * meta.height > maxPixels) {
      process.send({ id, ok: false, tooLarge: true, message: `${meta.width}×${meta.height} is more than ${maxPixels} pixels` });
      return;
    }
    // The parent's time budget follows the size (IMAGE_DECODE_TIMEOUT_MS per 100 megapixels).
    process.send({ id, header: { pixels: meta.width * meta.height } });
    const thumb = await sharp(path, opts)
      .rotate()
      .resize(thumbSize, thumbSize, { fit: 'inside', withoutEnlargement: true })
      .webp({ quality: 80 })
      .toBuffer();
    // Every pixel is decoded once more, streamed through a reduction (no shrink-on-load, so nothing is
    // skipped; memory stays bounded even at 400 megapixels, where stats() held the whole image):
    // truncated data fails here.
    await sharp(path, { ...opts, sequentialRead: true })
      .resize({ width: Math.max(1, Math.ceil(meta.width / 16)), fastShrinkOnLoad: false })
      .raw()
      .toBuffer();
    process.send({ id, ok: true, width: meta.width, height: meta.height, orientation: meta.orientation ?? 1, thumb });
  } catch (e) {
    const message = e instanceof Error ? e.message.split('\n')[0] : 'error';
    process.send({ id, ok: false, tooLarge: /pixel limit/i.test(message), message });
  }
});
