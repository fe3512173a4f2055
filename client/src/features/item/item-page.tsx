import { useEffect, useMemo, useRef, useState } from 'react';
import { SERVER_EVENTS, type ItemDetail, type Project, type User } from '@labelwork/core';
import { getProject } from '../../api/projects.ts';
import { itemDetail } from '../../api/review.ts';
import { Link } from '../../app/link.tsx';
import { paths } from '../../app/router.ts';
import { useSocket } from '../../app/socket.tsx';
import type { EditorStore } from '../../editor/store.ts';
import type { Pin } from '../../editor/types.ts';
import { useI18n, useT } from '../../i18n/index.tsx';
import { ErrorAlert } from '../../ui/alert.tsx';
import { useLoad } from '../../ui/use-load.ts';
import { AnnotationEditor } from '../editor/annotation-editor.tsx';
import { CommentList } from '../review/comments.tsx';
import {
  annotatorColor,
  CompareGrid,
  CONSENSUS_COLOR,
  GOLD_COLOR,
  ItemAgreement,
  LayerToggles,
  layerRegionId,
  LayoutSwitch,
  overlayOf,
  useShownLayers,
  type CompareLayer,
  type CompareLayout,
} from '../review/compare.tsx';
import { formatNumber, formatTime } from '../review/format.ts';
import { PresenceChips, usePresence } from '../review/presence.tsx';
import '../review/review.css';

const CONSENSUS = 'consensus';
const GOLD = 'gold';

/**
 * A lead's view of one item, where the dashboard's numbers lead: every annotation of it overlaid
 * (a colour per annotator, toggled) or side by side, the consensus and the gold answer, item
 * agreement, gold scores, and every verdict and comment. Updates when the item completes.
 */
export function ItemPage({ projectId, itemId, user }: { projectId: string; itemId: string; user: User }) {
  const t = useT();
  const socket = useSocket();
  const [project] = useLoad((signal) => getProject(projectId, signal), [projectId]);
  const [detail, reload] = useLoad((signal) => itemDetail(projectId, itemId, signal), [projectId, itemId]);
  const present = usePresence(projectId, itemId);

  // New annotations, agreement or review of this item while the page is open: read it again.
  useEffect(() => {
    if (!socket) return;
    const onItem = (p: { itemId: string }) => {
      if (p.itemId === itemId) reload();
    };
    socket.on(SERVER_EVENTS.itemComplete, onItem);
    socket.on(SERVER_EVENTS.reviewComment, onItem);
    socket.on('connect', reload);
    return () => {
      socket.off(SERVER_EVENTS.itemComplete, onItem);
      socket.off(SERVER_EVENTS.reviewComment, onItem);
      socket.off('connect', reload);
    };
  }, [socket, itemId, reload]);

  return (
    <div className="page page--wide review-page" data-testid="item-page" data-item-id={itemId}>
      <nav className="breadcrumbs" aria-label={t('nav.breadcrumbs')}>
        <Link to={paths.projects()}>{t('nav.projects')}</Link>
        <span aria-hidden="true"> / </span>
        <Link to={paths.project(projectId)}>{project.data?.name ?? '…'}</Link>
        <span aria-hidden="true"> / </span>
        <Link to={paths.project(projectId, 'dashboard')}>{t('item.backToDashboard')}</Link>
        <span aria-hidden="true"> / </span>
        <span>{detail.data ? `#${detail.data.seq}` : t('item.title', { id: itemId.slice(-6) })}</span>
      </nav>
      <div className="page__head">
        <h1 className="page__title">
          {detail.data
            ? t('item.titleOf', { seq: detail.data.seq, name: detail.data.name ?? itemId.slice(-6) })
            : t('item.title', { id: itemId.slice(-6) })}
          {detail.data?.gold && <span className="badge review__badge">{t('item.gold')}</span>}
        </h1>
        <PresenceChips users={present} me={user.id} />
      </div>
      {detail.status === 'error' && <ErrorAlert error={detail.error} onRetry={reload} />}
      {project.status === 'error' && <ErrorAlert error={project.error} />}
      {detail.data && project.data ? (
        <ItemView project={project.data} detail={detail.data} />
      ) : (
        detail.status !== 'error' && <p className="muted">{t('item.loading')}</p>
      )}
    </div>
  );
}

