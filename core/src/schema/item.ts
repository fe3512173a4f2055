import { z } from 'zod';
import { Id } from './common.ts';
import { AnnotationContent } from './region.ts';

/** One line of a JSONL text import (or one CSV row: columns text, id, meta (JSON), gold (JSON)). */
export const TextItemImport = z.object({
  text: z.string().min(1, 'text must not be empty').max(1_000_000),
  /** The customer's own id for the item, kept for export. */
  id: z.union([z.string().max(200), z.number()]).optional(),
  meta: z.record(z.string(), z.unknown()).optional(),
  gold: AnnotationContent.optional(),
});
export type TextItemImport = z.infer<typeof TextItemImport>;

export const ItemStatus = z.enum(['new', 'queued', 'in-progress', 'complete']);
export type ItemStatus = z.infer<typeof ItemStatus>;

export interface ImageInfo {
  fileId: Id;
  thumbId: Id;
  name: string;
  mime: 'image/png' | 'image/jpeg' | 'image/webp' | 'image/svg+xml';
  width: number;
  height: number;
  bytes: number;
}

/** An item as the API returns it. */
export interface Item {
  id: Id;
  projectId: Id;
  seq: number;
  kind: 'image' | 'text';
  externalId?: string;
  text?: string;
  /** Text length in Unicode code points (span offsets count these). */
  textLength?: number;
  image?: ImageInfo;
  meta?: Record<string, unknown>;
  gold?: AnnotationContent;
  status: ItemStatus;
  annotationCount: number;
  importId: Id;
  createdAt: string;
  /** In item lists: the state of a large image's tile pyramid (docs/tile-pyramids.md). */
  tiles?: { status: 'queued' | 'building' | 'ready' | 'failed'; done: number; total: number };
}

/** Length of a string in Unicode code points, the unit of span offsets (as Python's len()). */
export function codePointLength(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    n++;
  }
  return n;
}
