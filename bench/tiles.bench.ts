/**
 * `npm run bench:tiles`: a gigapixel image in the annotator's real workspace page (docs/tile-pyramids.md).
 *
 *  1. A 20,000 × 20,000 photo-like JPEG (broad colour fields with fine noise, so its tiles are not
 *     trivially small; made once with sharp and kept in bench/out/images) is imported through the real
 *     API (`import_s`: upload, full decode check, storage) into a project of the bench's own services.
 *  2. The workers build its tile pyramid (`pyramid_build_s`, from the import's answer to the pyramid
 *     being `ready`; `tiles_total`).
 *  3. A signed-in annotator with a cold browser cache opens the workspace, which leases the item:
 *     `gigapixel_open_ms` is the time from the start of the navigation to the first frame whose scene
 *     canvas actually shows image pixels at five points across the fitted image (read from the canvas
 *     in a requestAnimationFrame loop the bench adds to the page: no hook of the app's own).
 *  4. Pan (middle-drag circles) and zoom (wheel, in and out around a point) cycles, each with a pan at
 *     the deepest zoom, past 1:1 where full-resolution tiles are drawn: real frame intervals
 *     (`gigapixel_frame_interval_p50_ms`, `_p95_ms`, rAF deltas, every frame counted), long tasks, and
 *     the tiles fetched.
 *
 * BENCH_TILES_SIZE changes the image's side (default 20000) for a quick run; BENCH_INTERACT_MS and
 * BENCH_MIN_CYCLES the interaction. Ends with one JSON line; raw figures in bench/results/tiles.json.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { repoRoot } from '../scripts/services.ts';
import { ApiClient } from '../tests/support/api-client.ts';
import { launchBrowser, signIn } from '../tests/support/browser.ts';
import { stageView } from '../tests/support/editor-driver.ts';
import { imageSchema } from '../tests/support/fixtures.ts';
import { texturedJpegFile } from '../tests/support/large-image.ts';
import { createUser, setUpProject } from '../tests/support/project-setup.ts';
import { startRecording } from './results.ts';
import { ADMIN_PASSWORD, r2, startBenchApp, startFrameProbe, stopFrameProbe } from './workspace-app.ts';

const SIDE = Number(process.env.BENCH_TILES_SIZE ?? 20_000);
const VIEWPORT = { width: 1600, height: 1000 };
const INTERACT_MS = Number(process.env.BENCH_INTERACT_MS ?? 4000);
const MIN_CYCLES = Number(process.env.BENCH_MIN_CYCLES ?? 2);
/** Wheel notches from the fitted view to past 1:1 (×1.24 each) at the default size. */
const ZOOM_NOTCHES = Math.max(4, Math.ceil(Math.log(SIDE / 900) / 0.216) + 1);

/**
 * Added to the page before it loads: every frame, five points across the middle of the editor's
 * scene canvas are read; the first frame where all show image pixels (the stage is transparent
 * where nothing is drawn) is recorded, in ms since the navigation started. A string: tsx's helpers
 * do not exist in the page.
 */
const WATCH_FIRST_IMAGE_FRAME = `(() => {
  const look = () => {
    const canvas = document.querySelector('[data-testid=editor-stage] canvas');
    const ctx = canvas && canvas.width > 0 ? canvas.getContext('2d') : null;
    if (ctx) {
      const y = Math.floor(canvas.height / 2);
      const shown = [0.3, 0.4, 0.5, 0.6, 0.7].every((f) => ctx.getImageData(Math.floor(canvas.width * f), y, 1, 1).data[3] > 0);
      if (shown) {
        window.__imageShownAt = performance.now();
        return;
      }
    }
    requestAnimationFrame(look);
  };
  requestAnimationFrame(look);
})()`;

