import { useId } from 'react';
import { useT } from '../i18n/index.tsx';

interface PagerProps {
  page: number;
  pageSize: number;
  total: number;
  pageSizes?: readonly number[];
  onPage: (page: number) => void;
  onPageSize: (size: number) => void;
}

export function Pager({ page, pageSize, total, pageSizes = [25, 50, 100, 200], onPage, onPageSize }: PagerProps) {
  const t = useT();
  const sizeId = useId();
  const pages = Math.max(1, Math.ceil(total / pageSize));
  return (
    <nav className="pager" aria-label={t('pager.label')} data-testid="pagination">
      <button type="button" className="btn btn--small" disabled={page <= 1} onClick={() => onPage(page - 1)} data-testid="pagination-prev">
        {t('pager.prev')}
      </button>
      <span className="pager__status" aria-live="polite" data-testid="pagination-status">
        {t('pager.page', { page, pages })}
      </span>
      <button
        type="button"
        className="btn btn--small"
        disabled={page >= pages}
        onClick={() => onPage(page + 1)}
        data-testid="pagination-next"
      >
        {t('pager.next')}
      </button>
      <label htmlFor={sizeId} className="pager__size-label">
        {t('pager.pageSize')}
      </label>
      <select id={sizeId} value={pageSize} onChange={(e) => onPageSize(Number(e.target.value))} data-testid="pagination-size">
        {pageSizes.map((n) => (
          <option key={n} value={n}>
            {n}
          </option>
        ))}
      </select>
    </nav>
  );
}
