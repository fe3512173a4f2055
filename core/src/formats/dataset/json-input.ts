import { fail } from './image-common.ts';

/** JSON.parse with a DatasetError (file and line) instead of a SyntaxError. */
export function parseJsonFile(file: string, text: string): unknown {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  try {
    return JSON.parse(body) as unknown;
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    const lineCol = /line (\d+)/.exec(message);
    const pos = /position (\d+)/.exec(message);
    const end = /end of JSON input/.test(message) ? body.trimEnd().split('\n').length : undefined;
    const line = lineCol ? Number(lineCol[1]) : pos ? body.slice(0, Number(pos[1])).split('\n').length : end;
    return fail('JSON_SYNTAX', `not valid JSON: ${message}`, file, line === undefined ? {} : { line });
  }
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function isFiniteNumber(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}
