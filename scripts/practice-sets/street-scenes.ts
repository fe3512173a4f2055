import { rectIou, seededRandom, type RandomSource } from '@labelwork/core';

/** A drawn object: its SVG and its exact bounding box (the gold box). */
interface Drawn {
  svg: string;
  boxes: { label: string; x: number; y: number; w: number; h: number }[];
}

const W = 640;
const H = 400;
const HORIZON = 190;

const pick = <T>(r: RandomSource, xs: readonly T[]): T => xs[Math.floor(r() * xs.length) % xs.length] as T;
const rect = (x: number, y: number, w: number, h: number, fill: string, rx = 0) =>
  `<rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${w.toFixed(1)}" height="${h.toFixed(1)}" rx="${rx.toFixed(1)}" fill="${fill}"/>`;
const circle = (cx: number, cy: number, r: number, fill: string) =>
  `<circle cx="${cx.toFixed(1)}" cy="${cy.toFixed(1)}" r="${r.toFixed(1)}" fill="${fill}"/>`;
const wheel = (cx: number, cy: number, r: number) => circle(cx, cy, r, '#1d1d1d') + circle(cx, cy, r * 0.45, '#8a8f96');

// Each draws with its bounding box's top-left at (x, y) and scale s.
function car(x: number, y: number, s: number, color: string): Drawn {
  const svg =
    rect(x + 28 * s, y, 64 * s, 26 * s, color, 8 * s) +
    rect(x + 36 * s, y + 5 * s, 22 * s, 15 * s, '#cfe3f5') +
    rect(x + 62 * s, y + 5 * s, 22 * s, 15 * s, '#cfe3f5') +
    rect(x, y + 20 * s, 120 * s, 40 * s, color, 10 * s) +
    wheel(x + 25 * s, y + 60 * s, 10 * s) +
    wheel(x + 95 * s, y + 60 * s, 10 * s);
  return { svg, boxes: [{ label: 'car', x, y, w: 120 * s, h: 70 * s }] };
}

function bus(x: number, y: number, s: number, color: string): Drawn {
  let svg = rect(x, y, 220 * s, 80 * s, color, 8 * s);
  for (let i = 0; i < 6; i++) svg += rect(x + (12 + i * 34) * s, y + 10 * s, 26 * s, 24 * s, '#cfe3f5');
  svg += wheel(x + 40 * s, y + 80 * s, 12 * s) + wheel(x + 180 * s, y + 80 * s, 12 * s);
  return { svg, boxes: [{ label: 'bus', x, y, w: 220 * s, h: 92 * s }] };
}

function truck(x: number, y: number, s: number, color: string): Drawn {
  const svg =
    rect(x, y + 20 * s, 50 * s, 60 * s, color, 6 * s) +
    rect(x + 8 * s, y + 28 * s, 30 * s, 20 * s, '#cfe3f5') +
    rect(x + 52 * s, y, 150 * s, 80 * s, '#d9d4c7', 3 * s) +
    wheel(x + 25 * s, y + 80 * s, 12 * s) +
    wheel(x + 120 * s, y + 80 * s, 12 * s) +
    wheel(x + 175 * s, y + 80 * s, 12 * s);
  return { svg, boxes: [{ label: 'truck', x, y, w: 202 * s, h: 92 * s }] };
}

function tricycle(x: number, y: number, s: number): Drawn {
  const svg =
    rect(x + 40 * s, y, 60 * s, 30 * s, '#3f7f4f', 3 * s) +
    rect(x + 10 * s, y + 10 * s, 32 * s, 6 * s, '#444') +
    wheel(x + 12 * s, y + 36 * s, 12 * s) +
    wheel(x + 80 * s, y + 36 * s, 12 * s);
  return { svg, boxes: [{ label: 'tricycle', x, y, w: 100 * s, h: 48 * s }] };
}

function twoWheeler(x: number, y: number, s: number, label: 'bicycle' | 'motorcycle'): Drawn {
  let svg = wheel(x + 14 * s, y + 26 * s, 14 * s) + wheel(x + 62 * s, y + 26 * s, 14 * s);
  if (label === 'motorcycle') svg += rect(x + 10 * s, y + 8 * s, 56 * s, 16 * s, '#7b3fa0', 5 * s);
  else svg += rect(x + 14 * s, y + 14 * s, 48 * s, 3 * s, '#2a6f97') + rect(x + 18 * s, y + 4 * s, 10 * s, 3 * s, '#333');
  svg += rect(x + 56 * s, y, 10 * s, 4 * s, '#333') + rect(x + 59 * s, y + 2 * s, 3 * s, 20 * s, '#333');
  return { svg, boxes: [{ label, x, y, w: 76 * s, h: 40 * s }] };
}

function person(x: number, y: number, s: number, shirt: string): Drawn {
  const svg =
    circle(x + 10 * s, y + 8 * s, 8 * s, '#e0b48a') +
    rect(x + 4 * s, y + 16 * s, 12 * s, 29 * s, shirt) +
    rect(x, y + 18 * s, 20 * s, 6 * s, shirt) +
    rect(x + 4 * s, y + 45 * s, 5 * s, 25 * s, '#2b2b2b') +
    rect(x + 11 * s, y + 45 * s, 5 * s, 25 * s, '#2b2b2b');
  return { svg, boxes: [{ label: 'pedestrian', x, y, w: 20 * s, h: 70 * s }] };
}

