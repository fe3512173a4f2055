import { useEffect, useState } from 'react';
import { SERVER_EVENTS, type Item, type ItemStatus, type Project, type TilesProgressPayload } from '@labelwork/core';
import { listImports, searchItems } from '../../api/items.ts';
import { fileUrl } from '../../api/projects.ts';
import { Link } from '../../app/link.tsx';
import { useSocket } from '../../app/socket.tsx';
import { paths } from '../../app/router.ts';
import { useT } from '../../i18n/index.tsx';
import { ErrorAlert } from '../../ui/alert.tsx';
import { Pager } from '../../ui/pager.tsx';
import { useLoad } from '../../ui/use-load.ts';
import { ItemsDeleteBar } from './items-delete.tsx';
import './items-tab.css';

const PREVIEW_CHARS = 200;

/** The first ~200 characters (code points, so no split surrogate pairs) of an item's text. */
export function textPreview(text: string): string {
  const chars = Array.from(text.slice(0, PREVIEW_CHARS * 2));
  return chars.length > PREVIEW_CHARS || text.length > PREVIEW_CHARS * 2 ? `${chars.slice(0, PREVIEW_CHARS).join('')}…` : chars.join('');
}

const STATUSES: readonly ItemStatus[] = ['new', 'queued', 'in-progress', 'complete'];
const SEARCH_DELAY_MS = 300;

