import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import {
  ALPHA_LEVELS,
  AgreementInputError,
  WEIGHT_SCHEMES,
  bennettS,
  cohenKappa,
  fleissKappa,
  fleissKappaFromCounts,
  gwetAc1,
  krippendorffAlpha,
  krippendorffAlphaBootstrap,
  parseAgreementInput,
  percentAgreement,
  scottPi,
  seededRandom,
  type AgreementInput,
  type AlphaLevel,
  type CoefficientResult,
  type WeightScheme,
} from '@labelwork/core/metrics/index';
import { fail, readAll, type CliIo } from './io.ts';

const METRICS = ['percent-agreement', 'cohen-kappa', 'scott-pi', 'bennett-s', 'fleiss-kappa', 'krippendorff-alpha', 'gwet-ac1'] as const;
type Metric = (typeof METRICS)[number];
const WEIGHTED: readonly Metric[] = ['cohen-kappa', 'bennett-s', 'gwet-ac1'];

const HELP = `usage: labelwork agreement --metric <name> --input <file.json | -> [options]

metrics: ${METRICS.join(', ')}
options:
  --level nominal|ordinal|interval|ratio   krippendorff-alpha only (default nominal)
  --weights none|linear|quadratic          cohen-kappa, bennett-s, gwet-ac1 (AC2) only (default none)
  --bootstrap N --seed S [--confidence C]  krippendorff-alpha only: percentile bootstrap CI over units
input: {"data": [[...coder 1...], [...coder 2...]], "categories"?: [...]}  (null = missing)
       fleiss-kappa also takes {"counts": [[...unit 1 counts per category...], ...]}
output: one JSON object on stdout; exit 2 with a one-line message on stderr for bad usage or input.
`;

class UsageError extends Error {}

function oneOf<T extends string>(value: string | undefined, allowed: readonly T[], what: string): T | undefined {
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) throw new UsageError(`unknown ${what} "${value}"; use one of ${allowed.join(', ')}`);
  return value as T;
}

function integer(value: string | undefined, what: string, min: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`${what} must be an integer ≥ ${min}, got "${value}"`);
  return n;
}

function coefficientFields(r: CoefficientResult): Record<string, unknown> {
  return { observed_agreement: r.observedAgreement, chance_agreement: r.chanceAgreement };
}

function compute(
  metric: Metric,
  input: AgreementInput,
  opts: { level: AlphaLevel; weights: WeightScheme; bootstrap?: number; seed: number; confidence: number },
): Record<string, unknown> {
  if (input.kind === 'counts') {
    if (metric !== 'fleiss-kappa')
      throw new AgreementInputError(`a counts table is accepted by fleiss-kappa only; give ${metric} {"data": ...}`);
    const r = fleissKappaFromCounts(input.counts);
    return { value: r.value, reason: r.reason, n_units: r.nUnits, n_pairable: r.nPairable, ...coefficientFields(r) };
  }
  const categories = input.categories;
  const base = (r: CoefficientResult) => ({
    value: r.value,
    reason: r.reason,
    n_units: r.nUnits,
    n_pairable: r.nPairable,
    ...coefficientFields(r),
  });
  switch (metric) {
    case 'percent-agreement':
      return base(percentAgreement(input.data, { categories }));
    case 'cohen-kappa':
      return base(cohenKappa(input.data, { categories, weights: opts.weights }));
    case 'scott-pi':
      return base(scottPi(input.data, { categories }));
    case 'bennett-s':
      return base(bennettS(input.data, { categories, weights: opts.weights }));
    case 'fleiss-kappa':
      return base(fleissKappa(input.data, { categories }));
    case 'gwet-ac1':
      return base(gwetAc1(input.data, { categories, weights: opts.weights }));
    case 'krippendorff-alpha': {
      const r =
        opts.bootstrap === undefined
          ? { ...krippendorffAlpha(input.data, { categories, level: opts.level }), ci: undefined }
          : krippendorffAlphaBootstrap(input.data, {
              categories,
              level: opts.level,
              samples: opts.bootstrap,
              confidence: opts.confidence,
              random: seededRandom(opts.seed),
            });
      const out: Record<string, unknown> = {
        value: r.value,
        reason: r.reason,
        n_units: r.nUnits,
        n_pairable: r.nPairable,
        n_values: r.nValues,
        observed_disagreement: r.observedDisagreement,
        expected_disagreement: r.expectedDisagreement,
      };
      if (opts.bootstrap !== undefined) {
        out.ci = r.ci
          ? {
              lower: r.ci.lower,
              upper: r.ci.upper,
              confidence: r.ci.confidence,
              samples: r.ci.samples,
              valid_samples: r.ci.validSamples,
              seed: opts.seed,
            }
          : null;
      }
      return out;
    }
  }
}

