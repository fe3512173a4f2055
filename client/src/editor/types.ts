import type { KeypointsRegion, Region } from '@labelwork/core';

/** One named point of a keypoints region (COCO visibility v: 0 not labelled, 1 occluded, 2 visible). */
export type Keypoint = KeypointsRegion['points'][number];

export interface Vec {
  x: number;
  y: number;
}

export interface Size {
  width: number;
  height: number;
}

export interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** Screen position of image point p is `p * scale + (x, y)` (CSS pixels of the stage). */
export interface Viewport {
  x: number;
  y: number;
  scale: number;
}

/**
 * Drawing and editing tools of the image editor. Text spans and classes have their own panels.
 * `assist` asks the project's interactive model backend for a region (only where the page offers it).
 */
export type ToolId = 'select' | 'bbox' | 'polygon' | 'keypoints' | 'assist';
export const TOOL_IDS: readonly ToolId[] = ['select', 'bbox', 'polygon', 'keypoints', 'assist'];

/** A pointer event as tools see it: already in image pixels (not clamped), no DOM. */
export interface PointerInput {
  kind: 'down' | 'move' | 'up' | 'double';
  point: Vec;
  /** 0 primary, 1 middle, 2 secondary. */
  button: number;
  shift: boolean;
  alt: boolean;
  /** Ctrl on Windows/Linux, Cmd on macOS. */
  mod: boolean;
}

/** Keys a tool may consume while it is busy (drawing, dragging). */
export type ToolKey = 'Enter' | 'Escape' | 'Backspace' | 'skip-point';

/**
 * What is being drawn or dragged, shown on top of the regions and not yet part of them.
 * `region.id` equals an existing region's id while that region is edited (moved, resized…).
 */
export interface Draft {
  region: Region;
  isNew: boolean;
  /** Where the pointer is, for rubber-band lines (polygon) and the next keypoint's name. */
  cursor?: Vec | null;
  /** Polygon: the pointer is over the first point, so a click closes the shape. */
  closing?: boolean;
  /** Keypoints: name of the point the next click places. */
  nextPoint?: string | null;
}

export type { Region };

/**
 * A reviewer's comment shown on the item: a numbered pin at its region (image) or after its span
 * (text); item comments have neither and are listed only.
 */
export interface Pin {
  id: string;
  /** 1-based number, the same as in the comment list. */
  n: number;
  text: string;
  regionId?: string;
  /** Code points [start, end) of a text item. */
  span?: { start: number; end: number };
}
