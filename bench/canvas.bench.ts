/**
 * `npm run bench:canvas`: the annotator's real workspace page in headless Chromium — served by the
 * real server (built client, a server and a workers process on Redis + FerretDB of the bench's own),
 * a real image project, a signed-in annotator holding the lease of an item whose draft (saved through
 * the API, as the workspace saves it) holds the regions. Everything the page runs is in the figures:
 * the store, the autosaver (drafts to IndexedDB and the server), the save indicator, the lease keeper,
 * the region list. Input is real mouse and wheel input (playwright-core).
 *
 *  1. 4,000 × 3,000 image with 2,000 boxes: frame times while panning (middle-drag) and zooming (wheel).
 *  2. The same image with 1,000 boxes: time from mouse-up to the new box being drawn (this also starts
 *     the autosaver's save and the save indicator).
 *  3. 500 polygons of 30 points: frame times while panning and zooming.
 *  4. 8,000 × 8,000 image with 200 boxes: frame times (large-image responsiveness).
 *  5. 8,000 × 8,000 image with 50,000 boxes in clusters (cell nuclei on a slide): frame times, with a
 *     pan at the deepest zoom in every cycle long enough to leave the cached bitmap of the scene (those
 *     frames draw the regions afresh, through the spatial index), reported apart as `_zoomed_pan_`;
 *     then the time to draw a new box at 50,000.
 *  6. 8,000 × 8,000 image with 5,000 polygons of 30 points (objects on a satellite scene): the same.
 *
 * Pan and zoom scenes report what a user sees first: the distribution of real frame intervals
 * (requestAnimationFrame deltas, every frame counted: `frame_interval_p50_ms`, `_p95_ms`) and the long
 * tasks (> 50 ms) while panning and zooming; then, beside it, the main-thread cost of each frame that
 * drew something (first input event of the frame until the first task after the Konva draw). The view
 * stays centred (closed pan circles, symmetric zoom around one point, fit between cycles); `cycles` and
 * `visible_regions_min` (the fewest regions on screen at any sampled point, from the regions' geometry
 * and the view the input produced) say how much was drawn.
 * Ends with one JSON line; raw figures in bench/results/canvas.json (bench/results.ts).
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { seededRandom } from '@labelwork/core';
import { repoRoot } from '../scripts/services.ts';
import { wheelFactor } from '../client/src/editor/viewport.ts';
import { ApiClient } from '../tests/support/api-client.ts';
import { launchBrowser, signIn } from '../tests/support/browser.ts';
import { stageView, fitView } from '../tests/support/editor-driver.ts';
import { imageSchema } from '../tests/support/fixtures.ts';
import { createUser, setUpProject } from '../tests/support/project-setup.ts';
import { streetScene } from '../tests/support/scene-image.ts';
import { startRecording } from './results.ts';
import { ADMIN_PASSWORD, pct, r2, startBenchApp, type BenchApp } from './workspace-app.ts';

const VIEWPORT = { width: 1600, height: 1000 };
const INTERACT_MS = Number(process.env.BENCH_INTERACT_MS ?? 2500);
/** At least this many pan + zoom cycles per scene, however long they take on a loaded machine. */
const MIN_CYCLES = Number(process.env.BENCH_MIN_CYCLES ?? 3);
/** BENCH_ONLY=boxes,latency,polygons,large,boxes50k,polygons5k runs a subset (the JSON line then has NaN for the rest). */
const ONLY = new Set((process.env.BENCH_ONLY ?? 'boxes,latency,polygons,large,boxes50k,polygons5k').split(','));
/** Sizes of the dense scenes (smaller for a quick run; the figures are meant at the defaults). */
const DENSE_BOXES = Number(process.env.BENCH_DENSE_BOXES ?? 50_000);
const DENSE_POLYGONS = Number(process.env.BENCH_DENSE_POLYGONS ?? 5_000);
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
  zoomedPan: { intervals: 0, intervalMedian: NaN, intervalP95: NaN, intervalMax: NaN, visibleMin: NaN },
};

// ── Scenes: regions as a model or an earlier session would leave them ─────────────────────

