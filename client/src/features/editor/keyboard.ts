import type { KeyInput } from '../../editor/shortcuts.ts';

export const isMac = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform || navigator.userAgent);

export function keyInput(e: KeyboardEvent): KeyInput {
  return {
    key: e.key,
    code: e.code,
    ctrlKey: e.ctrlKey,
    metaKey: e.metaKey,
    shiftKey: e.shiftKey,
    altKey: e.altKey,
    repeat: e.repeat,
    isComposing: e.isComposing,
  };
}

const ARROWS = new Set(['ArrowLeft', 'ArrowRight', 'ArrowUp', 'ArrowDown', 'Home', 'End']);

/**
 * True when the focused control needs this key itself: everything typed into text fields and
 * selects, arrows in radio groups, Space and Enter on buttons, links, checkboxes.
 */
export function controlOwnsKey(e: KeyboardEvent): boolean {
  const el = e.target;
  if (!(el instanceof HTMLElement)) return false;
  if (el.isContentEditable || el instanceof HTMLTextAreaElement || el instanceof HTMLSelectElement) return true;
  if (el instanceof HTMLInputElement && !['checkbox', 'radio', 'button', 'submit', 'reset', 'range', 'color'].includes(el.type))
    return true;
  if (el instanceof HTMLInputElement && (el.type === 'radio' || el.type === 'range') && ARROWS.has(e.key)) return true;
  if ((e.key === ' ' || e.key === 'Enter') && el.closest('button, a[href], input, summary, [role="button"]')) return true;
  return false;
}
