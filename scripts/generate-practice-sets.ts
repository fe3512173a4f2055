/**
 * Writes the shipped guidelines' practice sets (gold items for practice and practical exams),
 * deterministically: running it twice gives the same files.
 *
 *   npx tsx scripts/generate-practice-sets.ts          # write guidelines/<slug>/practice-<version>/
 *   npx tsx scripts/generate-practice-sets.ts --check  # fail if the files on disk differ
 *
 * vehicles-pedestrians-bbox: generated street scenes (PNG) with their exact boxes.
 * chinese-ner: hand-written sentences (scripts/practice-sets/ner-items.ts) with code-point spans.
 */
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { PracticeSet, type PracticeItem } from '@labelwork/core';
import { NER_PRACTICE, parseMarked } from './practice-sets/ner-items.ts';
import { streetScene, type SceneObjectKind } from './practice-sets/street-scenes.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const check = process.argv.includes('--check');
const VERSION = '1.1';

/** The vehicle scenes: what is in each, and how hard (smaller objects, more of them). */
const SCENES: { kinds: SceneObjectKind[]; difficulty: 1 | 2 | 3; hardCase?: number }[] = [
  { kinds: ['car'], difficulty: 1 },
  { kinds: ['bus'], difficulty: 1 },
  { kinds: ['truck'], difficulty: 1 },
  { kinds: ['pedestrian', 'car'], difficulty: 1 },
  { kinds: ['bicycle', 'pedestrian'], difficulty: 1 },
  { kinds: ['motorcycle', 'car'], difficulty: 1 },
  { kinds: ['tricycle'], difficulty: 1 },
  { kinds: ['rider'], difficulty: 1, hardCase: 2 },
  { kinds: ['walking-bike'], difficulty: 1, hardCase: 1 },
  { kinds: ['car', 'car'], difficulty: 1 },
  { kinds: ['bus', 'pedestrian'], difficulty: 1 },
  { kinds: ['car', 'truck', 'pedestrian'], difficulty: 2 },
  { kinds: ['bus', 'car', 'motorcycle'], difficulty: 2 },
  { kinds: ['rider', 'pedestrian', 'car'], difficulty: 2 },
  { kinds: ['walking-bike', 'rider'], difficulty: 2, hardCase: 1 },
  { kinds: ['tricycle', 'bicycle', 'pedestrian'], difficulty: 2 },
  { kinds: ['truck', 'motorcycle', 'pedestrian', 'pedestrian'], difficulty: 2 },
  { kinds: ['car', 'car', 'bicycle'], difficulty: 2 },
  { kinds: ['bus', 'rider', 'pedestrian'], difficulty: 2 },
  { kinds: ['tricycle', 'car', 'rider'], difficulty: 2 },
  { kinds: ['motorcycle', 'bicycle', 'pedestrian'], difficulty: 2, hardCase: 8 },
  { kinds: ['truck', 'car', 'tricycle'], difficulty: 2 },
  { kinds: ['car', 'car', 'pedestrian', 'pedestrian', 'bicycle'], difficulty: 3 },
  { kinds: ['bus', 'truck', 'car', 'rider'], difficulty: 3 },
  { kinds: ['walking-bike', 'rider', 'pedestrian', 'motorcycle'], difficulty: 3, hardCase: 1 },
  { kinds: ['tricycle', 'rider', 'rider', 'car'], difficulty: 3 },
  { kinds: ['pedestrian', 'pedestrian', 'pedestrian', 'car', 'bus'], difficulty: 3 },
  { kinds: ['motorcycle', 'motorcycle', 'bicycle', 'pedestrian'], difficulty: 3, hardCase: 8 },
  { kinds: ['truck', 'truck', 'car', 'pedestrian'], difficulty: 3 },
  { kinds: ['rider', 'walking-bike', 'car', 'tricycle'], difficulty: 3, hardCase: 1 },
  { kinds: ['bus', 'car', 'car', 'bicycle', 'pedestrian'], difficulty: 3 },
  { kinds: ['car', 'tricycle', 'motorcycle', 'pedestrian', 'rider'], difficulty: 3 },
];

const drift: string[] = [];

function put(file: string, data: Buffer | string): void {
  const buf = typeof data === 'string' ? Buffer.from(data) : data;
  if (check) {
    if (!existsSync(file) || !readFileSync(file).equals(buf)) drift.push(path.relative(root, file));
    return;
  }
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, buf);
}

function writeSet(slug: string, items: PracticeItem[]): void {
  const set = PracticeSet.parse({ schemaVersion: 1, guideline: { slug, version: VERSION }, items });
  put(path.join(root, 'guidelines', slug, `practice-${VERSION}`, 'set.json'), `${JSON.stringify(set, null, 1)}\n`);
}

async function vehicles(): Promise<void> {
  const items: PracticeItem[] = [];
  for (const [i, scene] of SCENES.entries()) {
    const id = `street-${String(i + 1).padStart(2, '0')}`;
    const s = streetScene(1000 + i, scene.kinds, scene.difficulty);
    const png = await sharp(Buffer.from(s.svg)).png({ compressionLevel: 9, palette: true }).toBuffer();
    put(path.join(root, 'guidelines', 'vehicles-pedestrians-bbox', `practice-${VERSION}`, `${id}.png`), png);
    const item: PracticeItem = {
      id,
      difficulty: scene.difficulty,
      media: { kind: 'image', file: `${id}.png`, width: s.width, height: s.height },
      gold: s.boxes.map((b, k) => ({ id: `g${k + 1}`, type: 'bbox' as const, ...b })),
    };
    if (scene.hardCase !== undefined) item.hardCase = scene.hardCase;
    items.push(item);
  }
  writeSet('vehicles-pedestrians-bbox', items);
}

function ner(): void {
  const items = NER_PRACTICE.map((p, i): PracticeItem => {
    const { text, spans } = parseMarked(p.marked);
    const item: PracticeItem = {
      id: `sentence-${String(i + 1).padStart(2, '0')}`,
      difficulty: p.difficulty,
      media: { kind: 'text', text },
      gold: spans.map((s, k) => ({ id: `g${k + 1}`, type: 'span' as const, ...s })),
    };
    if (p.hardCase !== undefined) item.hardCase = p.hardCase;
    return item;
  });
  writeSet('chinese-ner', items);
}

await vehicles();
ner();
if (check && drift.length > 0) {
  console.error(`practice sets differ from the generator: ${drift.join(', ')}`);
  process.exit(1);
}
console.log(check ? 'practice sets match the generator' : 'practice sets written');
