/**
 * `npm run bench:canvas`: the image editor in headless Chromium on synthetic data.
 *
 *  1. 4,000 × 3,000 image with 2,000 boxes: frame times while panning (middle-drag) and zooming (wheel).
 *  2. The same image with 1,000 boxes: time from mouse-up to the new box being drawn.
 *  3. 500 polygons of 30 points: frame times while panning and zooming.
 *  4. 8,000 × 8,000 image with 200 boxes: frame times (large-image responsiveness).
 *
 * Pan and zoom scenes report what a user sees first: the distribution of real frame intervals
 * (requestAnimationFrame deltas, every frame counted: `frame_interval_p50_ms`, `_p95_ms`) and the long
 * tasks (> 50 ms) while panning and zooming; then, beside it, the main-thread cost of each frame that
 * drew something (first input event of the frame until the first task after the Konva draw). The view
 * stays centred (closed pan circles, symmetric zoom, fit between cycles); `cycles` and
 * `visible_regions_min` (the fewest boxes on screen at any sampled point) say how much was drawn.
 *
 * Page: the stand-alone harness (client/bench.html, canvas-harness.tsx) — the real AnnotationEditor
 * and its store, without the workspace page around it: no autosaver (drafts to IndexedDB and the
 * server), no save indicator, no lease keeper, so no server is needed. Those run after a change
 * (debounced), not per frame of a pan or zoom, which change no regions; the figure for editing is the
 * new-box time. The JSON says `page: "harness"`.
 * Also saves screenshots of the image and text editors to tests/artifacts/.
 * Ends with one JSON line.
 */
import { existsSync, mkdirSync, readFileSync, statSync, readdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Page } from 'playwright-core';
import { startRecording } from './results.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const clientDir = path.join(root, 'client');
const outDir = path.join(root, 'bench', 'out', 'canvas-harness');
const artifacts = path.join(root, 'tests', 'artifacts');
const VIEWPORT = { width: 1600, height: 1000 };
const INTERACT_MS = Number(process.env.BENCH_INTERACT_MS ?? 2500);
/** At least this many pan + zoom cycles per scene, however long they take on a loaded machine. */
const MIN_CYCLES = Number(process.env.BENCH_MIN_CYCLES ?? 3);
/** BENCH_ONLY=boxes,latency,polygons,large,screenshots runs a subset (the JSON line then has NaN for the rest). */
const ONLY = new Set((process.env.BENCH_ONLY ?? 'boxes,latency,polygons,large,screenshots').split(','));
const NONE: FrameStats = {
  frames: 0,
  median: NaN,
  p95: NaN,
  drawMedian: NaN,
  intervals: 0,
  intervalMedian: NaN,
  intervalP95: NaN,
  intervalP99: NaN,
  intervalMax: NaN,
  longTasks: 0,
  longTaskMs: NaN,
  longTaskMaxMs: NaN,
  cycles: 0,
  visibleMin: NaN,
};

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
  const st = { costs: [], intervals: [], draws: [], longTasks: [], running: true, frameStart: null, drawMs: 0 };
  try {
    st.observer = new PerformanceObserver((list) => { for (const e of list.getEntries()) st.longTasks.push(e.duration); });
    st.observer.observe({ type: 'longtask' });
  } catch {}
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
  /** Frames that drew something, and their main-thread cost (first input → first task after the draw). */
  frames: number;
  median: number;
  p95: number;
  drawMedian: number;
  /** requestAnimationFrame → requestAnimationFrame: the frame rate a user sees, all frames counted. */
  intervals: number;
  intervalMedian: number;
  intervalP95: number;
  intervalP99: number;
  intervalMax: number;
  /** Long tasks (> 50 ms on the main thread, PerformanceObserver 'longtask') while panning and zooming. */
  longTasks: number;
  longTaskMs: number;
  longTaskMaxMs: number;
  cycles: number;
  /** The fewest regions that were on screen at any sampled point (after each pan and at the deepest zoom). */
  visibleMin: number;
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

/** How many regions intersect the visible part of the stage now (boxes and polygons by their bounds). */
const VISIBLE_REGIONS = `(() => {
  const s = window.__bench.store.getState();
  const vp = s.viewport;
  const x0 = -vp.x / vp.scale, y0 = -vp.y / vp.scale;
  const x1 = x0 + s.stage.width / vp.scale, y1 = y0 + s.stage.height / vp.scale;
  let n = 0;
  for (const r of s.regions) {
    let b = null;
    if (r.type === 'bbox') b = [r.x, r.y, r.x + r.w, r.y + r.h];
    else if (r.points && r.points.length) {
      const xs = r.points.map((p) => p.x), ys = r.points.map((p) => p.y);
      b = [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)];
    }
    if (b && b[2] >= x0 && b[0] <= x1 && b[3] >= y0 && b[1] <= y1) n++;
  }
  return n;
})()`;

/**
 * Pan and zoom cycles for about INTERACT_MS (at least MIN_CYCLES). Each cycle: a middle-button drag around a circle that
 * ends where it started, six wheel notches in and six out around one point (the view comes back to
 * where it was), then F (fit) so the next cycle starts from the centred image — the view cannot drift
 * off the image and cull the boxes it is meant to draw.
 */
