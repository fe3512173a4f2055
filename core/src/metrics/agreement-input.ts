import { z } from 'zod';
import { AgreementInputError } from './reliability-data.ts';

const Category = z.union([z.string(), z.number()]);
const Rating = z.union([z.string(), z.number(), z.null()]);

function sameLength(rows: readonly (readonly unknown[])[], ctx: z.RefinementCtx, what: string): void {
  const first = rows[0]?.length ?? 0;
  rows.forEach((row, i) => {
    if (row.length !== first)
      ctx.addIssue({ code: 'custom', path: [what, i], message: `ragged ${what}: row ${i} has ${row.length} entries, row 0 has ${first}` });
  });
}

/** `{ data: [[...], ...], categories?: [...] }`: reliability data, one row per coder, null = missing. */
export const ReliabilityDataInput = z
  .object({
    data: z.array(z.array(Rating)).min(1, 'data needs at least one coder row'),
    categories: z.array(Category).min(1, 'categories must not be empty').optional(),
  })
  .strict()
  .superRefine((input, ctx) => {
    sameLength(input.data, ctx, 'data');
    if (input.categories !== undefined && new Set(input.categories).size !== input.categories.length) {
      ctx.addIssue({ code: 'custom', path: ['categories'], message: 'categories must not repeat' });
    }
  });
export type ReliabilityDataInput = z.infer<typeof ReliabilityDataInput>;

/** `{ counts: [[...], ...] }`: units × categories table of how many coders chose each category. */
export const CountsInput = z
  .object({ counts: z.array(z.array(z.number().int().nonnegative())).min(1, 'counts needs at least one unit row') })
  .strict()
  .superRefine((input, ctx) => {
    sameLength(input.counts, ctx, 'counts');
    if ((input.counts[0]?.length ?? 0) === 0)
      ctx.addIssue({ code: 'custom', path: ['counts', 0], message: 'counts rows need at least one category column' });
  });
export type CountsInput = z.infer<typeof CountsInput>;

export type AgreementInput = ({ kind: 'data' } & ReliabilityDataInput) | ({ kind: 'counts' } & CountsInput);

/**
 * Validates parsed JSON as agreement input: an object with `counts` is a counts table, anything
 * else must be reliability data. Throws {@link AgreementInputError} with a one-line message naming
 * the first problem and its path. O(size of input).
 */
export function parseAgreementInput(json: unknown): AgreementInput {
  const isCounts = typeof json === 'object' && json !== null && !Array.isArray(json) && 'counts' in json;
  const parsed = isCounts ? CountsInput.safeParse(json) : ReliabilityDataInput.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length > 0 ? ` at ${issue.path.join('.')}` : '';
    throw new AgreementInputError(`invalid input${where}: ${issue?.message ?? 'does not match the expected shape'}`);
  }
  return isCounts ? { kind: 'counts', ...(parsed.data as CountsInput) } : { kind: 'data', ...(parsed.data as ReliabilityDataInput) };
}
