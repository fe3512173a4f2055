import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import type Konva from 'konva';
import { Layer, Shape, Stage } from 'react-konva';
import type { EditorState, EditorStore } from '../editor/store.ts';
import type { Rect } from '../editor/types.ts';
import { drawImageLevel } from './draw-image.ts';
import { drawOverlay } from './draw-overlay.ts';
import { drawRegions, editingId, paletteOf } from './draw-regions.ts';
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

function viewRect(s: EditorState): Rect {
  const { x, y, scale } = s.viewport;
  return { x: -x / scale, y: -y / scale, w: s.stage.width / scale, h: s.stage.height / scale };
}

/**
 * The image editor's drawing area. Two layers: the scene (the image, drawn once from the display
 * level that suits the zoom, and all regions, batched by colour and culled to the view) and an
 * overlay (selection, handles, the shape being drawn) that redraws alone while editing. Nothing listens for Konva hit events: pointer
 * input goes to the tools in image pixels. The store drives redraws directly, not React renders.
 */
export function ImageCanvas({ store, image, space, label, describedBy }: ImageCanvasProps) {
  const container = useRef<HTMLDivElement>(null);
  const sceneLayer = useRef<Konva.Layer>(null);
  const imageShape = useRef<Konva.Shape>(null);
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
    const ro = new ResizeObserver(([entry]) => {
      if (!entry) return;
      const next = { width: Math.floor(entry.contentRect.width), height: Math.floor(entry.contentRect.height) };
      setSize(next);
      store.setStage(next);
    });
    ro.observe(el);
    return () => ro.disconnect();
  }, [store]);

  useEffect(() => {
    if (image) store.setImage({ width: image.width, height: image.height });
    sceneLayer.current?.batchDraw();
  }, [image, store]);

  const layers = () => [sceneLayer.current, overlayLayer.current];
  // Only the image shape is transformed; regions are drawn in screen pixels (see draw-regions.ts).
  const place = (s: EditorState) => {
    imageShape.current?.setAttrs({ x: s.viewport.x, y: s.viewport.y, scaleX: s.viewport.scale, scaleY: s.viewport.scale });
  };
  const drawOverlayIfShown = (s: EditorState) => {
    const shown = s.selection.length > 0 || s.hover !== null || s.draft !== null || s.keyboardCursor !== null;
    if (shown || overlayShown.current) overlayLayer.current?.batchDraw();
    overlayShown.current = shown;
  };

  // The stage appears once the container has a size: put the layers where the view is.
  useLayoutEffect(() => {
    place(store.getState());
    for (const l of layers()) l?.batchDraw();
  }, [size.width, size.height, store]);

  useEffect(() => {
    return store.subscribe((s, p) => {
      if (s.viewport !== p.viewport || s.stage !== p.stage || s.image !== p.image) {
        place(s);
        sceneLayer.current?.batchDraw();
        drawOverlayIfShown(s);
        return;
      }
      if (s.regions !== p.regions || s.pending !== p.pending || s.hidden !== p.hidden || s.hiddenLabels !== p.hiddenLabels || editingId(s) !== editingId(p)) {
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
        s.pending !== p.pending
      ) {
        drawOverlayIfShown(s);
      }
    });
  }, [store]);

  const dpr = typeof window === 'undefined' ? 1 : window.devicePixelRatio || 1;

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
            <Shape
              ref={imageShape}
              listening={false}
              perfectDrawEnabled={false}
              sceneFunc={(ctx) => {
                const img = imageRef.current;
                const s = store.getState();
                if (img) drawImageLevel(ctx._context, img, s.viewport, s.stage, dpr);
              }}
            />
            <Shape listening={false} perfectDrawEnabled={false} sceneFunc={(ctx) => drawRegions(ctx._context, store.getState(), palette, viewRect(store.getState()))} />
          </Layer>
          <Layer ref={overlayLayer} listening={false}>
            <Shape listening={false} perfectDrawEnabled={false} sceneFunc={(ctx) => drawOverlay(ctx._context, store.getState(), palette)} />
          </Layer>
        </Stage>
      )}
    </div>
  );
}
