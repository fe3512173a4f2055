/**
 * Agreement benchmark (`npm run bench:agreement`). Generates seeded data sets, times core's
 * coefficients (the median of a few runs — the best run is kept beside it in the raw figures — from
 * raw JS arrays, encoding included) and, when Python's `krippendorff` package is importable, runs the
 * same alpha inputs through it (its best of two: the speed-up is not flattered) and checks that the
 * values agree to 1e-9. Ends with one JSON line of figures; raw figures, with the machine and load
 * averages, go to bench/results/agreement.json.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRecording } from './results.ts';
import {
  fleissKappa,
  krippendorffAlpha,
  matchBoxes,
  meanPairwiseF1,
  seededRandom,
  type AlphaLevel,
  type RandomSource,
} from '../core/src/metrics/index.ts';

type Ratings = (number | null)[][];
const MB = 1024 * 1024;

/** Runs `f` `runs` times: `seconds` is the median run, `best` the fastest, `samples` all of them. */
function timed<T>(runs: number, f: () => T): { seconds: number; best: number; samples: number[]; result: T } {
  const samples: number[] = [];
  let result!: T;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    result = f();
    samples.push((performance.now() - t0) / 1000);
  }
  const sorted = [...samples].sort((a, b) => a - b);
  return { seconds: sorted[Math.floor(sorted.length / 2)]!, best: sorted[0]!, samples, result };
}

const peakRssMb = () => process.resourceUsage().maxRSS / 1024;
const heapMb = () => process.memoryUsage().heapUsed / MB;

/** Each coder gives the unit's true category with probability 0.8, else a uniform one; `missing` share of null. */
function categorical(random: RandomSource, coders: number, units: number, categories: number, missing: number): Ratings {
  const truth = new Int32Array(units);
  for (let u = 0; u < units; u++) truth[u] = Math.floor(random() * categories);
  return Array.from({ length: coders }, () => {
    const row = new Array<number | null>(units);
    for (let u = 0; u < units; u++)
      row[u] = random() < missing ? null : random() < 0.8 ? (truth[u] as number) : Math.floor(random() * categories);
    return row;
  });
}

/** Interval values on a grid of `distinct` steps of 0.1, coders scattering around a true value. */
function interval(random: RandomSource, coders: number, units: number, distinct: number, missing: number): Ratings {
  const truth = new Float64Array(units);
  for (let u = 0; u < units; u++) truth[u] = Math.floor(random() * distinct);
  return Array.from({ length: coders }, () => {
    const row = new Array<number | null>(units);
    for (let u = 0; u < units; u++) {
      if (random() < missing) row[u] = null;
      else {
        const step = Math.min(distinct - 1, Math.max(0, (truth[u] as number) + Math.round((random() - 0.5) * distinct * 0.2)));
        row[u] = step / 10;
      }
    }
    return row;
  });
}

interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
  label: string;
}

/** Per image: 50 objects in 5 labels; each annotator jitters them, misses 5 % and adds 5 % spurious boxes. */
function boxImages(random: RandomSource, images: number, annotators: number, objects: number): Box[][][] {
  const labels = ['car', 'person', 'bike', 'bus', 'sign'];
  const out: Box[][][] = [];
  for (let i = 0; i < images; i++) {
    const truth: Box[] = Array.from({ length: objects }, () => ({
      x: random() * 900,
      y: random() * 900,
      w: 20 + random() * 100,
      h: 20 + random() * 100,
      label: labels[Math.floor(random() * labels.length)] as string,
    }));
    out.push(
      Array.from({ length: annotators }, () => {
        const boxes: Box[] = [];
        for (const t of truth) {
          if (random() < 0.05) {
            boxes.push({ x: random() * 900, y: random() * 900, w: 20 + random() * 100, h: 20 + random() * 100, label: t.label });
            continue;
          }
          const j = () => (random() - 0.5) * 0.1;
          boxes.push({ x: t.x + j() * t.w, y: t.y + j() * t.h, w: t.w * (1 + j()), h: t.h * (1 + j()), label: t.label });
        }
        return boxes;
      }),
    );
  }
  return out;
}

