import type { LabelSchema } from '@labelwork/core';

export const FALLBACK_COLOR = '#888888';

/** Label name → colour, from the schema. */
export function labelColors(schema: LabelSchema): Map<string, string> {
  return new Map(schema.labels.map((l) => [l.name, l.color]));
}

/** `#rrggbb` → `rgba(r,g,b,a)`. */
export function withAlpha(hex: string, alpha: number): string {
  const n = Number.parseInt(hex.slice(1), 16);
  return `rgba(${(n >> 16) & 255},${(n >> 8) & 255},${n & 255},${alpha})`;
}

/** Black or white, whichever reads better on `hex`. */
export function textOn(hex: string): string {
  const n = Number.parseInt(hex.slice(1), 16);
  const lum = 0.2126 * ((n >> 16) & 255) + 0.7152 * ((n >> 8) & 255) + 0.0722 * (n & 255);
  return lum > 150 ? '#111111' : '#ffffff';
}
