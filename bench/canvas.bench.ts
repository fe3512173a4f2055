/**
 * `npm run bench:canvas`: the image editor in headless Chromium on synthetic data.
 *
 *  1. 4,000 × 3,000 image with 2,000 boxes: frame times while panning (middle-drag) and zooming (wheel).
 *  2. The same image with 1,000 boxes: time from mouse-up to the new box being drawn.
 *  3. 500 polygons of 30 points: frame times while panning and zooming.
 *  4. 8,000 × 8,000 image with 200 boxes: frame times (large-image responsiveness).
 *
 * A frame's time is the main-thread work it took: from the first input event of the frame (or
 * its requestAnimationFrame callback) until the first task after the frame was rendered, so it
 * covers input handling, Konva drawing, style, layout and paint. Raw requestAnimationFrame
 * intervals are reported too (they cannot go below the 16.7 ms vsync).
 * Also saves screenshots of the image and text editors to tests/artifacts/.
 * Ends with one JSON line.
 */
import { existsSync, mkdirSync, readFileSync, statSync, readdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Page } from 'playwright-core';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const clientDir = path.join(root, 'client');
const outDir = path.join(root, 'bench', 'out', 'canvas-harness');
const artifacts = path.join(root, 'tests', 'artifacts');
const VIEWPORT = { width: 1600, height: 1000 };
const INTERACT_MS = Number(process.env.BENCH_INTERACT_MS ?? 2500);
/** BENCH_ONLY=boxes,latency,polygons,large,screenshots runs a subset (the JSON line then has NaN for the rest). */
const ONLY = new Set((process.env.BENCH_ONLY ?? 'boxes,latency,polygons,large,screenshots').split(','));
const NONE: FrameStats = { frames: 0, median: NaN, p95: NaN, drawMedian: NaN, intervalMedian: NaN, intervalP95: NaN };