/**
 * `labelwork agreement`: reads reliability data as JSON from a file or stdin, validates it with the
 * core zod schema, computes one coefficient and prints one JSON object. Exit 0 also when the
 * coefficient is undefined for the data (`value: null` with a `reason`); exit 2 for bad usage,
 * unreadable or malformed input.
 */
export async function runAgreement(args: string[], io: CliIo): Promise<number> {
  let metric: Metric;
  let opts: { level: AlphaLevel; weights: WeightScheme; bootstrap?: number; seed: number; confidence: number };
  let inputPath: string;
  try {
    const { values } = parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
        metric: { type: 'string' },
        level: { type: 'string' },
        weights: { type: 'string' },
        input: { type: 'string' },
        bootstrap: { type: 'string' },
        seed: { type: 'string' },
        confidence: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    if (values.help) {
      io.stdout.write(HELP);
      return 0;
    }
    if (values.metric === undefined) throw new UsageError(`--metric is required; use one of ${METRICS.join(', ')}`);
    metric = oneOf(values.metric, METRICS, 'metric') as Metric;
    if (values.input === undefined) throw new UsageError('--input is required (a JSON file, or - for stdin)');
    inputPath = values.input;
    const level = oneOf(values.level, ALPHA_LEVELS, 'level');
    const weights = oneOf(values.weights, WEIGHT_SCHEMES, 'weights');
    if (level !== undefined && metric !== 'krippendorff-alpha')
      throw new UsageError(`--level applies to krippendorff-alpha only, not ${metric}`);
    if (weights !== undefined && weights !== 'none' && !WEIGHTED.includes(metric)) {
      throw new UsageError(
        `${metric} is a nominal coefficient and takes no weights${metric === 'krippendorff-alpha' ? '; use --level' : ''}`,
      );
    }
    const bootstrap = integer(values.bootstrap, '--bootstrap', 1);
    const seed = integer(values.seed, '--seed', 0) ?? 0;
    const confidence = values.confidence === undefined ? 0.95 : Number(values.confidence);
    if (!(confidence > 0 && confidence < 1))
      throw new UsageError(`--confidence must lie strictly between 0 and 1, got "${values.confidence}"`);
    if ((bootstrap !== undefined || values.seed !== undefined || values.confidence !== undefined) && metric !== 'krippendorff-alpha') {
      throw new UsageError('--bootstrap, --seed and --confidence apply to krippendorff-alpha only');
    }
    opts = { level: level ?? 'nominal', weights: weights ?? 'none', seed, confidence };
    if (bootstrap !== undefined) opts.bootstrap = bootstrap;
  } catch (err) {
    return fail(io, 'agreement', err instanceof Error ? err.message : String(err));
  }

  let text: string;
  try {
    text = inputPath === '-' ? await readAll(io.stdin) : await readFile(inputPath, 'utf8');
  } catch (err) {
    return fail(
      io,
      'agreement',
      `cannot read ${inputPath === '-' ? 'stdin' : inputPath}: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    return fail(io, 'agreement', `input is not valid JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
  try {
    const input = parseAgreementInput(json);
    const result = compute(metric, input, opts);
    const isAlpha = metric === 'krippendorff-alpha';
    const out = {
      metric,
      value: result.value,
      ...(result.reason !== undefined ? { reason: result.reason } : {}),
      level: isAlpha ? opts.level : null,
      weights: isAlpha ? null : opts.weights,
      ...Object.fromEntries(Object.entries(result).filter(([k]) => k !== 'value' && k !== 'reason')),
    };
    io.stdout.write(`${JSON.stringify(out)}\n`);
    return 0;
  } catch (err) {
    if (err instanceof AgreementInputError) return fail(io, 'agreement', err.message);
    throw err;
  }
}
