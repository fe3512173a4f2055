import { useState } from 'react';
import type { Item, Project } from '@labelwork/core';
import { fileUrl, listItems } from '../../api/projects.ts';
import { Link } from '../../app/link.tsx';
import { paths } from '../../app/router.ts';
import { useT } from '../../i18n/index.tsx';
import { ErrorAlert } from '../../ui/alert.tsx';
import { Pager } from '../../ui/pager.tsx';
import { useLoad } from '../../ui/use-load.ts';

const PREVIEW_CHARS = 200;

/** The first ~200 characters (code points, so no split surrogate pairs) of an item's text. */
export function textPreview(text: string): string {
  const chars = Array.from(text.slice(0, PREVIEW_CHARS * 2));
  return chars.length > PREVIEW_CHARS || text.length > PREVIEW_CHARS * 2 ? `${chars.slice(0, PREVIEW_CHARS).join('')}…` : chars.join('');
}

export function ItemsTab({ project }: { project: Project }) {
  const t = useT();
  const [page, setPage] = useState(1);
  const [pageSize, setPageSize] = useState(50);
  const [load, reload] = useLoad((signal) => listItems(project.id, page, pageSize, signal), [project.id, page, pageSize]);
  const data = load.data;

  return (
    <div className="items" aria-busy={load.status === 'loading'}>
      <div className="toolbar">
        <span data-testid="item-count">{t('items.total', { total: data?.total ?? project.counts.items })}</span>
      </div>
      {load.status === 'error' && <ErrorAlert error={load.error} onRetry={reload} />}
      {!data && load.status === 'loading' && <p className="muted">{t('app.loading')}</p>}
      {data && data.total === 0 && <p className="empty">{t('items.empty')}</p>}
      {data && data.items.length > 0 && (
        <table className="table table--items" data-testid="item-table">
          <thead>
            <tr>
              <th scope="col" className="num">
                {t('items.col.seq')}
              </th>
              <th scope="col">{t('items.col.preview')}</th>
              <th scope="col">{t('items.col.status')}</th>
              <th scope="col" className="num">
                {t('items.col.annotations')}
              </th>
            </tr>
          </thead>
          <tbody>
            {data.items.map((item) => (
              <ItemRow key={item.id} item={item} />
            ))}
          </tbody>
        </table>
      )}
      {data && data.total > 0 && (
        <Pager
          page={page}
          pageSize={pageSize}
          total={data.total}
          onPage={setPage}
          onPageSize={(n) => {
            setPageSize(n);
            setPage(1);
          }}
        />
      )}
    </div>
  );
}

function ItemRow({ item }: { item: Item }) {
  const t = useT();
  return (
    <tr data-testid="item-row" data-item-id={item.id}>
      <td className="num">{item.seq}</td>
      <td>
        <div className="item-preview">
          {item.image ? (
            <>
              <img
                className="item-preview__thumb"
                src={fileUrl(item.image.thumbId)}
                alt={t('items.thumbAlt', { name: item.image.name })}
                loading="lazy"
                decoding="async"
                data-testid="item-thumb"
              />
              <div className="item-preview__meta">
                <div className="item-preview__name">{item.image.name}</div>
                <div className="muted small">
                  {item.image.width}×{item.image.height}
                </div>
              </div>
            </>
          ) : (
            <p className="item-preview__text" data-testid="item-text">
              {textPreview(item.text ?? '')}
            </p>
          )}
          {item.gold && (
            <span className="badge badge--gold" data-testid="item-gold">
              {t('items.gold')}
            </span>
          )}
          {item.externalId && <span className="muted small item-preview__external">{item.externalId}</span>}
          <Link to={paths.itemGold(item.projectId, item.id)} className="small" data-testid="item-gold-link" aria-label={t('gold.openFor', { seq: item.seq })}>
            {t('gold.open')}
          </Link>
        </div>
      </td>
      <td>
        <span className={`badge badge--item-${item.status}`}>{t(`itemStatus.${item.status}`)}</span>
      </td>
      <td className="num">{item.annotationCount}</td>
    </tr>
  );
}
