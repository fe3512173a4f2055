import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const BIN = join(ROOT, 'server/bin/labelwork.mjs');
const dir = mkdtempSync(join(tmpdir(), 'labelwork-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const KRIPPENDORFF_2011 = [
  [1, 2, 3, 3, 2, 1, 4, 1, 2, null, null, null],
  [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, null, 3],
  [null, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, null],
  [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, null],
];

let fileNo = 0;
function file(content: unknown): string {
  const path = join(dir, `input-${fileNo++}.json`);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function run(args: string[], stdin?: string, command: string[] = [process.execPath, BIN]): Promise<Run> {
  return new Promise((done) => {
    const child = execFile(command[0]!, [...command.slice(1), ...args], { cwd: ROOT, timeout: 30_000 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
      done({ code, stdout: String(stdout), stderr: String(stderr) });
    });
    child.stdin?.end(stdin ?? '');
  });
}

async function ok(args: string[], stdin?: string): Promise<Record<string, unknown>> {
  const r = await run(args, stdin);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  const lines = r.stdout.trim().split('\n');
  expect(lines).toHaveLength(1);
  return JSON.parse(lines[0]!) as Record<string, unknown>;
}

async function rejects(args: string[], pattern: RegExp, stdin?: string): Promise<void> {
  const r = await run(args, stdin);
  expect(r.code).toBe(2);
  expect(r.stdout).toBe('');
  expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(r.stderr).toMatch(pattern);
}

describe.concurrent('labelwork agreement on good input', { timeout: 30_000 }, () => {
  it('computes nominal alpha from a file with unit counts', async () => {
    const out = await ok(['agreement', '--metric', 'krippendorff-alpha', '--input', file({ data: KRIPPENDORFF_2011 })]);
    expect(out).toMatchObject({ metric: 'krippendorff-alpha', level: 'nominal', weights: null, n_units: 12, n_pairable: 11, n_values: 40 });
    expect(out.value as number).toBeCloseTo(0.743, 3);
  });

  it('reads stdin with --input - and honours --level', async () => {
    const out = await ok(
      ['agreement', '--metric', 'krippendorff-alpha', '--level', 'interval', '--input', '-'],
      JSON.stringify({ data: KRIPPENDORFF_2011 }),
    );
    expect(out.value as number).toBeCloseTo(0.849, 3);
    expect(out.level).toBe('interval');
  });

  it('adds a reproducible bootstrap interval for alpha', async () => {
    const args = [
      'agreement',
      '--metric',
      'krippendorff-alpha',
      '--input',
      file({ data: KRIPPENDORFF_2011 }),
      '--bootstrap',
      '500',
      '--seed',
      '42',
    ];
    const [a, b] = await Promise.all([ok(args), ok(args)]);
    expect(a.ci).toEqual(b.ci);
    expect(a.ci).toMatchObject({ confidence: 0.95, samples: 500, seed: 42 });
    const ci = a.ci as { lower: number; upper: number };
    expect(ci.lower).toBeLessThan(0.743);
    expect(ci.upper).toBeGreaterThan(0.743);
  });

  it('computes weighted Cohen kappa (scikit-learn example) and AC2', async () => {
    const a = [...Array(46).fill(0), ...Array(4).fill(1), ...Array(40).fill(1), ...Array(10).fill(2)];
    const b = [...Array(46).fill(0), ...Array(4).fill(0), ...Array(40).fill(1), ...Array(10).fill(2)];
    const kappa = await ok(['agreement', '--metric', 'cohen-kappa', '--weights', 'quadratic', '--input', file({ data: [a, b] })]);
    expect(kappa.value as number).toBeCloseTo(0.9541, 4);
    expect(kappa).toMatchObject({ weights: 'quadratic', level: null, n_units: 100, n_pairable: 100 });
    const ac2 = await ok(['agreement', '--metric', 'gwet-ac1', '--weights', 'linear', '--input', file({ data: KRIPPENDORFF_2011 })]);
    expect(ac2.value as number).toBeCloseTo(0.859, 3);
  });

  it('takes a counts table for Fleiss kappa and categories for the others', async () => {
    const counts = [
      [0, 0, 0, 0, 14],
      [0, 2, 6, 4, 2],
      [0, 0, 3, 5, 6],
      [0, 3, 9, 2, 0],
      [2, 2, 8, 1, 1],
      [7, 7, 0, 0, 0],
      [3, 2, 6, 3, 0],
      [2, 5, 3, 2, 2],
      [6, 5, 2, 1, 0],
      [0, 2, 2, 3, 7],
    ];
    const [fleiss, s, pa] = await Promise.all([
      ok(['agreement', '--metric', 'fleiss-kappa', '--input', file({ counts })]),
      ok([
        'agreement',
        '--metric',
        'bennett-s',
        '--input',
        file({
          data: [
            ['y', 'n'],
            ['y', 'y'],
          ],
          categories: ['y', 'n', 'maybe'],
        }),
      ]),
      ok([
        'agreement',
        '--metric',
        'percent-agreement',
        '--input',
        file({
          data: [
            ['y', 'n'],
            ['y', 'y'],
          ],
        }),
      ]),
    ]);
    expect(fleiss.value as number).toBeCloseTo(0.21, 3);
    expect(s.value as number).toBeCloseTo((0.5 - 1 / 3) / (2 / 3), 12);
    expect(pa.value).toBe(0.5);
  });

  it('prints value null with a reason (exit 0) when the coefficient is undefined', async () => {
    const out = await ok([
      'agreement',
      '--metric',
      'krippendorff-alpha',
      '--input',
      file({
        data: [
          [1, 1],
          [1, 1],
        ],
      }),
    ]);
    expect(out.value).toBeNull();
    expect(out.reason).toMatch(/variation/);
  });

  it('prints help and works through the npx-linked bin', async () => {
    const help = await run(['agreement', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/--metric/);
    const linked = await run(
      [
        'agreement',
        '--metric',
        'scott-pi',
        '--input',
        file({
          data: [
            [1, 2],
            [1, 2],
          ],
        }),
      ],
      undefined,
      [join(ROOT, 'node_modules/.bin/labelwork')],
    );
    expect(linked.code).toBe(0);
    expect(JSON.parse(linked.stdout).value).toBe(1);
  });
});

describe.concurrent('labelwork agreement on bad input exits 2 with one line on stderr', { timeout: 30_000 }, () => {
  it('rejects ragged rows', () => rejects(['agreement', '--metric', 'fleiss-kappa', '--input', file({ data: [[1, 2], [1]] })], /ragged/));
  it('rejects data without coders', () =>
    rejects(['agreement', '--metric', 'krippendorff-alpha', '--input', file({ data: [] })], /at least one coder/));
  it('rejects an unknown metric', () =>
    rejects(['agreement', '--metric', 'kappa-of-doom', '--input', file({ data: [[1]] })], /unknown metric/));
  it('rejects weights on a nominal-only coefficient', () =>
    rejects(['agreement', '--metric', 'scott-pi', '--weights', 'linear', '--input', file({ data: [[1], [1]] })], /takes no weights/));
  it('rejects weights on alpha', () =>
    rejects(
      ['agreement', '--metric', 'krippendorff-alpha', '--weights', 'quadratic', '--input', file({ data: [[1], [1]] })],
      /use --level/,
    ));
  it('rejects Cohen with three coders', () =>
    rejects(['agreement', '--metric', 'cohen-kappa', '--input', file({ data: KRIPPENDORFF_2011.slice(0, 3) })], /exactly 2 coders/));
  it('rejects bad JSON', () => rejects(['agreement', '--metric', 'scott-pi', '--input', '-'], /not valid JSON/, '{"data": [[1,'));
  it('rejects a missing file', () => rejects(['agreement', '--metric', 'scott-pi', '--input', join(dir, 'nope.json')], /cannot read/));
  it('rejects values of the wrong type', () =>
    rejects(['agreement', '--metric', 'scott-pi', '--input', file({ data: [[true], [1]] })], /invalid input at data/));
  it('rejects a counts table for a metric other than Fleiss', () =>
    rejects(['agreement', '--metric', 'gwet-ac1', '--input', file({ counts: [[1, 1]] })], /fleiss-kappa only/));
  it('rejects --level on a coefficient other than alpha', () =>
    rejects(['agreement', '--metric', 'cohen-kappa', '--level', 'ordinal', '--input', file({ data: [[1], [1]] })], /--level applies/));
  it('rejects an unknown option and an unknown command', async () => {
    await rejects(['agreement', '--metric', 'scott-pi', '--colour', 'red', '--input', file({ data: [[1], [1]] })], /colour/);
    await rejects(['disagreement'], /unknown command/);
  });
  it('rejects interval alpha on strings and a bad bootstrap count', async () => {
    await rejects(
      [
        'agreement',
        '--metric',
        'krippendorff-alpha',
        '--level',
        'interval',
        '--input',
        file({
          data: [
            ['a', 'b'],
            ['a', 'b'],
          ],
        }),
      ],
      /numeric/,
    );
    await rejects(
      ['agreement', '--metric', 'krippendorff-alpha', '--bootstrap', 'many', '--input', file({ data: [[1], [1]] })],
      /--bootstrap/,
    );
  });
});