interface Size {
  width: number;
  height: number;
}
type BoxRegion = { id: string; type: 'bbox'; label: string; x: number; y: number; w: number; h: number };
type PolygonRegion = { id: string; type: 'polygon'; label: string; points: { x: number; y: number }[] };
type SceneRegion = BoxRegion | PolygonRegion;

function boxes(n: number, img: Size, seed = 1): BoxRegion[] {
  const r = seededRandom(seed);
  return Array.from({ length: n }, (_, i) => {
    const w = 20 + r() * 180;
    const h = 20 + r() * 140;
    const label = i % 2 ? 'pedestrian' : 'car';
    return { id: `b${i}`, type: 'bbox', label, x: r() * (img.width - w), y: r() * (img.height - h), w, h };
  });
}

function polygons(n: number, points: number, img: Size, seed = 2): PolygonRegion[] {
  const r = seededRandom(seed);
  return Array.from({ length: n }, (_, i) => {
    const cx = 150 + r() * (img.width - 300);
    const cy = 150 + r() * (img.height - 300);
    const rad = 40 + r() * 100;
    return {
      id: `p${i}`,
      type: 'polygon',
      label: 'road',
      points: Array.from({ length: points }, (_, k) => {
        const a = (k / points) * Math.PI * 2;
        const rr = rad * (0.7 + r() * 0.3);
        return { x: cx + Math.cos(a) * rr, y: cy + Math.sin(a) * rr };
      }),
    };
  });
}

const round2 = (v: number) => Math.round(v * 100) / 100;

/** Boxes like cell nuclei on a slide: 10–36 px, in clusters of a few hundred spread over the image. */
function nuclei(n: number, img: Size, seed = 5): BoxRegion[] {
  const r = seededRandom(seed);
  const clusters = Array.from({ length: Math.max(1, Math.round(n / 250)) }, () => ({
    x: 200 + r() * (img.width - 400),
    y: 200 + r() * (img.height - 400),
    spread: 80 + r() * 260,
  }));
  return Array.from({ length: n }, (_, i) => {
    const c = clusters[i % clusters.length]!;
    // Roughly normal around the cluster's centre (sum of three uniforms).
    const dx = (r() + r() + r() - 1.5) * c.spread;
    const dy = (r() + r() + r() - 1.5) * c.spread;
    const w = 10 + r() * 26;
    const h = w * (0.7 + r() * 0.6);
    const x = Math.min(img.width - w, Math.max(0, c.x + dx));
    const y = Math.min(img.height - h, Math.max(0, c.y + dy));
    return { id: `n${i}`, type: 'bbox', label: i % 7 ? 'pedestrian' : 'car', x: round2(x), y: round2(y), w: round2(w), h: round2(h) };
  });
}

/** Star-convex outlines of 30 points, 15–60 px across, spread over the image (objects on a satellite scene). */
function smallPolygons(n: number, points: number, img: Size, seed = 6): PolygonRegion[] {
  const r = seededRandom(seed);
  return Array.from({ length: n }, (_, i) => {
    const rad = 8 + r() * 22;
    const cx = rad + r() * (img.width - 2 * rad);
    const cy = rad + r() * (img.height - 2 * rad);
    return {
      id: `q${i}`,
      type: 'polygon',
      label: 'road',
      points: Array.from({ length: points }, (_, k) => {
        const a = (k / points) * Math.PI * 2;
        const rr = rad * (0.75 + r() * 0.25);
        return { x: round2(cx + Math.cos(a) * rr), y: round2(cy + Math.sin(a) * rr) };
      }),
    };
  });
}

const boundsOf = (g: SceneRegion): [number, number, number, number] => {
  if (g.type === 'bbox') return [g.x, g.y, g.x + g.w, g.y + g.h];
  const xs = g.points.map((p) => p.x);
  const ys = g.points.map((p) => p.y);
  return [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)];
};

/** How many regions intersect the stage for a view (offset x, y and scale, stage-local), in image pixels. */
function visibleRegions(regions: readonly SceneRegion[], view: { x: number; y: number; scale: number }, stage: Size): number {
  const x0 = -view.x / view.scale;
  const y0 = -view.y / view.scale;
  const x1 = x0 + stage.width / view.scale;
  const y1 = y0 + stage.height / view.scale;
  let n = 0;
  for (const g of regions) {
    const b = boundsOf(g);
    if (b[2] >= x0 && b[0] <= x1 && b[3] >= y0 && b[1] <= y1) n++;
  }
  return n;
}

