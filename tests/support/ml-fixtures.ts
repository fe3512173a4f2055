import { readFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { parseGuideline, type Guideline } from '@labelwork/core';
import { repoRoot } from '../../scripts/services.ts';

/** A shipped guideline (guidelines/<slug>/<version>.md), parsed. */
export function shippedGuideline(slug: string, version = '1.0'): Guideline {
  const rel = `guidelines/${slug}/${version}.md`;
  const r = parseGuideline(readFileSync(path.join(repoRoot, rel), 'utf8'), rel);
  if (!r.ok) throw new Error(`${rel}: ${r.issues.map((i) => i.message).join('; ')}`);
  return r.guideline;
}

/** One dark standing figure (head, torso, arms, legs) `s` times 128 px tall, top at `top`. */
function figure(cx: number, top: number, s: number): string {
  const c = '#282828';
  const p = (v: number) => Math.round(v * s);
  const limb = (x1: number, y1: number, x2: number, y2: number, w: number) =>
    `<line x1="${cx + p(x1)}" y1="${top + p(y1)}" x2="${cx + p(x2)}" y2="${top + p(y2)}" stroke="${c}" stroke-width="${p(w)}" stroke-linecap="round"/>`;
  return [
    `<circle cx="${cx}" cy="${top + p(12)}" r="${p(10)}" fill="${c}"/>`,
    `<ellipse cx="${cx}" cy="${top + p(50)}" rx="${p(16)}" ry="${p(28)}" fill="${c}"/>`,
    limb(-7, 75, -12, 125, 9),
    limb(7, 75, 12, 125, 9),
    limb(-15, 30, -22, 72, 7),
    limb(15, 30, 22, 72, 7),
  ].join('');
}

/**
 * A 600 × 400 PNG with two standing figures (at x ≈ 150 and 400), which OpenCV's HOG people
 * detector finds; returns the PNG and the figures' pixel boxes.
 */
export async function pedestrianScene(): Promise<{
  png: Buffer;
  width: number;
  height: number;
  figures: { x: number; y: number; w: number; h: number }[];
}> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="600" height="400"><rect width="600" height="400" fill="#c8c8c8"/><rect y="300" width="600" height="100" fill="#969696"/>${figure(150, 60, 1.3)}${figure(400, 80, 1.3)}</svg>`;
  const png = await sharp(Buffer.from(svg)).png().toBuffer();
  return {
    png,
    width: 600,
    height: 400,
    figures: [
      { x: 150 - 30, y: 60, w: 60, h: 170 },
      { x: 400 - 30, y: 80, w: 60, h: 170 },
    ],
  };
}
