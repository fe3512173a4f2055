import { useEffect, useState } from 'react';
import { isAbortError } from '../../api/http.ts';
import type { TileManifest } from '@labelwork/core';
import { loadImage, type ImageLevels } from '../../canvas/image-levels.ts';

/** `tiles`: the image's tile pyramid is still being built (its progress). */
export type ImageLoad =
  | { status: 'loading'; tiles?: Pick<TileManifest, 'done' | 'total'> }
  | { status: 'ready'; image: ImageLevels }
  | { status: 'error'; error: unknown };

/** Fetches, decodes and prepares display levels of an image (or its tile pyramid); frees the bitmaps when done. */
export function useImageLevels(url: string | null, size: { width: number; height: number } | null): ImageLoad {
  const [state, setState] = useState<ImageLoad>({ status: 'loading' });
  const w = size?.width;
  const h = size?.height;
  useEffect(() => {
    if (!url) return;
    const ctl = new AbortController();
    let image: ImageLevels | null = null;
    setState({ status: 'loading' });
    loadImage(url, w && h ? { width: w, height: h } : null, ctl.signal, (m) => {
      if (!ctl.signal.aborted) setState({ status: 'loading', tiles: { done: m.done, total: m.total } });
    }).then(
      (img) => {
        if (ctl.signal.aborted) return img.close();
        image = img;
        setState({ status: 'ready', image: img });
      },
      (error: unknown) => {
        if (!ctl.signal.aborted && !isAbortError(error)) setState({ status: 'error', error });
      },
    );
    return () => {
      ctl.abort();
      image?.close();
    };
  }, [url, w, h]);
  return state;
}
