import sharp from 'sharp';

export const imageSchema = {
  labels: [
    { name: 'car', color: '#e6194b', hotkey: 'c', tool: 'bbox' },
    { name: 'pedestrian', color: '#3cb44b', hotkey: 'e', tool: 'bbox' },
    { name: 'road', color: '#4363d8', tool: 'polygon' },
    {
      name: 'person-pose',
      color: '#f58231',
      tool: 'keypoints',
      points: ['head', 'left-hand', 'right-hand'],
      edges: [
        { from: 'head', to: 'left-hand' },
        { from: 'head', to: 'right-hand' },
      ],
    },
    { name: 'night', color: '#911eb4', tool: 'class-single' },
  ],
};

export const textSchema = {
  labels: [
    { name: 'PER', color: '#e6194b', hotkey: 'p', tool: 'span' },
    { name: 'ORG', color: '#3cb44b', hotkey: 'o', tool: 'span' },
    { name: 'LOC', color: '#4363d8', hotkey: 'l', tool: 'span' },
    { name: 'news', color: '#f58231', tool: 'class-single' },
  ],
};

export async function pngBuffer(width = 64, height = 48, color = '#336699'): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: color } })
    .png()
    .toBuffer();
}
export async function jpegBuffer(width = 64, height = 48): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: '#aa3322' } })
    .jpeg()
    .toBuffer();
}
export async function webpBuffer(width = 64, height = 48): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: '#22aa33' } })
    .webp()
    .toBuffer();
}
export const safeSvg =
  '<svg xmlns="http://www.w3.org/2000/svg" width="120" height="80"><rect width="120" height="80" fill="#eee"/><circle cx="40" cy="40" r="20" fill="#c33"/></svg>';