function newest(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

async function buildHarness(): Promise<void> {
  const index = path.join(outDir, 'bench.html');
  const srcTime = Math.max(
    newest(path.join(clientDir, 'src')),
    newest(path.join(root, 'core', 'src')),
    statSync(path.join(clientDir, 'bench.html')).mtimeMs,
  );
  if (existsSync(index) && statSync(index).mtimeMs >= srcTime) return;
  console.error('building the bench harness (vite build client/bench.html)…');
  const { build } = await import('vite');
  await build({
    configFile: path.join(clientDir, 'vite.config.ts'),
    root: clientDir,
    logLevel: 'warn',
    build: { outDir, emptyOutDir: true, sourcemap: false, rolldownOptions: { input: path.join(clientDir, 'bench.html') } },
  });
}

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

function serve(dir: string): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const rel = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const file = path.join(dir, rel === '/' ? 'bench.html' : rel);
    if (!file.startsWith(dir) || !existsSync(file) || statSync(file).isDirectory()) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, { 'Content-Type': MIME[path.extname(file)] ?? 'application/octet-stream' });
    res.end(readFileSync(file));
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` })),
  );
}

// ── In-page probes ────────────────────────────────────────────────────────────────────
// Written as strings: they run in the page, not in Node.

const FRAME_PROBE = `(() => {
  const st = { costs: [], intervals: [], draws: [], running: true, frameStart: null, drawMs: 0 };
  const mark = () => { if (st.frameStart === null) st.frameStart = performance.now(); };
  for (const t of ['pointermove', 'pointerdown', 'pointerup', 'wheel', 'keydown']) window.addEventListener(t, mark, { capture: true, passive: true });
  const stage = window.Konva.stages[0];
  for (const layer of stage.getLayers()) {
    let t0 = 0;
    layer.on('beforeDraw', () => { t0 = performance.now(); });
    layer.on('draw', () => { st.drawMs += performance.now() - t0; });
  }
  let last;
  const loop = (now) => {
    if (!st.running) return;
    if (last !== undefined) st.intervals.push(now - last);
    last = now;
    const start = Math.min(st.frameStart ?? performance.now(), performance.now());
    st.frameStart = null;
    const ch = new MessageChannel();
    ch.port1.onmessage = () => {
      const drew = st.drawMs;
      st.drawMs = 0;
      if (drew > 0) { st.costs.push(performance.now() - start); st.draws.push(drew); }
    };
    ch.port2.postMessage(0);
    requestAnimationFrame(loop);
  };
  requestAnimationFrame(loop);
  window.__probe = st;
})()`;

interface FrameStats {
  frames: number;
  median: number;
  p95: number;
  drawMedian: number;
  intervalMedian: number;
  intervalP95: number;
}

const pct = (xs: number[], p: number) => {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};
const r2 = (x: number) => Math.round(x * 100) / 100;

async function openScene(page: Page, base: string, query: string): Promise<void> {
  await page.goto(`${base}/bench.html?${query}`);
  const image = !query.includes('scene=text');
  await page.waitForFunction(
    (image) =>
      (window as unknown as { __bench?: { ready: boolean } }).__bench?.ready === true &&
      (!image || (window as unknown as { Konva?: { stages: unknown[] } }).Konva?.stages.length === 1),
    image,
    { timeout: 60_000 },
  );
  // Let the first frames (image levels, regions) draw.
  await page.waitForTimeout(400);
}

async function stageBox(page: Page) {
  const box = await page.getByTestId('editor-stage').boundingBox();
  if (!box) throw new Error('no stage');
  return box;
}

/** Middle-button pans and wheel zooms around the stage centre for about INTERACT_MS. */
async function panAndZoom(page: Page): Promise<FrameStats> {
  const box = await stageBox(page);
  const cx = box.x + box.width / 2;
  const cy = box.y + box.height / 2;
  await page.evaluate(FRAME_PROBE);
  const end = Date.now() + INTERACT_MS;
  let phase = 0;
  while (Date.now() < end) {
    // Pan: a circle-ish drag with the middle button.
    await page.mouse.move(cx, cy);
    await page.mouse.down({ button: 'middle' });
    for (let i = 1; i <= 30; i++) {
      const a = (i / 30) * Math.PI * 2;
      await page.mouse.move(cx + Math.cos(a + phase) * 160, cy + Math.sin(a + phase) * 110);
    }
    await page.mouse.up({ button: 'middle' });
    // Zoom in then out around a moving point.
    for (let i = 0; i < 12; i++) {
      await page.mouse.move(cx + (i - 6) * 25, cy + (i % 3) * 30);
      await page.mouse.wheel(0, i < 6 ? -120 : 120);
    }
    phase += 0.7;
  }
  const st = await page.evaluate(() => {
    const p = (window as unknown as { __probe: { costs: number[]; intervals: number[]; draws: number[]; running: boolean } }).__probe;
    p.running = false;
    return { costs: p.costs, intervals: p.intervals, draws: p.draws };
  });
  return {
    frames: st.costs.length,
    median: r2(pct(st.costs, 50)),
    p95: r2(pct(st.costs, 95)),
    drawMedian: r2(pct(st.draws, 50)),
    intervalMedian: r2(pct(st.intervals, 50)),
    intervalP95: r2(pct(st.intervals, 95)),
  };
}

/** Draws `count` boxes with the mouse; for each, time from the mouse-up event to the end of the frame that shows it. */
async function newBoxLatency(page: Page, count: number): Promise<number[]> {
  const box = await stageBox(page);
  await page.getByTestId('tool-bbox').click();
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    const x = box.x + 120 + (i % 5) * 180;
    const y = box.y + 120 + Math.floor(i / 5) * 160;
    await page.evaluate(() => {
      const w = window as unknown as {
        __lat: { up: number; drawn: number; before: number };
        __bench: { store: { getState(): { regions: unknown[] } } };
        Konva: { stages: { getLayers(): { on(e: string, f: () => void): void; off(e: string): void }[] }[] };
      };
      const lat = { up: 0, drawn: 0, before: w.__bench.store.getState().regions.length };
      w.__lat = lat;
      window.addEventListener('pointerup', (e) => (lat.up = e.timeStamp), { capture: true, once: true });
      const regionsLayer = w.Konva.stages[0]!.getLayers()[0]!;
      regionsLayer.off('draw.lat');
      regionsLayer.on('draw.lat', () => {
        if (lat.up && !lat.drawn && w.__bench.store.getState().regions.length > lat.before) {
          // The box is on the layer canvas; count until the frame is done (first task after it).
          const ch = new MessageChannel();
          ch.port1.onmessage = () => (lat.drawn = performance.now());
          ch.port2.postMessage(0);
        }
      });
    });
    await page.mouse.move(x, y);
    await page.mouse.down();
    await page.mouse.move(x + 60, y + 40, { steps: 4 });
    await page.mouse.move(x + 120, y + 90, { steps: 4 });
    await page.mouse.up();
    await page.waitForFunction(() => (window as unknown as { __lat: { drawn: number } }).__lat.drawn > 0, null, { timeout: 5000 });
    out.push(
      await page.evaluate(() => {
        const l = (window as unknown as { __lat: { up: number; drawn: number } }).__lat;
        return l.drawn - l.up;
      }),
    );
  }
  return out;
}

async function screenshots(page: Page, base: string): Promise<string[]> {
  mkdirSync(artifacts, { recursive: true });
  const files: string[] = [];
  const shot = async (name: string) => {
    const file = path.join(artifacts, name);
    await page.screenshot({ path: file });
    files.push(path.relative(root, file));
  };
  await openScene(page, base, 'scene=mixed&n=40&lang=zh-CN');
  const box = await stageBox(page);
  // Select a box by clicking inside one, so handles and the selection panel show.
  const target = await page.evaluate(() => {
    const s = (
      window as unknown as {
        __bench: {
          store: {
            getState(): {
              regions: { id: string; type: string; x: number; y: number; w: number; h: number }[];
              viewport: { x: number; y: number; scale: number };
            };
          };
        };
      }
    ).__bench.store.getState();
    const b = s.regions.find((r) => r.type === 'bbox' && r.w > 120)!;
    return { x: (b.x + b.w / 2) * s.viewport.scale + s.viewport.x, y: (b.y + b.h / 2) * s.viewport.scale + s.viewport.y };
  });
  await page.mouse.click(box.x + target.x, box.y + target.y);
  await shot('editor-image-zh.png');
  await page.keyboard.press('Shift+Slash');
  await page.waitForTimeout(200);
  await shot('editor-cheatsheet-zh.png');
  await page.keyboard.press('Escape');
  // Drawing a polygon, half done.
  await page.keyboard.press('p');
  for (const [dx, dy] of [
    [-200, -150],
    [-40, -190],
    [60, -60],
  ] as const)
    await page.mouse.click(box.x + box.width / 2 + dx, box.y + box.height / 2 + dy);
  await page.mouse.move(box.x + box.width / 2 - 120, box.y + box.height / 2 + 20);
  await shot('editor-polygon-drawing-zh.png');
  await openScene(page, base, 'scene=mixed&n=40&lang=en');
  await page.mouse.click(box.x + target.x, box.y + target.y);
  await shot('editor-image-en.png');
  await openScene(page, base, 'scene=text&lang=zh-CN');
  const tag = page.locator('[data-testid="text-span"][data-span-id="s2"]');
  await tag.click();
  await shot('editor-text-zh.png');
  // A keyboard selection: caret to the start, then Shift+Right over "2024年".
  await page.getByTestId('text-content').focus();
  await page.keyboard.press('Home');
  for (let i = 0; i < 5; i++) await page.keyboard.press('Shift+ArrowRight');
  await shot('editor-text-selection-zh.png');
  await openScene(page, base, 'scene=text&lang=en');
  await shot('editor-text-en.png');
  return files;
}

async function main(): Promise<void> {
  await buildHarness();
  const { server, url } = await serve(outDir);
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  try {
    const page = await browser.newPage({ viewport: VIEWPORT, deviceScaleFactor: 1 });
    // tsx names arrow functions with a helper that does not exist in the page.
    await page.addInitScript('window.__name = (f) => f');
    page.on('pageerror', (e) => console.error(`[page error] ${e.message}`));

    let boxes = NONE;
    if (ONLY.has('boxes')) {
      await openScene(page, url, `scene=boxes&n=${process.env.BENCH_BOXES ?? 2000}`);
      boxes = await panAndZoom(page);
    }
    console.error(
      `2,000 boxes on 4,000×3,000: ${boxes.frames} frames, median ${boxes.median} ms, p95 ${boxes.p95} ms (draw ${boxes.drawMedian} ms; rAF interval median ${boxes.intervalMedian} ms, p95 ${boxes.intervalP95} ms)`,
    );

    let lat = [NaN];
    if (ONLY.has('latency')) {
      await openScene(page, url, 'scene=boxes&n=1000');
      lat = await newBoxLatency(page, 10);
    }
    console.error(`new box at 1,000 boxes: median ${r2(pct(lat, 50))} ms, max ${r2(Math.max(...lat))} ms (${lat.map(r2).join(', ')})`);

    let polys = NONE;
    if (ONLY.has('polygons')) {
      await openScene(page, url, 'scene=polygons&n=500&points=30');
      polys = await panAndZoom(page);
    }
    console.error(
      `500 polygons × 30 points: ${polys.frames} frames, median ${polys.median} ms, p95 ${polys.p95} ms (draw ${polys.drawMedian} ms; rAF interval median ${polys.intervalMedian} ms)`,
    );

    let large = NONE;
    if (ONLY.has('large')) {
      await openScene(page, url, 'scene=large&n=200');
      large = await panAndZoom(page);
    }
    console.error(
      `8,000×8,000 image, 200 boxes: ${large.frames} frames, median ${large.median} ms, p95 ${large.p95} ms (draw ${large.drawMedian} ms; rAF interval median ${large.intervalMedian} ms)`,
    );

    const shots = ONLY.has('screenshots') ? await screenshots(page, url) : [];
    console.error(`screenshots: ${shots.join(', ')}`);

    console.log(
      JSON.stringify({
        frame_median_ms: boxes.median,
        frame_p95_ms: boxes.p95,
        new_box_ms: r2(pct(lat, 50)),
        new_box_max_ms: r2(Math.max(...lat)),
        polygons_frame_median_ms: polys.median,
        polygons_frame_p95_ms: polys.p95,
        large_image_frame_median_ms: large.median,
        large_image_frame_p95_ms: large.p95,
        raf_interval_median_ms: boxes.intervalMedian,
        raf_interval_p95_ms: boxes.intervalP95,
        frames_measured: boxes.frames,
      }),
    );
  } finally {
    await browser.close();
    server.close();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
