import { utf16ToCodePoint } from '@labelwork/core';

/**
 * Code-point offset in the item text of a DOM boundary point (a Selection's anchor or focus)
 * inside the text view. Text runs carry `data-start`/`data-end`; span tags carry `data-after`
 * (the offset they sit at) and hold no text of the item.
 */
export function offsetAt(root: HTMLElement, node: Node | null, offset: number): number | null {
  if (!node || !root.contains(node)) return null;
  if (node.nodeType === Node.TEXT_NODE) {
    const el = node.parentElement;
    const run = el?.closest<HTMLElement>('[data-start]');
    if (run && root.contains(run)) return Number(run.dataset.start) + utf16ToCodePoint((node as Text).data, offset);
    const tag = el?.closest<HTMLElement>('[data-after]');
    return tag ? Number(tag.dataset.after) : null;
  }
  const el = node as HTMLElement;
  if (el.dataset?.start !== undefined) return offset === 0 ? Number(el.dataset.start) : Number(el.dataset.end);
  if (el.dataset?.after !== undefined) return Number(el.dataset.after);
  // A container: the boundary sits between children; use the nearest run or tag around it.
  for (let i = offset - 1; i >= 0; i--) {
    const end = edgeOf(el.childNodes[i], 'end');
    if (end !== null) return end;
  }
  for (let i = offset; i < el.childNodes.length; i++) {
    const start = edgeOf(el.childNodes[i], 'start');
    if (start !== null) return start;
  }
  return null;
}

function edgeOf(node: Node | undefined, which: 'start' | 'end'): number | null {
  if (!(node instanceof HTMLElement)) return null;
  if (node.dataset.after !== undefined) return Number(node.dataset.after);
  if (node.dataset.start !== undefined) return Number(which === 'start' ? node.dataset.start : node.dataset.end);
  const runs = node.querySelectorAll<HTMLElement>('[data-start]');
  const run = which === 'start' ? runs[0] : runs[runs.length - 1];
  return run ? Number(which === 'start' ? run.dataset.start : run.dataset.end) : null;
}
