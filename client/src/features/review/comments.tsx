import type { Region, ReviewComment } from '@labelwork/core';
import type { Translate } from '../../i18n/index.tsx';
import { anchorText } from './format.ts';

/** Comments, numbered like their pins on the item; a comment's anchor can select its region or span. */
export function CommentList({
  comments,
  t,
  regions,
  onShow,
}: {
  comments: readonly ReviewComment[];
  t: Translate;
  /** The regions comments point into (to name them by number and label), or a lookup per comment. */
  regions?: readonly Region[] | ((c: ReviewComment) => readonly Region[] | undefined);
  onShow?: (c: ReviewComment) => void;
}) {
  const regionsFor = (c: ReviewComment) => (typeof regions === 'function' ? regions(c) : regions);
  if (!comments.length) return <p className="muted small">{t('review.noComments')}</p>;
  return (
    <ul className="review__comments" data-testid="comment-list">
      {comments.map((c, i) => (
        <li
          key={c.id}
          data-testid="comment"
          data-anchor={c.anchor.kind}
          data-region-id={c.anchor.kind === 'region' ? c.anchor.regionId : undefined}
        >
          <span className="review__anchor small">
            <span className="pin-badge" aria-hidden="true">
              {i + 1}
            </span>
            {onShow && c.anchor.kind !== 'item' ? (
              <button type="button" className="btn btn--ghost btn--small" onClick={() => onShow(c)} data-testid="comment-anchor">
                {anchorText(t, c.anchor, regionsFor(c))}
              </button>
            ) : (
              anchorText(t, c.anchor, regionsFor(c))
            )}
          </span>
          <span data-testid="comment-text">{c.text}</span>
        </li>
      ))}
    </ul>
  );
}
