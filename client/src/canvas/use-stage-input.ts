import { useEffect, type RefObject } from 'react';
import type { EditorStore } from '../editor/store.ts';
import type { PointerInput } from '../editor/types.ts';
import { screenToImage, wheelFactor } from '../editor/viewport.ts';
import type { SpacePan } from './space-pan.ts';

/** Events Konva's stage would otherwise handle (and measure the page for) on every pointer move. */
const KONVA_EVENTS = [
  'mouseenter',
  'mousedown',
  'mousemove',
  'mouseup',
  'mouseleave',
  'touchstart',
  'touchmove',
  'touchend',
  'touchcancel',
  'pointerenter',
  'pointerdown',
  'pointermove',
  'pointerup',
  'pointercancel',
  'pointerleave',
  'pointerover',
  'pointerout',
  'lostpointercapture',
  'wheel',
  'contextmenu',
  'dblclick',
  'click',
] as const;

/**
 * Pointer and wheel events on the stage element, turned into tool input in image pixels, pans
 * (middle button, or Space + drag) and zooms around the cursor. Listeners run in the capture
 * phase and stop there: the Konva stage listens to nothing (its layers are drawn from the store),
 * and letting it see events would measure the page layout on every move.
 */
export function useStageInput(ref: RefObject<HTMLDivElement | null>, store: EditorStore, space: SpacePan): void {
  useEffect(() => {
    const node = ref.current;
    if (!node) return;
    let pan: { id: number; x: number; y: number } | null = null;
    // The stage's page position, measured when a gesture starts (not on every move: measuring
    // forces a layout, and the side panels change while drawing).
    let rect: DOMRect | null = null;
    const measure = () => (rect = node.getBoundingClientRect());
    const local = (e: MouseEvent) => {
      const r = rect ?? measure();
      return { x: e.clientX - r.left, y: e.clientY - r.top };
    };
    const forget = () => (rect = null);
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
      measure();
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
    const enter = () => measure();
    const leave = (e: PointerEvent) => {
      // Leaving one of the stage's own canvases for another is not leaving the stage.
      if (e.target !== node) return;
      if (!pan && store.getState().hover)
        store.pointer({ kind: 'move', point: { x: -1e9, y: -1e9 }, button: 0, shift: false, alt: false, mod: false });
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

    const stop = (e: Event) => e.stopPropagation();
    const on = <K extends keyof HTMLElementEventMap>(type: K, f: (e: HTMLElementEventMap[K]) => void, passive = true) =>
      node.addEventListener(type, f, { capture: true, passive });
    for (const type of KONVA_EVENTS) node.addEventListener(type, stop, { capture: true });
    on('pointerdown', down, false);
    on('pointermove', move);
    on('pointerup', up);
    on('pointercancel', up);
    on('pointerenter', enter);
    on('pointerleave', leave);
    on('dblclick', dbl);
    on('wheel', wheel, false);
    on('mousedown', mouseDown, false);
    on('contextmenu', menu, false);
    window.addEventListener('scroll', forget, { capture: true, passive: true });
    window.addEventListener('resize', forget);
    const ro = new ResizeObserver(forget);
    ro.observe(node);
    const offSpace = space.onChange(showCursor);
    const offStore = store.subscribe((s, p) => {
      if (s.cursor !== p.cursor) showCursor();
    });
    showCursor();
    return () => {
      for (const type of KONVA_EVENTS) node.removeEventListener(type, stop, { capture: true });
      const off = (type: string, f: (e: never) => void) => node.removeEventListener(type, f as EventListener, { capture: true });
      off('pointerdown', down);
      off('pointermove', move);
      off('pointerup', up);
      off('pointercancel', up);
      off('pointerenter', enter);
      off('pointerleave', leave);
      off('dblclick', dbl);
      off('wheel', wheel);
      off('mousedown', mouseDown);
      off('contextmenu', menu);
      window.removeEventListener('scroll', forget, { capture: true });
      window.removeEventListener('resize', forget);
      ro.disconnect();
      offSpace();
      offStore();
    };
  }, [ref, store, space]);
}
