import { useEffect, type RefObject } from 'react';
import type { EditorStore } from '../editor/store.ts';
import type { PointerInput } from '../editor/types.ts';
import { screenToImage, wheelFactor } from '../editor/viewport.ts';
import type { SpacePan } from './space-pan.ts';

/**
 * Pointer and wheel events on the stage element, turned into tool input in image pixels, pans
 * (middle button, or Space + drag) and zooms around the cursor.
 */
export function useStageInput(ref: RefObject<HTMLDivElement | null>, store: EditorStore, space: SpacePan): void {
  useEffect(() => {
    const node = ref.current;
    if (!node) return;
    let pan: { id: number; x: number; y: number } | null = null;
    const local = (e: MouseEvent) => {
      const r = node.getBoundingClientRect();
      return { x: e.clientX - r.left, y: e.clientY - r.top };
    };
    const input = (kind: PointerInput['kind'], e: MouseEvent): PointerInput => ({
      kind,
      point: screenToImage(store.getState().viewport, local(e)),
      button: e.button,
      shift: e.shiftKey,
      alt: e.altKey,
      mod: e.ctrlKey || e.metaKey,
    });
    const capture = (id: number) => {
      try {
        node.setPointerCapture(id);
      } catch {
        // Synthetic or already-released pointers cannot be captured; dragging still works inside the stage.
      }
    };
    const showCursor = () => {
      node.style.cursor = pan ? 'grabbing' : space.held ? 'grab' : store.getState().cursor;
    };

    const down = (e: PointerEvent) => {
      node.focus({ preventScroll: true });
      if (e.button === 1 || (e.button === 0 && space.held)) {
        e.preventDefault();
        pan = { id: e.pointerId, x: e.clientX, y: e.clientY };
        space.used = true;
        capture(e.pointerId);
        showCursor();
        return;
      }
      if (e.button !== 0) return;
      capture(e.pointerId);
      store.hideKeyboardCursor();
      store.pointer(input('down', e));
    };
    const move = (e: PointerEvent) => {
      if (pan) {
        if (e.pointerId !== pan.id) return;
        store.panBy(e.clientX - pan.x, e.clientY - pan.y);
        pan = { id: pan.id, x: e.clientX, y: e.clientY };
        return;
      }
      store.pointer(input('move', e));
    };
    const up = (e: PointerEvent) => {
      if (pan && e.pointerId === pan.id) {
        pan = null;
        showCursor();
        return;
      }
      if (e.button === 0) store.pointer(input('up', e));
    };
    const leave = () => {
      if (!pan && store.getState().hover) store.pointer({ kind: 'move', point: { x: -1e9, y: -1e9 }, button: 0, shift: false, alt: false, mod: false });
    };
    const dbl = (e: MouseEvent) => {
      if (e.button === 0) store.pointer(input('double', e));
    };
    const wheel = (e: WheelEvent) => {
      e.preventDefault();
      const dy = e.deltaMode === 1 ? e.deltaY * 16 : e.deltaMode === 2 ? e.deltaY * 400 : e.deltaY;
      store.zoomBy(wheelFactor(dy), local(e));
    };
    // No autoscroll on middle click, no context menu over the image.
    const mouseDown = (e: MouseEvent) => {
      if (e.button === 1) e.preventDefault();
    };
    const menu = (e: MouseEvent) => e.preventDefault();

    node.addEventListener('pointerdown', down);
    node.addEventListener('pointermove', move);
    node.addEventListener('pointerup', up);
    node.addEventListener('pointercancel', up);
    node.addEventListener('pointerleave', leave);
    node.addEventListener('dblclick', dbl);
    node.addEventListener('wheel', wheel, { passive: false });
    node.addEventListener('mousedown', mouseDown);
    node.addEventListener('contextmenu', menu);
    const offSpace = space.onChange(showCursor);
    const offStore = store.subscribe((s, p) => {
      if (s.cursor !== p.cursor) showCursor();
    });
    showCursor();
    return () => {
      node.removeEventListener('pointerdown', down);
      node.removeEventListener('pointermove', move);
      node.removeEventListener('pointerup', up);
      node.removeEventListener('pointercancel', up);
      node.removeEventListener('pointerleave', leave);
      node.removeEventListener('dblclick', dbl);
      node.removeEventListener('wheel', wheel);
      node.removeEventListener('mousedown', mouseDown);
      node.removeEventListener('contextmenu', menu);
      offSpace();
      offStore();
    };
  }, [ref, store, space]);
}
