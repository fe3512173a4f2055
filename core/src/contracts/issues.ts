import type { z } from 'zod';

/**
 * Machine-readable reasons for one problem with one field. The API's VALIDATION_FAILED answers
 * carry them in `details: [{ path, reason, params, message }]`; clients show their own text for
 * the reason (in the person's language) and use `message` (English) only as a last resort.
 * Label numbers in params (`other`, `label`) count from 1, as people count; `path` keeps
 * zod's 0-based indexes for machines.
 */
export const ISSUE_REASONS = [
  // From zod's built-in checks (see issueFromZod).
  'required',
  'invalid_type',
  'empty',
  'too_short',
  'too_long',
  'too_few',
  'too_many',
  'too_small',
  'too_big',
  'not_integer',
  'invalid_format',
  'invalid_value',
  'unknown_keys',
  'invalid_union',
  'not_multiple_of',
  'invalid',
  // Named formats (refinements in core's schemas).
  'hotkey_format',
  'username_format',
  'slug_format',
  'version_format',
  'quiz_id_format',
  'percent_range',
  // Label schema.
  'duplicate_label_name',
  'duplicate_hotkey',
  'hotkey_reserved',
  'keypoints_need_points',
  'duplicate_point',
  'edge_unknown_point',
  'edge_same_point',
  'points_only_keypoints',
  'edges_only_keypoints',
  'tool_not_for_kind',
  // Projects, users, leases.
  'kind_locked',
  'unknown_guideline',
  'unknown_user',
  'not_a_member',
  'merge_target_unknown',
  'merge_into_itself',
  'merge_tool_mismatch',
  // Regions against a label schema.
  'duplicate_region_id',
  'unknown_label',
  'label_tool_mismatch',
  'box_outside_image',
  'point_outside_image',
  'unknown_keypoint',
  'duplicate_keypoint',
  'span_needs_text',
  'span_outside_text',
  'single_class_twice',
  'polygon_too_few_points',
  'polygon_repeated_point',
  'polygon_zero_area',
  'polygon_self_intersecting',
  // Guideline front matter.
  'language_twice',
  'missing_language_text',
  'language_not_listed',
  'duplicate_quiz_id',
  'answer_out_of_range',
  'answer_twice',
  'quiz_type_mismatch',
  'quiz_type_hint',
  // Exam questions edited in the UI.
  'duplicate_question',
  'options_unique',
] as const;

export type IssueReason = (typeof ISSUE_REASONS)[number];
export type IssueParams = Record<string, string | number>;

export function isIssueReason(value: unknown): value is IssueReason {
  return typeof value === 'string' && (ISSUE_REASONS as readonly string[]).includes(value);
}

/** A problem found by a core check, before its path is joined: what zod custom issues and region checks produce. */
export interface Issue {
  path: (string | number)[];
  reason: IssueReason;
  params?: IssueParams;
  /** English, for logs and API clients that show text as is. */
  message: string;
}

/** The `params` of a zod custom issue that names its reason (`ctx.addIssue({ code: 'custom', params: reasonParams(...) })`). */
export function reasonParams(reason: IssueReason, params: IssueParams = {}): IssueParams & { reason: IssueReason } {
  return { ...params, reason };
}

/** `{ message, params }` for `.refine(check, withReason(...))`, so the failure carries its reason. */
export function withReason(reason: IssueReason, message: string, params: IssueParams = {}): { message: string; params: IssueParams } {
  return { message, params: reasonParams(reason, params) };
}

type ZodIssue = z.core.$ZodIssue;

function sizeReason(issue: ZodIssue & { origin?: string }, small: boolean): Pick<Issue, 'reason' | 'params'> {
  const limit = small ? (issue as { minimum?: number | bigint }).minimum : (issue as { maximum?: number | bigint }).maximum;
  const n = typeof limit === 'bigint' ? Number(limit) : (limit ?? 0);
  const params = { [small ? 'minimum' : 'maximum']: n };
  switch (issue.origin) {
    case 'string':
      if (small && n === 1) return { reason: 'empty' };
      return { reason: small ? 'too_short' : 'too_long', params };
    case 'array':
    case 'set':
      return { reason: small ? 'too_few' : 'too_many', params };
    default:
      return { reason: small ? 'too_small' : 'too_big', params };
  }
}

/** The reason and params of one zod issue: its own `params.reason` for custom issues, else from zod's code. */
export function issueFromZod(issue: ZodIssue, prefix: readonly (string | number)[] = []): Issue {
  const path = [...prefix, ...issue.path.map((p) => (typeof p === 'number' ? p : String(p)))];
  const base = { path, message: issue.message };
  switch (issue.code) {
    case 'custom': {
      const { reason, ...params } = (issue.params ?? {}) as Record<string, unknown>;
      const clean: IssueParams = {};
      for (const [k, v] of Object.entries(params)) if (typeof v === 'string' || typeof v === 'number') clean[k] = v;
      return { ...base, reason: isIssueReason(reason) ? reason : 'invalid', params: clean };
    }
    case 'invalid_type':
      if (issue.expected === 'int') return { ...base, reason: 'not_integer' };
      // zod says "received undefined" for a missing field; the input itself is not kept on the issue.
      if (/received undefined$|^is required$/.test(issue.message)) return { ...base, reason: 'required' };
      return { ...base, reason: 'invalid_type', params: { expected: issue.expected } };
    case 'too_small':
      return { ...base, ...sizeReason(issue, true) };
    case 'too_big':
      return { ...base, ...sizeReason(issue, false) };
    case 'invalid_format':
      return { ...base, reason: 'invalid_format', params: { format: issue.format } };
    case 'invalid_value':
      return { ...base, reason: 'invalid_value', params: { values: issue.values.map(String).join(', ') } };
    case 'unrecognized_keys':
      return { ...base, reason: 'unknown_keys', params: { keys: issue.keys.join(', ') } };
    case 'invalid_union':
      return { ...base, reason: 'invalid_union' };
    case 'not_multiple_of':
      return { ...base, reason: 'not_multiple_of', params: { divisor: Number(issue.divisor) } };
    default:
      return { ...base, reason: 'invalid' };
  }
}
