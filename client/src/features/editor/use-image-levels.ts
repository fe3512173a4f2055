import { useEffect, useState } from 'react';
import { isAbortError } from '../../api/http.ts';
import { loadImageLevels, type ImageLevels } from '../../canvas/image-levels.ts';

export type ImageLoad = { status: 'loading' } | { status: 'ready'; image: ImageLevels } | { status: 'error'; error: unknown };

/** Fetches, decodes and prepares display levels of an image; frees the bitmaps when done. */
export function useImageLevels(url: string | null, size: { width: number; height: number } | null): ImageLoad {
  const [state, setState] = useState<ImageLoad>({ status: 'loading' });
  const w = size?.width;
  const h = size?.height;
  useEffect(() => {
    if (!url) return;
    const ctl = new AbortController();
    let image: ImageLevels | null = null;
    setState({ status: 'loading' });
    loadImageLevels(url, w && h ? { width: w, height: h } : null, ctl.signal).then(
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
