import sharp from 'sharp';

/**
 * A small street scene (PNG) for browser tests and screenshots: sky, buildings, a road with lane
 * marks, two cars and a person, at known places so tests can draw on them. `variant` changes the
 * shade of one lane mark, so two images of one test are different files (imports skip duplicates).
 */
export async function streetScene(width = 960, height = 640, variant = 0): Promise<Buffer> {
  const windows: string[] = [];
  const buildings = [
    [40, 120, 150, 250],
    [210, 70, 130, 300],
    [360, 150, 170, 220],
    [560, 90, 120, 280],
    [700, 140, 210, 230],
  ];
  for (const [bx, by, bw, bh] of buildings) {
    for (let y = by! + 14; y < by! + bh! - 20; y += 26)
      for (let x = bx! + 12; x < bx! + bw! - 14; x += 22)
        windows.push(`<rect x="${x}" y="${y}" width="10" height="14" fill="#f3e6a8" opacity="0.8"/>`);
  }
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">
  <defs><linearGradient id="sky" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="#7fa8d9"/><stop offset="1" stop-color="#d7e4f2"/></linearGradient></defs>
  <rect width="${width}" height="${height}" fill="url(#sky)"/>
  ${buildings.map(([x, y, w, h], i) => `<rect x="${x}" y="${y}" width="${w}" height="${h}" fill="${['#5d6878', '#6f7a8a', '#56606f', '#7a8595', '#646f7f'][i]}"/>`).join('')}
  ${windows.join('')}
  <rect x="0" y="370" width="${width}" height="${height - 370}" fill="#4a4d54"/>
  <rect x="0" y="365" width="${width}" height="10" fill="#9aa0a8"/>
  ${Array.from({ length: 12 }, (_, i) => `<rect x="${i * 84 + 10}" y="500" width="48" height="6" fill="${i === 0 && variant > 0 ? `rgb(242,242,${(242 - variant * 7) % 256})` : '#f2f2f2'}"/>`).join('')}
  <g><rect x="130" y="410" width="190" height="70" rx="14" fill="#c0392b"/><rect x="165" y="385" width="110" height="40" rx="10" fill="#d35446"/>
     <rect x="178" y="392" width="38" height="26" fill="#cfe3f5"/><rect x="224" y="392" width="38" height="26" fill="#cfe3f5"/>
     <circle cx="170" cy="482" r="18" fill="#1d1d1d"/><circle cx="282" cy="482" r="18" fill="#1d1d1d"/></g>
  <g><rect x="560" y="430" width="160" height="60" rx="12" fill="#2e6db4"/><rect x="590" y="408" width="96" height="34" rx="9" fill="#3b7fcc"/>
     <rect x="600" y="414" width="34" height="22" fill="#cfe3f5"/><rect x="640" y="414" width="34" height="22" fill="#cfe3f5"/>
     <circle cx="592" cy="492" r="15" fill="#1d1d1d"/><circle cx="690" cy="492" r="15" fill="#1d1d1d"/></g>
  <g stroke="#2b2b2b" stroke-width="6" stroke-linecap="round"><line x1="820" y1="330" x2="820" y2="390"/><line x1="820" y1="345" x2="796" y2="372"/><line x1="820" y1="345" x2="846" y2="372"/>
     <line x1="820" y1="390" x2="806" y2="430"/><line x1="820" y1="390" x2="836" y2="430"/></g>
  <circle cx="820" cy="318" r="12" fill="#e0b48a"/>
</svg>`;
  return sharp(Buffer.from(svg)).png().toBuffer();
}
