import { useCallback, useRef, useState } from 'react';
import { labelDefinitions, type Lang, type LabelSchema } from '@labelwork/core';
import { getGuideline, type GuidelineDetail } from '../../api/guidelines.ts';

export type Definitions =
  | { status: 'idle' }
  | { status: 'loading' }
  | { status: 'error'; error: unknown }
  | { status: 'ready'; byLang: (lang: Lang) => Record<string, string> };

/**
 * Per-label definitions from the project's guideline (GET /api/guidelines/:slug/:version),
 * fetched the first time someone asks for one. Names come from the project's label schema.
 */
export function useLabelDefinitions(ref: { slug: string; version: string } | undefined, schema: LabelSchema): [Definitions, () => void] {
  const [state, setState] = useState<Definitions>({ status: 'idle' });
  const started = useRef(false);
  const load = useCallback(() => {
    if (!ref || (started.current && state.status !== 'error')) return;
    started.current = true;
    setState({ status: 'loading' });
    getGuideline(ref.slug, ref.version).then(
      (g: GuidelineDetail) => {
        const body = { 'zh-CN': g.body['zh-CN'] ?? '', en: g.body.en ?? '' };
        const cache = new Map<Lang, Record<string, string>>();
        const byLang = (lang: Lang) => {
          let defs = cache.get(lang);
          if (!defs) cache.set(lang, (defs = labelDefinitions({ labelSchema: schema, body }, lang)));
          return defs;
        };
        setState({ status: 'ready', byLang });
      },
      (error: unknown) => setState({ status: 'error', error }),
    );
  }, [ref, schema, state.status]);
  return [state, load];
}
