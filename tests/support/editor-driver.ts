import type { Page } from 'playwright-core';
import { drag } from './browser.ts';

/**
 * Drives the annotation editor like a person (Excalidraw's Pointer/Keyboard habit): points are
 * given in image pixels and turned into page positions with the editor's fitted view (16 px
 * padding, centred), so a test says "a box from (120, 100) to (320, 260)" and checks the pixels
 * that arrive on the server.
 */

export interface Size {
  width: number;
  height: number;
}
export interface Pt {
  x: number;
  y: number;
}

/** The stage's page box and the view that fits `image` into it (press F first if the view moved). */
export async function stageView(page: Page, image: Size): Promise<{ left: number; top: number; scale: number; x: number; y: number }> {
  const box = await page.getByTestId('editor-stage').evaluate((el) => {
    const r = el.getBoundingClientRect();
    const cs = getComputedStyle(el);
    const padX = parseFloat(cs.paddingLeft) + parseFloat(cs.paddingRight);
    const padY = parseFloat(cs.paddingTop) + parseFloat(cs.paddingBottom);
    // The stage is sized from the content box (ResizeObserver), floored to whole pixels.
    return { left: r.left, top: r.top, width: Math.floor(el.clientWidth - padX), height: Math.floor(el.clientHeight - padY) };
  });
  const pad = 16;
  const scale = Math.min((box.width - 2 * pad) / image.width, (box.height - 2 * pad) / image.height);
  return { left: box.left, top: box.top, scale, x: (box.width - image.width * scale) / 2, y: (box.height - image.height * scale) / 2 };
}

export async function toPage(page: Page, image: Size, p: Pt): Promise<Pt> {
  const v = await stageView(page, image);
  return { x: v.left + v.x + p.x * v.scale, y: v.top + v.y + p.y * v.scale };
}

/** Fits the image (F) so image ↔ page positions are known. */
export async function fitView(page: Page): Promise<void> {
  await page.getByTestId('editor-stage').focus();
  await page.keyboard.press('f');
}

/** Drags a box from image point a to b with the current tool (bbox). */
export async function drawBox(page: Page, image: Size, a: Pt, b: Pt): Promise<void> {
  const pa = await toPage(page, image, a);
  const pb = await toPage(page, image, b);
  await drag(page, pa.x, pa.y, pb.x, pb.y);
}

/** Clicks a polygon's vertices, then the first again to close it. */
export async function drawPolygon(page: Page, image: Size, points: readonly Pt[]): Promise<void> {
  for (const p of [...points, points[0]!]) {
    const q = await toPage(page, image, p);
    await page.mouse.click(q.x, q.y);
  }
}

/** Clicks a skeleton's points in the schema's order (the last one completes it). */
export async function placeKeypoints(page: Page, image: Size, points: readonly Pt[]): Promise<void> {
  for (const p of points) {
    const q = await toPage(page, image, p);
    await page.mouse.click(q.x, q.y);
  }
}

export async function clickImage(page: Page, image: Size, p: Pt): Promise<void> {
  const q = await toPage(page, image, p);
  await page.mouse.click(q.x, q.y);
}

/** Drags from one image point to another (select tool: moves a region or a handle). */
export async function dragImage(page: Page, image: Size, a: Pt, b: Pt): Promise<void> {
  await drawBox(page, image, a, b);
}

/**
 * Selects the text from code point `start` to `end` (exclusive) in the text editor with the
 * mouse: press at the left edge of the first character, release at the right edge of the last.
 */
export async function selectText(page: Page, start: number, end: number): Promise<void> {
  const [a, b] = await page.getByTestId('text-content').evaluate(
    (root, [s, e]) => {
      const rectOf = (cp: number): DOMRect => {
        for (const run of Array.from(root.querySelectorAll<HTMLElement>('[data-start]'))) {
          const rs = Number(run.dataset.start);
          const re = Number(run.dataset.end);
          if (cp < rs || cp >= re) continue;
          const node = run.firstChild as Text;
          const chars = Array.from(node.data);
          const from = chars.slice(0, cp - rs).join('').length;
          const range = document.createRange();
          range.setStart(node, from);
          range.setEnd(node, from + chars[cp - rs]!.length);
          return range.getBoundingClientRect();
        }
        throw new Error(`no character at ${cp}`);
      };
      const first = rectOf(s);
      const last = rectOf(e - 1);
      return [
        { x: first.left + 1, y: first.top + first.height / 2 },
        { x: last.right - 1, y: last.top + last.height / 2 },
      ];
    },
    [start, end] as const,
  );
  await drag(page, a.x, a.y, b.x, b.y, 6);
}
