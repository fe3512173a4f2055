import { formatPath } from '@labelwork/core';

/** Field path (as the server writes it, `labelSchema.labels[2].hotkey`) → message. */
export type FieldErrors = Readonly<Record<string, string>>;

/** VALIDATION_FAILED details (`[{path, message}]`) as field errors. */
export function fieldErrorsFromDetails(details: unknown): FieldErrors {
  const errors: Record<string, string> = {};
  if (!Array.isArray(details)) return errors;
  for (const d of details as unknown[]) {
    if (typeof d !== 'object' || d === null || !('path' in d) || !('message' in d)) continue;
    const path = Array.isArray(d.path) ? formatPath(d.path as PropertyKey[]) : String(d.path);
    if (!(path in errors)) errors[path] = String(d.message);
  }
  return errors;
}