/** Items of a project: search, filters by status and import, selection and delete, links to each item. */
export function ItemsTab({ project }: { project: Project }) {
  const t = useT();
  const [page, setPage] = useState(1);
  const [pageSize, setPageSize] = useState(50);
  const [typed, setTyped] = useState('');
  const [q, setQ] = useState('');
  const [status, setStatus] = useState<ItemStatus | ''>('');
  const [importId, setImportId] = useState('');
  const [selected, setSelected] = useState<string[]>([]);
  const [version, setVersion] = useState(0);
  useEffect(() => {
    const timer = setTimeout(() => {
      setQ(typed.trim());
      setPage(1);
    }, SEARCH_DELAY_MS);
    return () => clearTimeout(timer);
  }, [typed]);
  const query = { page, pageSize, ...(q ? { q } : {}), ...(status ? { status } : {}), ...(importId ? { importId } : {}) };
  const [load, reload] = useLoad(
    (signal) => searchItems(project.id, query, signal),
    [project.id, page, pageSize, q, status, importId, version],
  );
  const [imports] = useLoad((signal) => listImports(project.id, signal), [project.id, version]);
  const data = load.data;
  // Tile pyramids being built move on live (`tiles:progress`), by image file.
  const socket = useSocket();
  const [liveTiles, setLiveTiles] = useState<Record<string, NonNullable<Item['tiles']>>>({});
  useEffect(() => {
    if (!socket) return;
    const onTiles = (p: TilesProgressPayload) => {
      if (p.projectId === project.id) setLiveTiles((m) => ({ ...m, [p.fileId]: { status: p.status, done: p.done, total: p.total } }));
    };
    socket.on(SERVER_EVENTS.tilesProgress, onTiles);
    return () => {
      socket.off(SERVER_EVENTS.tilesProgress, onTiles);
    };
  }, [socket, project.id]);
  const filtered = Boolean(q || status || importId);
  const onPageIds = data?.items.map((i) => i.id) ?? [];
  const allOnPage = onPageIds.length > 0 && onPageIds.every((id) => selected.includes(id));
  const toggle = (id: string) => setSelected((s) => (s.includes(id) ? s.filter((x) => x !== id) : [...s, id]));
  const togglePage = () => setSelected((s) => (allOnPage ? s.filter((id) => !onPageIds.includes(id)) : [...new Set([...s, ...onPageIds])]));

  return (
    <div className="items" aria-busy={load.status === 'loading'}>
      <div className="toolbar items__filters">
        <label className="items__filter">
          <span>{t('items.search')}</span>
          <input
            type="search"
            value={typed}
            placeholder={t('items.searchPlaceholder')}
            onChange={(e) => setTyped(e.target.value)}
            data-testid="items-search"
          />
        </label>
        <label className="items__filter">
          <span>{t('items.filter.status')}</span>
          <select
            value={status}
            onChange={(e) => {
              setStatus(e.target.value as ItemStatus | '');
              setPage(1);
            }}
            data-testid="items-filter-status"
          >
            <option value="">{t('items.filter.anyStatus')}</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {t(`itemStatus.${s}`)}
              </option>
            ))}
          </select>
        </label>
        <label className="items__filter">
          <span>{t('items.filter.import')}</span>
          <select
            value={importId}
            onChange={(e) => {
              setImportId(e.target.value);
              setPage(1);
            }}
            data-testid="items-filter-import"
          >
            <option value="">{t('items.filter.anyImport')}</option>
            {(imports.data ?? [])
              .filter((i) => i.status === 'complete')
              .map((i) => (
                <option key={i.id} value={i.id}>
                  {t('items.filter.importOption', { name: i.fileName, date: new Date(i.createdAt).toLocaleString(), total: i.total })}
                </option>
              ))}
          </select>
        </label>
        <span data-testid="item-count">{t('items.total', { total: data?.total ?? project.counts.items })}</span>
      </div>
      <ItemsDeleteBar
        projectId={project.id}
        selected={selected}
        onDeleted={() => {
          setSelected([]);
          setVersion((v) => v + 1);
        }}
      />
      {load.status === 'error' && <ErrorAlert error={load.error} onRetry={reload} />}
      {!data && load.status === 'loading' && <p className="muted">{t('app.loading')}</p>}
      {data &&
        data.total === 0 &&
        (filtered ? (
          <p className="empty" data-testid="items-no-match">
            {t('items.noMatch')}
          </p>
        ) : (
          <p className="empty">{t('items.empty')}</p>
        ))}
      {data && data.items.length > 0 && (
        <table className="table table--items" data-testid="item-table">
          <thead>
            <tr>
              <th scope="col" className="items__check">
                <input
                  type="checkbox"
                  checked={allOnPage}
                  onChange={togglePage}
                  aria-label={t('items.selectPage')}
                  data-testid="items-select-page"
                />
              </th>
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
              <ItemRow
                key={item.id}
                item={item}
                tiles={(item.image && liveTiles[item.image.fileId]) || item.tiles}
                selected={selected.includes(item.id)}
                onToggle={() => toggle(item.id)}
              />
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

function ItemRow({ item, tiles, selected, onToggle }: { item: Item; tiles: Item['tiles']; selected: boolean; onToggle: () => void }) {
  const t = useT();
  const open = paths.item(item.projectId, item.id);
  return (
    <tr data-testid="item-row" data-item-id={item.id}>
      <td className="items__check">
        <input
          type="checkbox"
          checked={selected}
          onChange={onToggle}
          aria-label={t('items.selectItem', { seq: item.seq })}
          data-testid="item-select"
        />
      </td>
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
                <Link to={open} className="item-preview__name" data-testid="item-link" aria-label={t('items.open', { seq: item.seq })}>
                  {item.image.name}
                </Link>
                <div className="muted small">
                  {item.image.width}×{item.image.height}
                  {tiles && (
                    <span className="item-preview__tiles" data-testid="item-tiles" data-state={tiles.status}>
                      {' · '}
                      {t(`items.tiles.${tiles.status}`, { percent: Math.floor((100 * tiles.done) / Math.max(1, tiles.total)) })}
                    </span>
                  )}
                </div>
              </div>
            </>
          ) : (
            <Link to={open} className="item-preview__text" data-testid="item-link" aria-label={t('items.open', { seq: item.seq })}>
              <span data-testid="item-text">{textPreview(item.text ?? '')}</span>
            </Link>
          )}
          {item.gold && (
            <span className="badge badge--gold" data-testid="item-gold">
              {t('items.gold')}
            </span>
          )}
          {item.externalId && <span className="muted small item-preview__external">{item.externalId}</span>}
          <Link
            to={paths.itemGold(item.projectId, item.id)}
            className="small"
            data-testid="item-gold-link"
            aria-label={t('gold.openFor', { seq: item.seq })}
          >
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
