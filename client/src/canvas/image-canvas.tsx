import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import type Konva from 'konva';
import { Layer, Shape, Stage } from 'react-konva';
import type { EditorState, EditorStore } from '../editor/store.ts';
import { drawOverlay } from './draw-overlay.ts';
import { editingId, paletteOf } from './draw-regions.ts';
import { drawScene, SceneCache } from './scene.ts';
import type { ImageLevels } from './image-levels.ts';
import type { SpacePan } from './space-pan.ts';
import { useStageInput } from './use-stage-input.ts';

interface ImageCanvasProps {
  store: EditorStore;
  image: ImageLevels | null;
  space: SpacePan;
  /** Accessible name of the drawing area. */
  label: string;
  /** Describes the keyboard use of the drawing area (id of an element). */
  describedBy?: string;
}

/** Quiet time after the view last moved before the scene bitmap is rebuilt. */
const REBUILD_MS = 150;
/** Below this many regions, drawing them is cheaper than keeping a bitmap of the scene. */
const CACHE_FROM = 300;

/**
 * The image editor's drawing area. Two layers: the scene (the image, drawn once from the display
 * level that suits the zoom, and all regions, batched by colour and culled to the view) and an
 * overlay (selection, handles, the shape being drawn) that redraws alone while editing. Nothing listens for Konva hit events: pointer
 * input goes to the tools in image pixels. The store drives redraws directly, not React renders.
 */
export function ImageCanvas({ store, image, space, label, describedBy }: ImageCanvasProps) {
  const container = useRef<HTMLDivElement>(null);
  const sceneLayer = useRef<Konva.Layer>(null);
  const cache = useMemo(() => new SceneCache(), []);
  const rebuildTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const overlayLayer = useRef<Konva.Layer>(null);
  // Whether the overlay canvas shows anything: an empty overlay need not be redrawn while panning.
  const overlayShown = useRef(false);
  const [size, setSize] = useState({ width: 0, height: 0 });
  const palette = useMemo(() => paletteOf(store.schema), [store]);
  const imageRef = useRef(image);
  imageRef.current = image;

  useStageInput(container, store, space);

  useEffect(() => {
    const el = container.current;
    if (!el) return;
    // Where the stage's top-left was on the page: when its box changes (a panel above it grows or
    // goes), the view moves by the same amount the other way, so the image stays where it was on
    // the screen, under the pointer — no jump, and a drag in progress lands where it was aimed.
    let corner: { left: number; top: number } | null = null;
    const ro = new ResizeObserver(([entry]) => {
      if (!entry) return;
      const next = { width: Math.floor(entry.contentRect.width), height: Math.floor(entry.contentRect.height) };
      const r = el.getBoundingClientRect();
      const moved = corner ? { x: corner.left - r.left, y: corner.top - r.top } : { x: 0, y: 0 };
      corner = { left: r.left, top: r.top };
      setSize(next);
      store.setStage(next, moved);
    });
    ro.observe(el);
    return () => ro.disconnect();
  }, [store]);

  useEffect(() => {
    if (image) store.setImage({ width: image.width, height: image.height });
    sceneLayer.current?.batchDraw();
    // A tile that arrives is drawn in the next frame.
    return image?.tiles?.onChange(() => sceneLayer.current?.batchDraw());
  }, [image, store]);

  const layers = () => [sceneLayer.current, overlayLayer.current];
  const dpr = typeof window === 'undefined' ? 1 : window.devicePixelRatio || 1;

  // Once nothing has changed for a moment, redraw the scene bitmap at the current zoom.
  const scheduleRebuild = () => {
    if (rebuildTimer.current) clearTimeout(rebuildTimer.current);
    rebuildTimer.current = setTimeout(() => {
      rebuildTimer.current = null;
      const s = store.getState();
      if (cache.sharp(s, imageRef.current)) return;
      cache.rebuild(s, imageRef.current, palette, dpr, store.index);
      sceneLayer.current?.batchDraw();
    }, REBUILD_MS);
  };
  useEffect(
    () => () => {
      if (rebuildTimer.current) clearTimeout(rebuildTimer.current);
      cache.clear();
    },
    [cache],
  );

  // The bitmap pays off while the view moves over many regions. An edit repaints only the part of
  // it the edit touched (`patch`), so drawing a shape costs the same with 50 or 50,000 regions. It is
  // rebuilt whole only once things are quiet (after the view moved, or a change it could not patch).
  const viewMoved = useRef(false);
  const drawSceneFrame = (ctx: CanvasRenderingContext2D) => {
    const s = store.getState();
    const img = imageRef.current;
    const moved = viewMoved.current;
    viewMoved.current = false;
    const patched = cache.patch(s, img, palette, dpr, store.index, (from) => store.touchedSince(from));
    if (cache.draw(ctx, s, img, dpr)) {
      if (!cache.sharp(s, img)) scheduleRebuild();
      return;
    }
    drawScene(ctx, s, s.viewport, s.stage, img, palette, dpr, store.index);
    if ((moved || !patched) && s.regions.length >= CACHE_FROM) scheduleRebuild();
  };
  const drawOverlayIfShown = (s: EditorState) => {
    const shown = s.selection.length > 0 || s.hover !== null || s.draft !== null || s.keyboardCursor !== null;
    if (shown || overlayShown.current) overlayLayer.current?.batchDraw();
    overlayShown.current = shown;
  };

  // The stage appears once the container has a size.
  useLayoutEffect(() => {
    for (const l of layers()) l?.batchDraw();
  }, [size.width, size.height, store]);

  useEffect(() => {
    return store.subscribe((s, p) => {
      if (s.viewport !== p.viewport || s.stage !== p.stage || s.image !== p.image) {
        viewMoved.current = true;
        sceneLayer.current?.batchDraw();
        drawOverlayIfShown(s);
        return;
      }
      if (
        s.regions !== p.regions ||
        s.pending !== p.pending ||
        s.hidden !== p.hidden ||
        s.hiddenLabels !== p.hiddenLabels ||
        s.pins !== p.pins ||
        editingId(s) !== editingId(p)
      ) {
        sceneLayer.current?.batchDraw();
      }
      if (
        s.regions !== p.regions ||
        s.selection !== p.selection ||
        s.activeVertex !== p.activeVertex ||
        s.draft !== p.draft ||
        s.hover !== p.hover ||
        s.keyboardCursor !== p.keyboardCursor ||
        s.hidden !== p.hidden ||
        s.hiddenLabels !== p.hiddenLabels ||
        s.locked !== p.locked ||
        s.pending !== p.pending ||
        s.pins !== p.pins
      ) {
        drawOverlayIfShown(s);
      }
    });
  }, [store]);

  return (
    <div
      ref={container}
      className="image-canvas"
      data-testid="editor-stage"
      tabIndex={0}
      role="application"
      aria-roledescription="canvas"
      aria-label={label}
      aria-describedby={describedBy}
    >
      {size.width > 0 && size.height > 0 && (
        <Stage width={size.width} height={size.height} listening={false}>
          <Layer ref={sceneLayer} listening={false}>
            <Shape listening={false} perfectDrawEnabled={false} sceneFunc={(ctx) => drawSceneFrame(ctx._context)} />
          </Layer>
          <Layer ref={overlayLayer} listening={false}>
            <Shape
              listening={false}
              perfectDrawEnabled={false}
              sceneFunc={(ctx) => drawOverlay(ctx._context, store.getState(), palette, store.index)}
            />
          </Layer>
        </Stage>
      )}
    </div>
  );
}