async function interact(page: Page, image: { width: number; height: number }) {
  const box = await page.getByTestId('editor-stage').boundingBox();
  if (!box) throw new Error('no stage');
  const cx = box.x + box.width / 2;
  const cy = box.y + box.height / 2;
  await startFrameProbe(page);
  const end = Date.now() + INTERACT_MS;
  let cycles = 0;
  let phase = 0;
  while (Date.now() < end || cycles < MIN_CYCLES) {
    // Pan: a closed circle with the middle button.
    await page.mouse.move(cx, cy);
    await page.mouse.down({ button: 'middle' });
    for (let i = 1; i <= 30; i++) {
      const a = (i / 30) * Math.PI * 2;
      await page.mouse.move(cx + (Math.cos(a + phase) - Math.cos(phase)) * 180, cy + (Math.sin(a + phase) - Math.sin(phase)) * 120);
    }
    await page.mouse.up({ button: 'middle' });
    // Zoom in past 1:1 around a point that moves between cycles, pan there and back, zoom out.
    const px = Math.round(cx + Math.cos(phase * 3) * 250);
    const py = Math.round(cy + Math.sin(phase * 3) * 150);
    await page.mouse.move(px, py);
    for (let i = 0; i < ZOOM_NOTCHES; i++) await page.mouse.wheel(0, -120);
    await page.mouse.down({ button: 'middle' });
    for (let i = 1; i <= 24; i++) await page.mouse.move(px - (0.5 * box.width * i) / 24, py - (0.3 * box.height * i) / 24);
    for (let i = 23; i >= 0; i--) await page.mouse.move(px - (0.5 * box.width * i) / 24, py - (0.3 * box.height * i) / 24);
    await page.mouse.up({ button: 'middle' });
    for (let i = 0; i < ZOOM_NOTCHES; i++) await page.mouse.wheel(0, 120);
    await page.keyboard.press('f');
    phase += 0.7;
    cycles++;
  }
  const frames = await stopFrameProbe(page);
  const fitted = await stageView(page, image);
  return { frames, cycles, fitScale: fitted.scale };
}