async function panAndZoom(page: Page): Promise<FrameStats> {
  const box = await stageBox(page);
  const cx = box.x + box.width / 2;
  const cy = box.y + box.height / 2;
  await page.evaluate(FRAME_PROBE);
  const end = Date.now() + INTERACT_MS;
  let phase = 0;
  let cycles = 0;
  const visible: number[] = [await page.evaluate<number>(VISIBLE_REGIONS)];
  while (Date.now() < end || cycles < MIN_CYCLES) {
    // Pan: a closed circle with the middle button (start = end = the stage centre).
    await page.mouse.move(cx, cy);
    await page.mouse.down({ button: 'middle' });
    for (let i = 1; i <= 30; i++) {
      const a = (i / 30) * Math.PI * 2;
      await page.mouse.move(cx + (Math.cos(a + phase) - Math.cos(phase)) * 160, cy + (Math.sin(a + phase) - Math.sin(phase)) * 110);
    }
    await page.mouse.up({ button: 'middle' });
    visible.push(await page.evaluate<number>(VISIBLE_REGIONS));
    // Zoom in then out around the same point, near the centre (it moves a little between cycles).
    const px = cx + Math.cos(phase) * 60;
    const py = cy + Math.sin(phase) * 40;
    await page.mouse.move(px, py);
    for (let i = 0; i < 6; i++) await page.mouse.wheel(0, -120);
    visible.push(await page.evaluate<number>(VISIBLE_REGIONS));
    for (let i = 0; i < 6; i++) await page.mouse.wheel(0, 120);
    await page.keyboard.press('f');
    phase += 0.7;
    cycles++;
  }
  const st = await page.evaluate(() => {
    const p = (
      window as unknown as {
        __probe: {
          costs: number[];
          intervals: number[];
          draws: number[];
          longTasks: number[];
          running: boolean;
          observer?: PerformanceObserver;
        };
      }
    ).__probe;
    p.running = false;
    p.observer?.disconnect();
    return { costs: p.costs, intervals: p.intervals, draws: p.draws, longTasks: p.longTasks };
  });
  return {
    frames: st.costs.length,
    median: r2(pct(st.costs, 50)),
    p95: r2(pct(st.costs, 95)),
    drawMedian: r2(pct(st.draws, 50)),
    intervals: st.intervals.length,
    intervalMedian: r2(pct(st.intervals, 50)),
    intervalP95: r2(pct(st.intervals, 95)),
    intervalP99: r2(pct(st.intervals, 99)),
    intervalMax: r2(Math.max(...st.intervals)),
    longTasks: st.longTasks.length,
    longTaskMs: r2(st.longTasks.reduce((a, b) => a + b, 0)),
    longTaskMaxMs: r2(st.longTasks.length ? Math.max(...st.longTasks) : 0),
    cycles,
    visibleMin: Math.min(...visible),
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
  const recording = startRecording('canvas');
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

    const scene = (name: string, f: FrameStats) =>
      `${name}: rAF interval p50 ${f.intervalMedian} ms, p95 ${f.intervalP95} ms, p99 ${f.intervalP99} ms, max ${f.intervalMax} ms ` +
      `(${f.intervals} frames); long tasks ${f.longTasks} (${f.longTaskMs} ms, max ${f.longTaskMaxMs} ms); ` +
      `main thread per drawn frame median ${f.median} ms, p95 ${f.p95} ms (${f.frames} drawn, Konva draw ${f.drawMedian} ms); ` +
      `${f.cycles} cycles, at least ${f.visibleMin} regions on screen`;
    const figures = (prefix: string, f: FrameStats) => ({
      [`${prefix}frame_interval_p50_ms`]: f.intervalMedian,
      [`${prefix}frame_interval_p95_ms`]: f.intervalP95,
      [`${prefix}frame_interval_p99_ms`]: f.intervalP99,
      [`${prefix}frame_interval_max_ms`]: f.intervalMax,
      [`${prefix}long_tasks`]: f.longTasks,
      [`${prefix}long_task_ms`]: f.longTaskMs,
      [`${prefix}main_thread_per_frame_p50_ms`]: f.median,
      [`${prefix}main_thread_per_frame_p95_ms`]: f.p95,
      [`${prefix}frames_drawn`]: f.frames,
      [`${prefix}cycles`]: f.cycles,
      [`${prefix}visible_regions_min`]: f.visibleMin,
    });

    const nBoxes = Number(process.env.BENCH_BOXES ?? 2000);
    let boxes = NONE;
    if (ONLY.has('boxes')) {
      await openScene(page, url, `scene=boxes&n=${nBoxes}`);
      boxes = await panAndZoom(page);
    }
    console.error(scene(`${nBoxes} boxes on 4,000×3,000`, boxes));

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
    console.error(scene('500 polygons × 30 points', polys));

    let large = NONE;
    if (ONLY.has('large')) {
      await openScene(page, url, 'scene=large&n=200');
      large = await panAndZoom(page);
    }
    console.error(scene('8,000×8,000 image, 200 boxes', large));

    const shots = ONLY.has('screenshots') ? await screenshots(page, url) : [];
    console.error(`screenshots: ${shots.join(', ')}`);

    const result = {
      page: 'harness',
      boxes: nBoxes,
      ...figures('', boxes),
      new_box_ms: r2(pct(lat, 50)),
      new_box_max_ms: r2(Math.max(...lat)),
      ...figures('polygons_', polys),
      ...figures('large_image_', large),
    };
    console.error(`raw figures in ${recording.write({ ...result, interact_ms: INTERACT_MS, new_box_samples_ms: lat.map(r2) })}`);
    console.log(JSON.stringify(result));
  } finally {
    await browser.close();
    server.close();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
