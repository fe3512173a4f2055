import type { CommentAnchor, Lang } from '@labelwork/core';
import type { Translate } from '../../i18n/index.tsx';

/** Where a comment points, in words. */
export function anchorText(t: Translate, a: CommentAnchor): string {
  if (a.kind === 'region') return t('review.anchor.region', { id: a.regionId });
  if (a.kind === 'span') return t('review.anchor.span', { start: a.start, end: a.end });
  return t('review.anchor.item');
}

const cache = new Map<string, Intl.NumberFormat>();
function nf(lang: Lang, opts: Intl.NumberFormatOptions): Intl.NumberFormat {
  const k = `${lang}|${JSON.stringify(opts)}`;
  let f = cache.get(k);
  if (!f) cache.set(k, (f = new Intl.NumberFormat(lang, opts)));
  return f;
}

/** A number in the UI language with at most `digits` decimals. */
export function formatNumber(lang: Lang, v: number, digits = 0): string {
  return nf(lang, { maximumFractionDigits: digits, minimumFractionDigits: 0 }).format(v);
}

/** 0.123 → "12.3%" (or "12.3%" in zh-CN). */
export function formatPercent(lang: Lang, v: number, digits = 1): string {
  return nf(lang, { style: 'percent', maximumFractionDigits: digits }).format(v);
}

export function formatTime(lang: Lang, at: string | number): string {
  return new Intl.DateTimeFormat(lang, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' }).format(new Date(at));
}