/** A rider on a bicycle or motorcycle: the person's box and the vehicle's box (hard cases 1–3, rule 4.7). */
function riding(x: number, y: number, s: number, vehicle: 'bicycle' | 'motorcycle', shirt: string): Drawn {
  const v = twoWheeler(x, y + 44 * s, s, vehicle);
  const by = y + 44 * s;
  const svg =
    v.svg +
    circle(x + 30 * s, by - 36 * s, 8 * s, '#e0b48a') +
    rect(x + 24 * s, by - 28 * s, 12 * s, 30 * s, shirt) +
    rect(x + 36 * s, by - 24 * s, 24 * s, 6 * s, shirt) +
    rect(x + 26 * s, by + 2 * s, 8 * s, 26 * s, '#2b2b2b');
  return { svg, boxes: [{ label: 'rider', x: x + 22 * s, y, w: 38 * s, h: 72 * s }, ...v.boxes] };
}

type Kind = 'car' | 'bus' | 'truck' | 'tricycle' | 'motorcycle' | 'bicycle' | 'pedestrian' | 'rider' | 'walking-bike';

/** Width and height of each kind at scale 1, for placing it on the road. */
const SIZE: Record<Kind, [number, number]> = {
  car: [120, 70],
  bus: [220, 92],
  truck: [202, 92],
  tricycle: [100, 48],
  motorcycle: [76, 40],
  bicycle: [76, 40],
  pedestrian: [20, 70],
  rider: [76, 84],
  'walking-bike': [100, 70],
};

function draw(kind: Kind, x: number, y: number, s: number, r: RandomSource): Drawn {
  const colors = ['#c0392b', '#2e6db4', '#e1b12c', '#7f8c8d', '#16a085', '#f5f5f5'];
  switch (kind) {
    case 'car':
      return car(x, y, s, pick(r, colors));
    case 'bus':
      return bus(x, y, s, pick(r, ['#e67e22', '#27ae60', '#2980b9']));
    case 'truck':
      return truck(x, y, s, pick(r, ['#8e44ad', '#2c3e50', '#d35400']));
    case 'tricycle':
      return tricycle(x, y, s);
    case 'motorcycle':
    case 'bicycle':
      return twoWheeler(x, y, s, kind);
    case 'pedestrian':
      return person(x, y, s, pick(r, colors));
    case 'rider':
      return riding(x, y, s, pick(r, ['bicycle', 'motorcycle'] as const), pick(r, colors));
    case 'walking-bike': {
      // Hard case 1: a person beside a bicycle, both feet on the ground: pedestrian + bicycle.
      const p = person(x, y, s, pick(r, colors));
      const b = twoWheeler(x + 24 * s, y + 30 * s, s, 'bicycle');
      return { svg: p.svg + b.svg, boxes: [...p.boxes, ...b.boxes] };
    }
  }
}

export interface StreetScene {
  svg: string;
  width: number;
  height: number;
  boxes: { label: string; x: number; y: number; w: number; h: number }[];
}

/**
 * A street scene with the given kinds of object at random places on the road (seeded), none hiding
 * another much, and the gold boxes rounded to 0.1 px. Larger `difficulty` draws smaller objects.
 */
export function streetScene(seed: number, kinds: readonly Kind[], difficulty: 1 | 2 | 3): StreetScene {
  const r = seededRandom(seed);
  const [lo, hi] = difficulty === 1 ? [1.1, 1.5] : difficulty === 2 ? [0.8, 1.2] : [0.5, 0.9];
  const placed: Drawn[] = [];
  const taken: { x: number; y: number; w: number; h: number }[] = [];
  for (const kind of kinds) {
    for (let attempt = 0; attempt < 200; attempt++) {
      const s = lo + r() * (hi - lo);
      const [w, h] = SIZE[kind];
      const x = 8 + r() * (W - 16 - w * s);
      const y = HORIZON + 20 + r() * (H - HORIZON - 28 - h * s);
      const box = { x, y, w: w * s, h: h * s };
      if (taken.some((t) => rectIou(t, box) > 0 || (Math.abs(t.x - box.x) < 4 && Math.abs(t.y - box.y) < 4))) continue;
      taken.push(box);
      placed.push(draw(kind, x, y, s, r));
      break;
    }
  }
  // Farther (higher) objects first, so nearer ones are drawn over them.
  const order = placed.map((p, i) => i).sort((a, b) => taken[a]!.y + taken[a]!.h - (taken[b]!.y + taken[b]!.h));
  const body = order.map((i) => placed[i]!.svg).join('');
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}">
<rect width="${W}" height="${HORIZON}" fill="#9dbfe3"/>
${rect(30, 70, 110, HORIZON - 70, '#6f7a8a')}${rect(170, 40, 90, HORIZON - 40, '#5d6878')}${rect(420, 90, 140, HORIZON - 90, '#7a8595')}
<rect y="${HORIZON}" width="${W}" height="${H - HORIZON}" fill="#55585f"/>
${Array.from({ length: 8 }, (_, i) => rect(i * 84 + 10, H - 60, 48, 5, '#e8e8e8')).join('')}
${body}
</svg>`;
  const round = (v: number) => Math.round(v * 10) / 10;
  const boxes = placed.flatMap((p) => p.boxes).map((b) => ({ label: b.label, x: round(b.x), y: round(b.y), w: round(b.w), h: round(b.h) }));
  return { svg, width: W, height: H, boxes };
}

export type { Kind as SceneObjectKind };