async function main(): Promise<void> {
  const recording = startRecording('tiles');
  const t0 = performance.now();
  const file = await texturedJpegFile(path.join(repoRoot, 'bench', 'out', 'images'), SIDE, SIDE, 1);
  const data = await readFile(file);
  console.error(
    `image ${SIDE}×${SIDE}: ${(data.length / 2 ** 20).toFixed(1)} MB (${((performance.now() - t0) / 1000).toFixed(1)} s to make or find)`,
  );
  // A gigapixel JPEG is larger than the default per-file cap (README: configuration, large images).
  const app = await startBenchApp('tiles', { MAX_IMAGE_BYTES: String(512 * 2 ** 20) });
  const browser = await launchBrowser();
  try {
    const lead = new ApiClient(app.url);
    await lead.login('admin', ADMIN_PASSWORD);
    const annoId = await createUser(app.admin, { name: 'anno-tiles', role: 'annotator', level: 'L4', lang: 'en' });
    const tImport = performance.now();
    const projectId = await setUpProject(lead, {
      name: 'Gigapixel',
      kind: 'image',
      labelSchema: imageSchema,
      members: [annoId],
      images: [{ name: 'slide.jpg', data, type: 'image/jpeg' }],
      queue: 1,
    });
    const importS = (performance.now() - tImport) / 1000;
    const item = (await lead.get(`/api/projects/${projectId}/items`)).body.items[0];
    let manifest: { status: string; total: number; levels: number } = { status: 'queued', total: 0, levels: 0 };
    const tBuild = performance.now();
    for (;;) {
      manifest = (await lead.get(`/api/files/${item.image.fileId}/tiles`)).body.manifest;
      if (manifest.status === 'ready') break;
      if (manifest.status === 'failed') throw new Error('the pyramid build failed');
      if (performance.now() - tBuild > 30 * 60_000) throw new Error('the pyramid took more than 30 min');
      await new Promise((r) => setTimeout(r, 250));
    }
    const pyramidBuildS = (performance.now() - tBuild) / 1000;
    console.error(
      `imported in ${importS.toFixed(1)} s, pyramid (${manifest.total} tiles, ${manifest.levels} levels) in ${pyramidBuildS.toFixed(1)} s`,
    );

    // A cold browser cache: a context of its own.
    const context = await browser.newContext({ baseURL: app.url, locale: 'en-US', viewport: VIEWPORT });
    const page = await context.newPage();
    page.on('pageerror', (e) => console.error('pageerror:', e.message));
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') console.error(`console ${m.type()}: ${m.text()}`);
    });
    page.on('requestfailed', (r) => console.error(`request failed: ${r.url()} ${r.failure()?.errorText ?? ''}`));
    await signIn(page, 'anno-tiles', 'anno-tiles-password');
    let tilesFetched = 0;
    let tileBytes = 0;
    let originalFetched = 0;
    page.on('response', (r) => {
      const u = new URL(r.url()).pathname;
      if (/\/api\/files\/[0-9a-f]{24}\/tiles\/\d+\/\d+\/\d+$/.test(u)) {
        tilesFetched++;
        tileBytes += Number(r.headers()['content-length'] ?? 0);
      } else if (u === `/api/files/${item.image.fileId}`) originalFetched++;
    });
    await page.addInitScript(WATCH_FIRST_IMAGE_FRAME);
    await page.goto(`/projects/${projectId}/work`);
    await page.waitForFunction(() => (window as unknown as { __imageShownAt?: number }).__imageShownAt !== undefined, null, {
      timeout: 60_000,
    });
    const openMs = await page.evaluate(() => (window as unknown as { __imageShownAt: number }).__imageShownAt);
    const tilesAtOpen = tilesFetched;
    console.error(`image shown ${r2(openMs)} ms after the navigation started (${tilesAtOpen} tiles)`);
    await page.locator('[data-testid=workspace][data-phase=working]').waitFor({ timeout: 30_000 });
    await page.getByTestId('editor-stage').focus();
    await page.waitForTimeout(500);
    // To look at: the fitted image and a deep zoom (bench/out/tiles-{fit,deep}.png).
    await page.screenshot({ path: path.join(repoRoot, 'bench', 'out', 'tiles-fit.png') });
    const run = await interact(page, { width: SIDE, height: SIDE });
    // After the figures: deep in the top-left quarter, once its tiles have come.
    const stage = await page.getByTestId('editor-stage').boundingBox();
    if (stage) {
      await page.mouse.move(stage.x + stage.width * 0.35, stage.y + stage.height * 0.3);
      for (let i = 0; i < ZOOM_NOTCHES; i++) await page.mouse.wheel(0, -120);
      await page.waitForTimeout(2000);
      await page.screenshot({ path: path.join(repoRoot, 'bench', 'out', 'tiles-deep.png') });
    }
    await context.close();

    const figures = {
      image: `${SIDE}x${SIDE}`,
      image_mb: r2(data.length / 2 ** 20),
      import_s: r2(importS),
      pyramid_build_s: r2(pyramidBuildS),
      tiles_total: manifest.total,
      levels: manifest.levels,
      gigapixel_open_ms: r2(openMs),
      tiles_at_open: tilesAtOpen,
      gigapixel_frame_interval_p50_ms: run.frames.p50,
      gigapixel_frame_interval_p95_ms: run.frames.p95,
      gigapixel_frame_interval_p99_ms: run.frames.p99,
      gigapixel_frame_interval_max_ms: run.frames.max,
      frames: run.frames.intervals,
      long_tasks: run.frames.longTasks,
      long_task_ms: run.frames.longTaskMs,
      long_task_max_ms: run.frames.longTaskMaxMs,
      cycles: run.cycles,
      zoom_notches: ZOOM_NOTCHES,
      deepest_scale: r2(run.fitScale * Math.exp(0.216) ** ZOOM_NOTCHES),
      tiles_fetched: tilesFetched,
      tile_mb: r2(tileBytes / 2 ** 20),
      original_fetched: originalFetched,
    };
    const out = recording.write(figures);
    console.error(`raw figures: ${path.relative(repoRoot, out)}`);
    console.log(JSON.stringify(figures));
  } finally {
    await browser.close();
    await Promise.all(app.procs.map((p) => p.stop()));
    await app.stopServices();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
