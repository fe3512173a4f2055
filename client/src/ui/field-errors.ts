import { formatPath, isIssueReason, type Issue, type IssueParams, type IssueReason } from '@labelwork/core';
import { isMessageKey, type Translate } from '../i18n/index.tsx';

/** Field path (as the server writes it, `labelSchema.labels[2].hotkey`) → message, in the UI language. */
export type FieldErrors = Readonly<Record<string, string>>;

/** One field problem kept as codes, so its text follows the UI language (never store the text). */
export interface FieldProblem {
  reason: IssueReason;
  params?: IssueParams;
  /** The server's English message: shown only for a reason this client does not know. */
  message: string;
}

/** Field path → the first problem with it. */
export type FieldProblems = Readonly<Record<string, FieldProblem>>;

/** VALIDATION_FAILED details (`[{path, reason, params, message}]`) as a list, every entry kept. */
export function fieldProblemList(details: unknown): { path: string; problem: FieldProblem }[] {
  if (!Array.isArray(details)) return [];
  return (details as unknown[]).flatMap((d) => {
    if (typeof d !== 'object' || d === null || !('message' in d)) return [];
    const path = !('path' in d) ? '' : Array.isArray(d.path) ? formatPath(d.path as PropertyKey[]) : String(d.path);
    const reason = 'reason' in d && isIssueReason(d.reason) ? d.reason : 'invalid';
    const params = 'params' in d && typeof d.params === 'object' && d.params !== null ? (d.params as IssueParams) : undefined;
    return [{ path, problem: { reason, ...(params ? { params } : {}), message: String(d.message) } }];
  });
}

/** VALIDATION_FAILED details as field problems, the first per path. */
export function fieldProblemsFromDetails(details: unknown): FieldProblems {
  const out: Record<string, FieldProblem> = {};
  for (const { path, problem } of fieldProblemList(details)) if (!(path in out)) out[path] = problem;
  return out;
}

/** Core issues (0-based path lists) as field problems keyed by their joined path. */
export function fieldProblemsFromIssues(issues: readonly Issue[], into: Record<string, FieldProblem> = {}): Record<string, FieldProblem> {
  for (const i of issues) {
    const path = formatPath(i.path);
    if (!(path in into)) into[path] = { reason: i.reason, ...(i.params ? { params: i.params } : {}), message: i.message };
  }
  return into;
}

/** Params whose values are codes with a text of their own (tool, kind, shortcut, type name). */
const PARAM_KEYS: Record<string, (v: string) => string> = {
  tool: (v) => `tool.${v}`,
  kind: (v) => `kind.${v}`,
  command: (v) => `editor.cmd.${v}`,
  expected: (v) => `issue.type.${v}`,
};

/** The text of one problem in the UI language. */
export function problemText(t: Translate, p: FieldProblem): string {
  const key = `issue.${p.reason}`;
  if (!isMessageKey(key)) return p.message;
  const params: Record<string, string | number> = { ...p.params };
  for (const [name, keyOf] of Object.entries(PARAM_KEYS)) {
    const v = params[name];
    if (typeof v !== 'string') continue;
    const k = keyOf(v);
    if (isMessageKey(k)) params[name] = t(k);
  }
  return t(key, params);
}

/** Field problems as texts in the UI language (call on every render, so a language switch re-translates). */
export function fieldErrorTexts(t: Translate, problems: FieldProblems): FieldErrors {
  const out: Record<string, string> = {};
  for (const [path, p] of Object.entries(problems)) out[path] = problemText(t, p);
  return out;
}