/** Writes coder × unit ratings as a float64 .npy file (NaN = missing) for numpy.load. */
function writeNpy(path: string, data: Ratings): void {
  const rows = data.length;
  const cols = data[0]?.length ?? 0;
  let header = `{'descr': '<f8', 'fortran_order': False, 'shape': (${rows}, ${cols}), }`;
  const total = 10 + header.length + 1;
  header += ' '.repeat((64 - (total % 64)) % 64) + '\n';
  const head = Buffer.alloc(10 + header.length);
  head.write('\x93NUMPY', 0, 'latin1');
  head.writeUInt8(1, 6);
  head.writeUInt8(0, 7);
  head.writeUInt16LE(header.length, 8);
  head.write(header, 10, 'latin1');
  const body = new Float64Array(rows * cols);
  data.forEach((row, c) => row.forEach((v, u) => (body[c * cols + u] = v === null ? Number.NaN : v)));
  writeFileSync(path, Buffer.concat([head, Buffer.from(body.buffer)]));
}

const PYTHON_TIMER = `
import json, sys, time
import numpy as np
import krippendorff
data = np.load(sys.argv[1])
level = sys.argv[2]
runs = int(sys.argv[3])
best = float('inf')
value = None
for _ in range(runs):
    t0 = time.perf_counter()
    value = float(krippendorff.alpha(reliability_data=data, level_of_measurement=level))
    best = min(best, time.perf_counter() - t0)
print(json.dumps({"value": value, "seconds": best}))
`;

function pythonAvailable(): boolean {
  return spawnSync('python3', ['-c', 'import krippendorff, numpy'], { stdio: 'ignore' }).status === 0;
}

function pythonAlpha(dir: string, name: string, data: Ratings, level: AlphaLevel, runs: number): { value: number; seconds: number } | null {
  const path = join(dir, `${name}.npy`);
  writeNpy(path, data);
  const r = spawnSync('python3', ['-c', PYTHON_TIMER, path, level, String(runs)], { encoding: 'utf8', maxBuffer: 16 * MB });
  rmSync(path, { force: true });
  if (r.status !== 0) {
    console.log(`  python krippendorff failed on ${name}: ${r.stderr.trim().split('\n').pop() ?? ''}`);
    return null;
  }
  return JSON.parse(r.stdout.trim()) as { value: number; seconds: number };
}

const fmt = (s: number) => `${(s * 1000).toFixed(1)} ms`;