function ItemView({ project, detail }: { project: Project; detail: ItemDetail }) {
  const t = useT();
  const { lang } = useI18n();
  const layers = useMemo<CompareLayer[]>(
    () => [
      ...detail.annotations.map((a, i) => ({ id: a.id, name: a.username, color: annotatorColor(i), regions: a.regions })),
      ...(detail.quality
        ? [{ id: CONSENSUS, name: t('review.consensus'), color: CONSENSUS_COLOR, regions: detail.quality.consensus }]
        : []),
      ...(detail.gold ? [{ id: GOLD, name: t('review.gold'), color: GOLD_COLOR, regions: detail.gold }] : []),
    ],
    [detail, t],
  );
  const [shown, toggle] = useShownLayers(() => layers.filter((l) => l.id !== CONSENSUS && l.id !== GOLD).map((l) => l.id));
  const [layout, setLayout] = useState<CompareLayout>('overlay');
  const [byAnnotator, setByAnnotator] = useState(true);
  const overlay = useMemo(() => overlayOf(layers, shown, byAnnotator && shown.size > 1), [layers, shown, byAnnotator]);
  const store = useRef<EditorStore | null>(null);
  const names = useMemo(() => new Map(detail.annotations.map((a) => [a.id, a.username])), [detail]);
  const regionsOf = useMemo(() => new Map(detail.annotations.map((a) => [a.id, a.regions])), [detail]);
  // Comments pinned to their annotator's regions in the overlay (ids as the overlay gives them).
  const pins = useMemo<Pin[]>(
    () =>
      detail.comments.flatMap((c, i): Pin[] => {
        const base = { id: c.id, n: i + 1, text: c.text };
        if (c.anchor.kind === 'region')
          return shown.has(c.annotationId) ? [{ ...base, regionId: layerRegionId({ id: c.annotationId }, c.anchor.regionId) }] : [];
        if (c.anchor.kind === 'span') return [{ ...base, span: { start: c.anchor.start, end: c.anchor.end } }];
        return [];
      }),
    [detail, shown],
  );
  useEffect(() => store.current?.setPins(pins), [pins]);

  return (
    <div className="review__body" data-testid="item-view">
      <div className="review__editor">
        <LayoutSwitch layout={layout} onLayout={setLayout} byAnnotator={byAnnotator} onByAnnotator={setByAnnotator} />
        {layout === 'side' ? (
          <CompareGrid schema={project.labelSchema} item={detail.item} layers={layers.filter((l) => shown.has(l.id))} />
        ) : (
          <AnnotationEditor
            key={`${[...shown].sort().join('|')}:${byAnnotator}`}
            project={project}
            item={detail.item}
            initialRegions={overlay.regions}
            regionColors={overlay.colors}
            pins={pins}
            readOnly
            onReady={(s) => {
              store.current = s;
            }}
          />
        )}
      </div>
      <aside className="review__side">
        <section className="card review__section">
          <h2 className="section-title">{t('review.annotations', { n: detail.annotations.length })}</h2>
          {detail.annotations.length === 0 && <p className="muted small">{t('item.noAnnotations')}</p>}
          <LayerToggles
            layers={layers}
            shown={shown}
            onToggle={toggle}
            extra={(l) => {
              const g = detail.goldScores[l.id];
              return g === undefined || g === null ? null : (
                <span className="muted small"> · {t('item.goldScore', { score: formatNumber(lang, g, 2) })}</span>
              );
            }}
          />
          <ItemAgreement quality={detail.quality} testId="item-agreement" />
        </section>
        <section className="card review__section">
          <h2 className="section-title">{t('item.reviews')}</h2>
          {detail.reviews.length === 0 ? (
            <p className="muted small">{t('item.noReviews')}</p>
          ) : (
            <ul className="review__comments" data-testid="item-reviews">
              {detail.reviews.map((r) => (
                <li key={r.id} data-testid="item-review" data-verdict={r.verdict}>
                  <span className="small">
                    {t('item.verdictOf', {
                      annotator: names.get(r.annotationId) ?? '?',
                      round: r.round + 1,
                      verdict: t(`item.verdict.${r.verdict}`),
                    })}
                    <span className="muted"> · {formatTime(lang, r.at)}</span>
                  </span>
                </li>
              ))}
            </ul>
          )}
          <h3 className="small">{t('review.comments')}</h3>
          <CommentList comments={detail.comments} t={t} regions={(c) => regionsOf.get(c.annotationId)} />
        </section>
      </aside>
    </div>
  );
}