// ── In-page probes ────────────────────────────────────────────────────────────────────
// Written as strings: they run in the page, not in Node.

const FRAME_PROBE = `(() => {
  const st = { costs: [], intervals: [], zoomed: [], zoomedOn: false, draws: [], longTasks: [], running: true, frameStart: null, drawMs: 0 };
  try {
    st.observer = new PerformanceObserver((list) => { for (const e of list.getEntries()) st.longTasks.push(e.duration); });
    st.observer.observe({ type: 'longtask' });
  } catch {}
  const mark = () => { if (st.frameStart === null) st.frameStart = performance.now(); };
  for (const t of ['pointermove', 'pointerdown', 'pointerup', 'wheel', 'keydown']) window.addEventListener(t, mark, { capture: true, passive: true });
  const host = document.querySelector('[data-testid=editor-stage]');
  const stage = window.Konva.stages.find((s) => host && host.contains(s.container()));
  for (const layer of stage.getLayers()) {
    let t0 = 0;
    layer.on('beforeDraw', () => { t0 = performance.now(); });
    layer.on('draw', () => { st.drawMs += performance.now() - t0; });
  }
  let last;
  const loop = (now) => {
    if (!st.running) return;
    if (last !== undefined) {
      st.intervals.push(now - last);
      if (st.zoomedOn) st.zoomed.push(now - last);
    }
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
  /** Frames while panning at the deepest zoom, beyond the cached bitmap (scenes run with `zoomedPan`). */
  zoomedPan: { intervals: number; intervalMedian: number; intervalP95: number; intervalMax: number; visibleMin: number };
}

/**
 * A project with one image, put up; the annotator takes its task and saves `regions` as the
 * draft (PUT /api/tasks/:leaseId/draft, as the workspace's autosaver does). Opening the workspace
 * then resumes that lease with the draft.
 */
async function sceneProject(app: BenchApp, anno: { id: string; client: ApiClient }, name: string, image: Size, regions: SceneRegion[]) {
  const lead = new ApiClient(app.url);
  await lead.login('admin', ADMIN_PASSWORD);
  const projectId = await setUpProject(lead, {
    name,
    kind: 'image',
    labelSchema: imageSchema,
    members: [anno.id],
    minLevel: 'L5',
    images: [{ name: `${name}.png`, data: await streetScene(image.width, image.height), type: 'image/png' }],
    queue: 1,
  });
  const next = await anno.client.post(`/api/projects/${projectId}/tasks/next`);
  if (next.status !== 200) throw new Error(`next: ${next.status} ${JSON.stringify(next.body)}`);
  const draft = await anno.client.put(`/api/tasks/${next.body.task.leaseId}/draft`, { regions });
  if (draft.status !== 200) throw new Error(`draft: ${draft.status} ${JSON.stringify(draft.body).slice(0, 500)}`);
  return projectId;
}

const regionCount = async (page: Page) => Number(/\d+/.exec((await page.getByTestId('region-count').textContent()) ?? '')?.[0] ?? NaN);

/** Opens the workspace on the project's task and waits until the regions are on the stage. */
async function openWorkspace(page: Page, projectId: string, n: number): Promise<void> {
  await page.goto(`/projects/${projectId}/work`);
  await page.locator('[data-testid=workspace][data-phase=working]').waitFor({ timeout: 60_000 });
  // Images over IMAGE_TILES_MIN_SIDE (the 8,000² scenes) show the stage once the workers have cut their
  // tile pyramid; builds queue behind each other on the export queue (one of three quiet runs waited > 30 s).
  await page.getByTestId('editor-stage').waitFor({ timeout: 180_000 });
  const deadline = Date.now() + 60_000;
  while ((await regionCount(page)) !== n) {
    if (Date.now() > deadline) throw new Error(`the workspace shows ${await regionCount(page)} regions, not ${n}`);
    await page.waitForTimeout(100);
  }
  await page.waitForFunction(
    () => {
      const host = document.querySelector('[data-testid=editor-stage]');
      const k = (window as unknown as { Konva?: { stages: { container(): Element }[] } }).Konva;
      return !!host && !!k?.stages.some((s) => host.contains(s.container()));
    },
    null,
    { timeout: 30_000 },
  );
  await fitView(page);
  // Let the first frames (image levels, regions) draw.
  await page.waitForTimeout(600);
}

/** Screenshots of a scene fitted and six wheel notches in (bench/out/canvas-<name>-{fit,zoomed}.png), to look at. */
async function sceneShots(page: Page, name: string): Promise<void> {
  const box = await stageBox(page);
  await page.screenshot({ path: path.join(repoRoot, 'bench', 'out', `canvas-${name}-fit.png`) });
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  for (let i = 0; i < 6; i++) await page.mouse.wheel(0, -120);
  await page.waitForTimeout(400);
  await page.screenshot({ path: path.join(repoRoot, 'bench', 'out', `canvas-${name}-zoomed.png`) });
  await fitView(page);
  await page.waitForTimeout(400);
}

async function stageBox(page: Page) {
  const box = await page.getByTestId('editor-stage').boundingBox();
  if (!box) throw new Error('no stage');
  return box;
}

/**
 * Pan and zoom cycles for about INTERACT_MS (at least MIN_CYCLES). Each cycle: a middle-button drag around a circle that
 * ends where it started, six wheel notches in and six out around one point (the view comes back to
 * where it was), then F (fit) so the next cycle starts from the centred image — the view cannot drift
 * off the image and cull the regions it is meant to draw. The regions on screen are counted from
 * their geometry and the view the input gives: the fitted view after each closed pan circle, and
 * at the deepest zoom the fitted view scaled by six wheel notches around the pointer.
 */
async function panAndZoom(page: Page, image: Size, regions: readonly SceneRegion[], zoomedPan = false): Promise<FrameStats> {
  const box = await stageBox(page);
  const cx = box.x + box.width / 2;
  const cy = box.y + box.height / 2;
  const fitted = await stageView(page, image);
  const stage = { width: 2 * fitted.x + image.width * fitted.scale, height: 2 * fitted.y + image.height * fitted.scale };
  const zoomed = (px: number, py: number) => {
    const f = wheelFactor(-120) ** 6;
    const lx = px - fitted.left;
    const ly = py - fitted.top;
    return { scale: fitted.scale * f, x: lx - (lx - fitted.x) * f, y: ly - (ly - fitted.y) * f };
  };
  await page.evaluate(FRAME_PROBE);
  const end = Date.now() + INTERACT_MS;
  let phase = 0;
  let cycles = 0;
  const visible: number[] = [visibleRegions(regions, fitted, stage)];
  const visibleZoomed: number[] = [];
  const setZoomed = (on: boolean) =>
    page.evaluate((v) => ((window as unknown as { __probe: { zoomedOn: boolean } }).__probe.zoomedOn = v), on);
  while (Date.now() < end || cycles < MIN_CYCLES) {
    // Pan: a closed circle with the middle button (start = end = the stage centre).
    await page.mouse.move(cx, cy);
    await page.mouse.down({ button: 'middle' });
    for (let i = 1; i <= 30; i++) {
      const a = (i / 30) * Math.PI * 2;
      await page.mouse.move(cx + (Math.cos(a + phase) - Math.cos(phase)) * 160, cy + (Math.sin(a + phase) - Math.sin(phase)) * 110);
    }
    await page.mouse.up({ button: 'middle' });
    visible.push(visibleRegions(regions, fitted, stage));
    // Zoom in then out around the same point, near the centre (it moves a little between cycles).
    const px = Math.round(cx + Math.cos(phase) * 60);
    const py = Math.round(cy + Math.sin(phase) * 40);
    await page.mouse.move(px, py);
    for (let i = 0; i < 6; i++) await page.mouse.wheel(0, -120);
    const deep = zoomed(px, py);
    visible.push(visibleRegions(regions, deep, stage));
    if (zoomedPan) {
      // At the deepest zoom, a drag of 0.6 stage widths (more than the bitmap's margin of 0.35) and back,
      // then the same up and down: the regions coming into view are drawn afresh.
      await setZoomed(true);
      const legs: [number, number][] = [
        [-0.6 * stage.width, 0],
        [0, -0.6 * stage.height],
      ];
      for (const [lx, ly] of legs) {
        await page.mouse.down({ button: 'middle' });
        for (let i = 1; i <= 24; i++) await page.mouse.move(px + (lx * i) / 24, py + (ly * i) / 24);
        visibleZoomed.push(visibleRegions(regions, { ...deep, x: deep.x + lx, y: deep.y + ly }, stage));
        for (let i = 23; i >= 0; i--) await page.mouse.move(px + (lx * i) / 24, py + (ly * i) / 24);
        await page.mouse.up({ button: 'middle' });
      }
      await setZoomed(false);
    }
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
          zoomed: number[];
          draws: number[];
          longTasks: number[];
          running: boolean;
          observer?: PerformanceObserver;
        };
      }
    ).__probe;
    p.running = false;
    p.observer?.disconnect();
    return { costs: p.costs, intervals: p.intervals, zoomed: p.zoomed, draws: p.draws, longTasks: p.longTasks };
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
    zoomedPan: {
      intervals: st.zoomed.length,
      intervalMedian: r2(pct(st.zoomed, 50)),
      intervalP95: r2(pct(st.zoomed, 95)),
      intervalMax: st.zoomed.length ? r2(Math.max(...st.zoomed)) : NaN,
      visibleMin: visibleZoomed.length ? Math.min(...visibleZoomed) : NaN,
    },
  };
}

/**
 * Draws `count` boxes with the mouse; for each, time from the mouse-up event to the end of the
 * frame that shows it: the first draw of the regions layer after the mouse-up (it redraws only when
 * regions change), closed by the first task after that draw; the region list must then count it.
 */
async function newBoxLatency(page: Page, count: number, image?: Size): Promise<number[]> {
  const stage = await stageBox(page);
  // On an image narrower than the stage, start over the image, not beside it.
  const fitted = image ? await stageView(page, image) : null;
  const box = fitted ? { x: fitted.left + fitted.x + 20 - 120, y: fitted.top + fitted.y + 20 - 120 } : stage;
  await page.getByTestId('tool-bbox').click();
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    const x = box.x + 120 + (i % 5) * 180;
    const y = box.y + 120 + Math.floor(i / 5) * 160;
    const before = await regionCount(page);
    await page.evaluate(() => {
      const host = document.querySelector('[data-testid=editor-stage]')!;
      const w = window as unknown as {
        __lat: { up: number; drawn: number };
        Konva: { stages: { container(): Element; getLayers(): { on(e: string, f: () => void): void; off(e: string): void }[] }[] };
      };
      const lat = { up: 0, drawn: 0 };
      w.__lat = lat;
      window.addEventListener('pointerup', (e) => (lat.up = e.timeStamp), { capture: true, once: true });
      const regionsLayer = w.Konva.stages.find((s) => host.contains(s.container()))!.getLayers()[0]!;
      regionsLayer.off('draw.lat');
      regionsLayer.on('draw.lat', () => {
        // The regions layer redraws only when regions change (or the view moves, which it does not
        // here): its first draw after the mouse-up is the one that shows the new box.
        if (lat.up && !lat.drawn) {
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
    await page
      .waitForFunction(() => (window as unknown as { __lat: { drawn: number } }).__lat.drawn > 0, null, { timeout: 10_000 })
      .catch(async (e: unknown) => {
        await page.screenshot({ path: path.join(repoRoot, 'bench', 'out', 'canvas-new-box-timeout.png') });
        throw new Error(`the new box was not drawn (regions ${before} → ${await regionCount(page)}): ${String(e)}`);
      });
    for (let t = 0; (await regionCount(page)) !== before + 1; t++) {
      if (t > 50) throw new Error(`the box was not added (${before} → ${await regionCount(page)})`);
      await page.waitForTimeout(50);
    }
    out.push(
      await page.evaluate(() => {
        const l = (window as unknown as { __lat: { up: number; drawn: number } }).__lat;
        return l.drawn - l.up;
      }),
    );
  }
  return out;
}

/** Starts the Chrome DevTools CPU profiler on the page (fine sampling); `stop` writes the profile. */
async function startProfile(page: Page): Promise<{ stop(file: string): Promise<string> }> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 100 });
  await cdp.send('Profiler.start');
  return {
    async stop(file) {
      const { profile } = await cdp.send('Profiler.stop');
      const out = path.resolve(file);
      writeFileSync(out, JSON.stringify(profile));
      await cdp.detach();
      return out;
    },
  };
}

async function main(): Promise<void> {
  const recording = startRecording('canvas');
  // Set-up is not measured: an 8,000² import may take longer than the default 20 s to decode on a busy machine.
  const app = await startBenchApp('canvas', { IMAGE_DECODE_TIMEOUT_MS: '180000' });
  let browser: Browser | null = null;
  try {
    const anno = { name: 'bench-annotator', id: '' };
    anno.id = await createUser(app.admin, { name: anno.name, role: 'annotator', level: 'L4', lang: 'en' });
    const annoApi = new ApiClient(app.url);
    const login = await annoApi.login(anno.name, `${anno.name}-password`);
    if (login.status !== 200) throw new Error(`login: ${login.status}`);
    const annotator = { id: anno.id, client: annoApi };

    const nBoxes = Number(process.env.BENCH_BOXES ?? 2000);
    const IMG = { width: 4000, height: 3000 };
    const LARGE = { width: 8000, height: 8000 };
    const scenes = {
      boxes: ONLY.has('boxes') ? boxes(nBoxes, IMG) : [],
      latency: ONLY.has('latency') ? boxes(1000, IMG, 3) : [],
      polygons: ONLY.has('polygons') ? polygons(500, 30, IMG) : [],
      large: ONLY.has('large') ? boxes(200, LARGE, 4) : [],
      boxes50k: ONLY.has('boxes50k') ? nuclei(DENSE_BOXES, LARGE) : [],
      polygons5k: ONLY.has('polygons5k') ? smallPolygons(DENSE_POLYGONS, 30, LARGE) : [],
    };
    const imageOf = (name: string) => (name === 'large' || name === 'boxes50k' || name === 'polygons5k' ? LARGE : IMG);
    const projects: Record<string, string> = {};
    for (const [name, regions] of Object.entries(scenes)) {
      if (!regions.length) continue;
      console.error(`setting up ${name}: ${regions.length} regions…`);
      projects[name] = await sceneProject(app, annotator, `bench-${name}`, imageOf(name), regions);
    }

    browser = await launchBrowser();
    const context = await browser.newContext({ baseURL: app.url, locale: 'en-US', viewport: VIEWPORT, deviceScaleFactor: 1 });
    const page = await context.newPage();
    // tsx names arrow functions with a helper that does not exist in the page.
    await page.addInitScript('window.__name = (f) => f');
    page.on('pageerror', (e) => console.error(`[page error] ${e.message}`));
    await signIn(page, anno.name, `${anno.name}-password`);

    const scene = (name: string, f: FrameStats) =>
      `${name}: rAF interval p50 ${f.intervalMedian} ms, p95 ${f.intervalP95} ms, p99 ${f.intervalP99} ms, max ${f.intervalMax} ms ` +
      `(${f.intervals} frames); long tasks ${f.longTasks} (${f.longTaskMs} ms, max ${f.longTaskMaxMs} ms); ` +
      `main thread per drawn frame median ${f.median} ms, p95 ${f.p95} ms (${f.frames} drawn, Konva draw ${f.drawMedian} ms); ` +
      `${f.cycles} cycles, at least ${f.visibleMin} regions on screen` +
      (f.zoomedPan.intervals
        ? `; zoomed-in pan beyond the cached bitmap: p50 ${f.zoomedPan.intervalMedian} ms, p95 ${f.zoomedPan.intervalP95} ms, ` +
          `max ${f.zoomedPan.intervalMax} ms (${f.zoomedPan.intervals} frames, at least ${f.zoomedPan.visibleMin} regions on screen)`
        : '');
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
    const zoomedFigures = (prefix: string, f: FrameStats) => ({
      [`${prefix}zoomed_pan_frame_interval_p50_ms`]: f.zoomedPan.intervalMedian,
      [`${prefix}zoomed_pan_frame_interval_p95_ms`]: f.zoomedPan.intervalP95,
      [`${prefix}zoomed_pan_frame_interval_max_ms`]: f.zoomedPan.intervalMax,
      [`${prefix}zoomed_pan_frames`]: f.zoomedPan.intervals,
      [`${prefix}zoomed_pan_visible_regions_min`]: f.zoomedPan.visibleMin,
    });

    let boxStats = NONE;
    if (projects.boxes) {
      await openWorkspace(page, projects.boxes, scenes.boxes.length);
      boxStats = await panAndZoom(page, IMG, scenes.boxes);
    }
    console.error(scene(`${nBoxes} boxes on 4,000×3,000`, boxStats));

    let lat = [NaN];
    if (projects.latency) {
      await openWorkspace(page, projects.latency, scenes.latency.length);
      lat = await newBoxLatency(page, 10);
    }
    console.error(`new box at 1,000 boxes: median ${r2(pct(lat, 50))} ms, max ${r2(Math.max(...lat))} ms (${lat.map(r2).join(', ')})`);

    let polys = NONE;
    if (projects.polygons) {
      await openWorkspace(page, projects.polygons, scenes.polygons.length);
      polys = await panAndZoom(page, IMG, scenes.polygons);
    }
    console.error(scene('500 polygons × 30 points', polys));

    let large = NONE;
    if (projects.large) {
      await openWorkspace(page, projects.large, scenes.large.length);
      large = await panAndZoom(page, LARGE, scenes.large);
    }
    console.error(scene('8,000×8,000 image, 200 boxes', large));

    let dense = NONE;
    let denseLat = [NaN];
    if (projects.boxes50k) {
      await openWorkspace(page, projects.boxes50k, scenes.boxes50k.length);
      await sceneShots(page, 'boxes-50k');
      dense = await panAndZoom(page, LARGE, scenes.boxes50k, true);
      await fitView(page);
      await page.waitForTimeout(600);
      // BENCH_PROFILE=<file.cpuprofile>: a CPU profile of the page while the boxes are drawn (open it in DevTools).
      const profile = process.env.BENCH_PROFILE ? await startProfile(page) : null;
      denseLat = await newBoxLatency(page, 5, LARGE);
      if (profile) console.error(`CPU profile of the new boxes in ${await profile.stop(process.env.BENCH_PROFILE!)}`);
      // The next page sends the device's outbox first: let the 50,000-box draft reach the server here.
      await page.locator('[data-testid=save-indicator][data-state=saved]').waitFor({ timeout: 120_000 });
    }
    console.error(scene(`8,000×8,000 image, ${DENSE_BOXES} boxes`, dense));
    console.error(
      `new box at ${DENSE_BOXES} boxes: median ${r2(pct(denseLat, 50))} ms, max ${r2(Math.max(...denseLat))} ms (${denseLat.map(r2).join(', ')})`,
    );

    let densePolys = NONE;
    if (projects.polygons5k) {
      await openWorkspace(page, projects.polygons5k, scenes.polygons5k.length);
      await sceneShots(page, 'polygons-5k');
      densePolys = await panAndZoom(page, LARGE, scenes.polygons5k, true);
    }
    console.error(scene(`8,000×8,000 image, ${DENSE_POLYGONS} polygons × 30 points`, densePolys));

    const result = {
      page: 'workspace',
      boxes: nBoxes,
      ...figures('', boxStats),
      new_box_ms: r2(pct(lat, 50)),
      new_box_max_ms: r2(Math.max(...lat)),
      ...figures('polygons_', polys),
      ...figures('large_image_', large),
      boxes_50k_boxes: scenes.boxes50k.length || DENSE_BOXES,
      ...figures('boxes_50k_', dense),
      ...zoomedFigures('boxes_50k_', dense),
      boxes_50k_new_box_ms: r2(pct(denseLat, 50)),
      boxes_50k_new_box_max_ms: r2(Math.max(...denseLat)),
      polygons_5k_polygons: scenes.polygons5k.length || DENSE_POLYGONS,
      ...figures('polygons_5k_', densePolys),
      ...zoomedFigures('polygons_5k_', densePolys),
    };
    console.error(
      `raw figures in ${recording.write({
        ...result,
        interact_ms: INTERACT_MS,
        new_box_samples_ms: lat.map(r2),
        boxes_50k_new_box_samples_ms: denseLat.map(r2),
      })}`,
    );
    console.log(JSON.stringify(result));
  } finally {
    await browser?.close();
    await Promise.all(app.procs.map((p) => p.stop()));
    await app.stopServices();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