function main(): void {
  const recording = startRecording('agreement');
  const random = seededRandom(20240601);
  console.log(`node ${process.version}, ${process.platform}/${process.arch}`);

  // 1. Nominal alpha and Fleiss on 1,000,000 units × 5 coders, 10 % missing, 10 categories.
  const nominal = categorical(random, 5, 1_000_000, 10, 0.1);
  const rssBefore = peakRssMb();
  const heapBefore = heapMb();
  const alphaNominal = timed(5, () => krippendorffAlpha(nominal, { level: 'nominal' }));
  const rssAfterAlpha = peakRssMb();
  console.log(
    `alpha nominal, 1M units × 5 coders: ${fmt(alphaNominal.seconds)} (alpha ${alphaNominal.result.value}); peak RSS ${rssAfterAlpha.toFixed(0)} MB (data alone ${rssBefore.toFixed(0)} MB), heap ${heapBefore.toFixed(0)} → ${heapMb().toFixed(0)} MB`,
  );
  const fleiss = timed(5, () => fleissKappa(nominal));
  console.log(`Fleiss kappa, 1M units × 5 coders: ${fmt(fleiss.seconds)} (kappa ${fleiss.result.value})`);

  // 2. Interval / ordinal / ratio alpha with 10,000 distinct values.
  const iv = interval(random, 5, 1_000_000, 10_000, 0.1);
  const distinct = new Set(iv.flat().filter((v) => v !== null)).size;
  const alphaInterval = timed(3, () => krippendorffAlpha(iv, { level: 'interval' }));
  const alphaOrdinal = timed(3, () => krippendorffAlpha(iv, { level: 'ordinal' }));
  const alphaRatio = timed(3, () => krippendorffAlpha(iv, { level: 'ratio' }));
  console.log(
    `alpha interval, 1M units × 5 coders, ${distinct} distinct values: ${fmt(alphaInterval.seconds)} (alpha ${alphaInterval.result.value})`,
  );
  console.log(`alpha ordinal, same data: ${fmt(alphaOrdinal.seconds)}; ratio: ${fmt(alphaRatio.seconds)}`);

  // 3. Box matching: 1,000 images × 3 annotators × 50 boxes, mean pairwise F1 at IoU 0.5.
  const images = boxImages(random, 1000, 3, 50);
  const boxes = timed(3, () => {
    let sum = 0;
    for (const annotators of images) sum += meanPairwiseF1(annotators, (a, b) => matchBoxes(a, b)).value ?? 0;
    return sum / images.length;
  });
  console.log(`box matching, 1000 images × 3 annotators × 50 boxes: ${fmt(boxes.seconds)} (mean pairwise F1 ${boxes.result.toFixed(4)})`);

  // 4. Python's krippendorff package on the same inputs.
  let pythonNominal: { value: number; seconds: number } | null = null;
  let valuesAgree: boolean | null = null;
  if (pythonAvailable()) {
    const dir = mkdtempSync(join(tmpdir(), 'labelwork-bench-'));
    try {
      pythonNominal = pythonAlpha(dir, 'nominal-1m', nominal, 'nominal', 2);
      const checks: { name: string; ours: number | null; theirs: number | null }[] = [
        { name: 'nominal 1M', ours: alphaNominal.result.value, theirs: pythonNominal?.value ?? null },
      ];
      // The package builds units × V × V arrays, so the 10,000-value set is out of its reach; compare on a smaller one.
      const small = interval(random, 5, 1000, 150, 0.1);
      for (const level of ['ordinal', 'interval', 'ratio'] as const) {
        checks.push({
          name: `${level} 1000 units, 150 values`,
          ours: krippendorffAlpha(small, { level }).value,
          theirs: pythonAlpha(dir, `small-${level}`, small, level, 1)?.value ?? null,
        });
      }
      valuesAgree = checks.every((c) => c.ours !== null && c.theirs !== null && Math.abs(c.ours - c.theirs) <= 1e-9);
      for (const c of checks)
        console.log(
          `  python check ${c.name}: ours ${c.ours}, krippendorff ${c.theirs}, |diff| ${c.ours !== null && c.theirs !== null ? Math.abs(c.ours - c.theirs).toExponential(2) : 'n/a'}`,
        );
      if (pythonNominal)
        console.log(
          `python krippendorff, alpha nominal 1M: ${fmt(pythonNominal.seconds)} → ours is ${(pythonNominal.seconds / alphaNominal.seconds).toFixed(1)}× faster`,
        );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  } else console.log('python krippendorff not importable (pip install krippendorff numpy): comparison skipped');

  const round = (s: number) => Math.round(s * 10000) / 10000;
  const result = {
    alpha_nominal_1m_s: round(alphaNominal.seconds),
    alpha_nominal_1m_peak_rss_mb: Math.round(rssAfterAlpha),
    alpha_interval_s: round(alphaInterval.seconds),
    alpha_interval_distinct_values: distinct,
    alpha_ordinal_s: round(alphaOrdinal.seconds),
    alpha_ratio_s: round(alphaRatio.seconds),
    fleiss_1m_s: round(fleiss.seconds),
    box_match_s: round(boxes.seconds),
    peak_rss_mb: Math.round(peakRssMb()),
    python_alpha_nominal_1m_s: pythonNominal ? round(pythonNominal.seconds) : null,
    speedup_vs_python: pythonNominal ? Math.round((pythonNominal.seconds / alphaNominal.seconds) * 10) / 10 : null,
    values_agree: valuesAgree,
  };
  const runs = { alphaNominal, fleiss, alphaInterval, alphaOrdinal, alphaRatio, boxes };
  const samples = Object.fromEntries(
    Object.entries(runs).map(([k, r]) => [k, { median_s: round(r.seconds), best_s: round(r.best), samples_s: r.samples.map(round) }]),
  );
  console.error(`raw figures in ${recording.write({ ...result, node: process.version, runs: samples })}`);
  console.log(JSON.stringify(result));
}

main();
