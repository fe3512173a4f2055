import { seededRandom, type LabelSchema, type Region } from '@labelwork/core';

/** Deterministic pseudo-random numbers, so every bench run draws the same scene. */
export const rng = seededRandom;

export const imageSchema: LabelSchema = {
  labels: [
    { name: 'car', color: '#e6194b', hotkey: 'c', tool: 'bbox' },
    { name: 'pedestrian', color: '#3cb44b', tool: 'bbox' },
    { name: 'cyclist', color: '#ffe119', tool: 'bbox' },
    { name: 'sign', color: '#42d4f4', tool: 'bbox' },
    { name: 'road', color: '#4363d8', tool: 'polygon' },
    {
      name: 'person-pose',
      color: '#f58231',
      tool: 'keypoints',
      points: ['head', 'l-hand', 'r-hand', 'l-foot', 'r-foot'],
      edges: [
        { from: 'head', to: 'l-hand' },
        { from: 'head', to: 'r-hand' },
        { from: 'head', to: 'l-foot' },
        { from: 'head', to: 'r-foot' },
      ],
    },
    { name: 'night', color: '#911eb4', tool: 'class-single' },
    { name: 'day', color: '#f032e6', tool: 'class-single' },
    { name: 'rain', color: '#469990', tool: 'class-multi' },
  ],
};

export const textSchema: LabelSchema = {
  labels: [
    { name: 'PER', color: '#e6194b', hotkey: 'p', tool: 'span' },
    { name: 'ORG', color: '#3cb44b', hotkey: 'o', tool: 'span' },
    { name: 'LOC', color: '#4363d8', hotkey: 'l', tool: 'span' },
    { name: '新闻', color: '#f58231', tool: 'class-single' },
    { name: '体育', color: '#911eb4', tool: 'class-single' },
    { name: '含表情', color: '#469990', tool: 'class-multi' },
  ],
};

const BOX_LABELS = ['car', 'pedestrian', 'cyclist', 'sign'];

export function boxes(n: number, width: number, height: number, seed = 1, prefix = 'b'): Region[] {
  const r = rng(seed);
  return Array.from({ length: n }, (_, i) => {
    const w = 20 + r() * 180;
    const h = 20 + r() * 140;
    return {
      id: `${prefix}${i}`,
      type: 'bbox' as const,
      label: BOX_LABELS[i % BOX_LABELS.length]!,
      x: r() * (width - w),
      y: r() * (height - h),
      w,
      h,
    };
  });
}

export function polygons(n: number, points: number, width: number, height: number, seed = 2): Region[] {
  const r = rng(seed);
  return Array.from({ length: n }, (_, i) => {
    const cx = 150 + r() * (width - 300);
    const cy = 150 + r() * (height - 300);
    const rad = 40 + r() * 100;
    return {
      id: `p${i}`,
      type: 'polygon' as const,
      label: 'road',
      points: Array.from({ length: points }, (_, k) => {
        const a = (k / points) * Math.PI * 2;
        const rr = rad * (0.7 + r() * 0.3);
        return { x: cx + Math.cos(a) * rr, y: cy + Math.sin(a) * rr };
      }),
    };
  });
}

/** A street-like test picture: sky, road, buildings and a grid, at any size. */
export async function syntheticImage(width: number, height: number): Promise<ImageBitmap> {
  const c = new OffscreenCanvas(width, height);
  const g = c.getContext('2d')!;
  const sky = g.createLinearGradient(0, 0, 0, height * 0.55);
  sky.addColorStop(0, '#7fa7d9');
  sky.addColorStop(1, '#d7e4f2');
  g.fillStyle = sky;
  g.fillRect(0, 0, width, height);
  const r = rng(7);
  for (let i = 0; i < 40; i++) {
    const bw = width * (0.03 + r() * 0.06);
    const bh = height * (0.15 + r() * 0.3);
    const x = r() * width;
    g.fillStyle = `hsl(${200 + r() * 40}, 12%, ${35 + r() * 30}%)`;
    g.fillRect(x, height * 0.55 - bh, bw, bh);
    g.fillStyle = 'rgba(255,240,180,0.6)';
    for (let y = height * 0.55 - bh + 12; y < height * 0.55 - 20; y += 28)
      for (let wx = x + 8; wx < x + bw - 14; wx += 22) if (r() > 0.4) g.fillRect(wx, y, 10, 14);
  }
  g.fillStyle = '#55585e';
  g.fillRect(0, height * 0.55, width, height * 0.45);
  g.strokeStyle = '#f2f2f2';
  g.lineWidth = Math.max(4, width / 600);
  g.setLineDash([width / 40, width / 50]);
  g.beginPath();
  g.moveTo(0, height * 0.78);
  g.lineTo(width, height * 0.78);
  g.stroke();
  g.setLineDash([]);
  g.strokeStyle = 'rgba(0,0,0,0.08)';
  g.lineWidth = 1;
  g.beginPath();
  for (let x = 0; x < width; x += 100) {
    g.moveTo(x, 0);
    g.lineTo(x, height);
  }
  for (let y = 0; y < height; y += 100) {
    g.moveTo(0, y);
    g.lineTo(width, y);
  }
  g.stroke();
  g.fillStyle = 'rgba(0,0,0,0.45)';
  g.font = `${Math.round(width / 60)}px sans-serif`;
  g.fillText(`${width} × ${height}`, width * 0.02, height * 0.05);
  return c.transferToImageBitmap();
}
