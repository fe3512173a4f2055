import { itemTitleOf, type CommentAnchor, type Lang, type Region, type ReviewComment, type ReviewTask } from '@labelwork/core';
import type { Pin } from '../../editor/types.ts';
import type { Translate } from '../../i18n/index.tsx';

/** Where a comment points, in words: a region by its number in the annotation and its label when known. */
export function anchorText(t: Translate, a: CommentAnchor, regions?: readonly Region[]): string {
  if (a.kind === 'region') {
    const i = regions?.findIndex((r) => r.id === a.regionId) ?? -1;
    return i >= 0 ? t('review.anchor.regionOf', { n: i + 1, label: regions![i]!.label }) : t('review.anchor.region', { id: a.regionId });
  }
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

/** Comments as numbered pins (1, 2, … in list order) at their region or span; item comments have no place to pin. */
export function pinsOf(comments: readonly ReviewComment[]): Pin[] {
  return comments.map((c, i) => ({
    id: c.id,
    n: i + 1,
    text: c.text,
    ...(c.anchor.kind === 'region' ? { regionId: c.anchor.regionId } : {}),
    ...(c.anchor.kind === 'span' ? { span: { start: c.anchor.start, end: c.anchor.end } } : {}),
  }));
}

/**
 * How review screens and toasts name an item: its file name, else the first words of its text,
 * else (nothing known) "#" and the end of its id.
 */
export function itemLabel(item: { id: string; name?: string | null; text?: string | null }): string {
  return itemTitleOf(item) ?? `#${item.id.slice(-6)}`;
}

/** `itemLabel` of the item a review or rework task carries. */
export function taskItemLabel(itemId: string, item?: ReviewTask['item']): string {
  return itemLabel({ id: itemId, name: item?.image?.name ?? null, text: item?.text ?? null });
}
