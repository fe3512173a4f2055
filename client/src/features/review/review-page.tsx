import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import {
  SERVER_EVENTS,
  type CommentAnchor,
  type CommentInput,
  type Project,
  type ReviewComment,
  type ReviewQueueCounts,
  type ReviewTask,
  type User,
  type Verdict,
} from '@labelwork/core';
import { isApiError } from '../../api/http.ts';
import { getProject } from '../../api/projects.ts';
import {
  addReviewComment,
  giveVerdict,
  nextReview,
  releaseReview,
  releaseReviewOnExit,
  reviewCounts,
  reviewHeartbeat,
} from '../../api/review.ts';
import { joinReview } from '../../api/socket.ts';
import { Link } from '../../app/link.tsx';
import { paths } from '../../app/router.ts';
import { useSocket } from '../../app/socket.tsx';
import type { EditorStore } from '../../editor/store.ts';
import { useT } from '../../i18n/index.tsx';
import { Alert, ErrorAlert } from '../../ui/alert.tsx';
import { useLoad } from '../../ui/use-load.ts';
import { AnnotationEditor } from '../editor/annotation-editor.tsx';
import {
  annotatorColor,
  CompareGrid,
  CONSENSUS_COLOR,
  ItemAgreement,
  LayerToggles,
  LayoutSwitch,
  OTHER_PREFIX,
  overlayOf,
  useShownLayers,
  type CompareLayer,
  type CompareLayout,
} from './compare.tsx';
import { CommentList } from './comments.tsx';
import { anchorText, pinsOf, taskItemLabel } from './format.ts';
import { PresenceChips, usePresence } from './presence.tsx';
import './review.css';

type Phase = { kind: 'loading' } | { kind: 'task'; task: ReviewTask } | { kind: 'nothing' } | { kind: 'error'; error: unknown };

const CONSENSUS = 'consensus';

/**
 * The reviewer's view of a project: draws the next review task (lease + heartbeat), shows the item
 * with every annotation of it (toggle each), agreement and consensus, and gives the verdict.
 */
export function ReviewPage({ projectId, user }: { projectId: string; user: User }) {
  const t = useT();
  const socket = useSocket();
  const [load] = useLoad((signal) => getProject(projectId, signal), [projectId]);
  const [phase, setPhase] = useState<Phase>({ kind: 'loading' });
  const [counts, setCounts] = useState<ReviewQueueCounts | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [leaseLost, setLeaseLost] = useState(false);
  const drawing = useRef(false);
  const phaseRef = useRef(phase);
  phaseRef.current = phase;

  const draw = useCallback(async () => {
    if (drawing.current) return;
    drawing.current = true;
    setLeaseLost(false);
    try {
      const task = await nextReview(projectId);
      setPhase({ kind: 'task', task });
    } catch (e) {
      setPhase(isApiError(e) && e.code === 'NOTHING_TO_DO' ? { kind: 'nothing' } : { kind: 'error', error: e });
    } finally {
      drawing.current = false;
    }
  }, [projectId]);

  useEffect(() => {
    void draw();
    reviewCounts(projectId).then(setCounts, () => undefined);
  }, [projectId, draw]);

  // Live queue: join the project's review room (again after reconnects); an empty view draws as soon as work arrives.
  // What was missed while disconnected is read again on reconnect: the counts, and work if the view is empty.
  useEffect(() => {
    if (!socket) return;
    let first = true;
    const join = () => {
      void joinReview(socket, projectId).catch(() => undefined);
      if (first) {
        first = false;
        return;
      }
      reviewCounts(projectId).then(setCounts, () => undefined);
      if (phaseRef.current.kind === 'nothing') void draw();
    };
    const onCounts = (c: ReviewQueueCounts) => {
      if (c.projectId === projectId) setCounts(c);
    };
    const onQueued = (q: { projectId: string }) => {
      if (q.projectId === projectId && phaseRef.current.kind === 'nothing') void draw();
    };
    if (socket.connected) join();
    socket.on('connect', join);
    socket.on(SERVER_EVENTS.reviewCounts, onCounts);
    socket.on(SERVER_EVENTS.reviewQueued, onQueued);
    return () => {
      socket.off('connect', join);
      socket.off(SERVER_EVENTS.reviewCounts, onCounts);
      socket.off(SERVER_EVENTS.reviewQueued, onQueued);
    };
  }, [socket, projectId, draw]);

  // Heartbeat the lease while a task is open; give it back when leaving the page.
  const task = phase.kind === 'task' ? phase.task : null;
  useEffect(() => {
    if (!task) return;
    const timer = window.setInterval(() => {
      reviewHeartbeat(projectId, task.taskId, task.token).catch((e: unknown) => {
        if (isApiError(e) && e.status !== 0) setLeaseLost(true);
      });
    }, task.heartbeatMs);
    return () => window.clearInterval(timer);
  }, [projectId, task]);
  useEffect(() => {
    if (!task) return;
    const release = () => releaseReviewOnExit(projectId, task.taskId, task.token);
    window.addEventListener('pagehide', release);
    return () => window.removeEventListener('pagehide', release);
  }, [projectId, task]);

  const onDone = (verdict: Verdict) => {
    setNotice(t(`review.done.${verdict}`));
    setPhase({ kind: 'loading' });
    void draw();
  };

  const giveBack = async () => {
    if (!task) return;
    await releaseReview(projectId, task.taskId, task.token).catch(() => undefined);
    setPhase({ kind: 'nothing' });
  };

  const project = load.data;
  return (
    <div className="page page--wide review-page" data-testid="review-page">
      <nav className="breadcrumbs" aria-label={t('nav.breadcrumbs')}>
        <Link to={paths.projects()}>{t('nav.projects')}</Link>
        <span aria-hidden="true"> / </span>
        <Link to={paths.project(projectId)}>{project?.name ?? '…'}</Link>
        <span aria-hidden="true"> / </span>
        <span>{t('review.title')}</span>
      </nav>
      <div className="page__head">
        <h1 className="page__title">{t('review.title')}</h1>
        <p className="muted small" data-testid="review-counts" data-pending={counts?.pending ?? ''} aria-live="polite">
          {counts && t('review.queue', { pending: counts.pending, leased: counts.leased, rework: counts.rework })}
        </p>
      </div>
      {notice && (
        <Alert tone="success" onDismiss={() => setNotice(null)} testId="review-notice">
          {notice}
        </Alert>
      )}
      {leaseLost && (
        <Alert tone="warning" testId="review-lease-lost">
          {t('review.leaseLost')}{' '}
          <button type="button" className="btn btn--small" onClick={() => void draw()}>
            {t('review.next')}
          </button>
        </Alert>
      )}
      {load.status === 'error' && <ErrorAlert error={load.error} />}
      {phase.kind === 'loading' && <p className="muted">{t('review.loading')}</p>}
      {phase.kind === 'nothing' && (
        <div className="empty" data-testid="review-empty">
          <p>{t('review.nothing')}</p>
          <button type="button" className="btn" onClick={() => void draw()} data-testid="review-next">
            {t('review.next')}
          </button>
        </div>
      )}
      {phase.kind === 'error' &&
        (isApiError(phase.error) && (phase.error.code === 'FORBIDDEN' || phase.error.code === 'LEVEL_TOO_LOW') ? (
          <Alert tone="warning" testId="review-forbidden">
            {t('review.forbidden')}
          </Alert>
        ) : (
          <ErrorAlert error={phase.error} onRetry={() => void draw()} />
        ))}
      {task && project && (
        <ReviewTaskView key={task.taskId} project={project} task={task} user={user} onDone={onDone} onRelease={() => void giveBack()} />
      )}
    </div>
  );
}

interface TaskViewProps {
  project: Project;
  task: ReviewTask;
  user: User;
  onDone: (v: Verdict) => void;
  onRelease: () => void;
}

function ReviewTaskView({ project, task, user, onDone, onRelease }: TaskViewProps) {
  const t = useT();
  const underReview = task.annotations.find((a) => a.underReview) ?? task.annotations[0];
  const [shown, toggle] = useShownLayers(() => (underReview ? [underReview.id] : []));
  const [fixing, setFixing] = useState(false);
  const [text, setText] = useState('');
  const [anchorKind, setAnchorKind] = useState<CommentAnchor['kind']>('item');
  const [selectedRegion, setSelectedRegion] = useState<string | null>(null);
  const [selectedSpan, setSelectedSpan] = useState<{ start: number; end: number } | null>(null);
  const [comments, setComments] = useState<ReviewComment[]>(task.comments);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [needComment, setNeedComment] = useState(false);
  const store = useRef<EditorStore | null>(null);
  const unsub = useRef<(() => void) | null>(null);

  const [layout, setLayout] = useState<CompareLayout>('overlay');
  const [byAnnotator, setByAnnotator] = useState(true);
  const present = usePresence(task.projectId, task.itemId);
  // One layer per annotation (a colour each), and the consensus once the item is complete.
  const layers = useMemo<CompareLayer[]>(
    () => [
      ...task.annotations.map((a, i) => ({
        id: a.id,
        name: a.username,
        color: annotatorColor(i),
        regions: a.regions,
        primary: a.underReview,
      })),
      ...(task.quality ? [{ id: CONSENSUS, name: t('review.consensus'), color: CONSENSUS_COLOR, regions: task.quality.consensus }] : []),
    ],
    [task, t],
  );
  const overlay = useMemo(() => overlayOf(layers, shown, byAnnotator && shown.size > 1), [layers, shown, byAnnotator]);
  const pins = useMemo(() => pinsOf(comments), [comments]);
  useEffect(() => store.current?.setPins(pins), [pins]);

  const onReady = useCallback((s: EditorStore) => {
    store.current = s;
    unsub.current?.();
    const sync = () => {
      const st = s.getState();
      const sel = st.selection.length === 1 ? st.selection[0]! : null;
      setSelectedRegion(sel && !sel.startsWith(OTHER_PREFIX) ? sel : null);
      const ts = st.textSelection;
      setSelectedSpan(ts && ts.anchor !== ts.focus ? { start: Math.min(ts.anchor, ts.focus), end: Math.max(ts.anchor, ts.focus) } : null);
    };
    sync();
    unsub.current = s.subscribe((n, p) => {
      if (n.selection !== p.selection || n.textSelection !== p.textSelection) sync();
    });
  }, []);
  useEffect(() => () => unsub.current?.(), []);

  // Pick the most specific anchor automatically when something is selected.
  useEffect(() => {
    if (selectedRegion) setAnchorKind('region');
    else if (selectedSpan) setAnchorKind('span');
    else setAnchorKind('item');
  }, [selectedRegion, selectedSpan]);

  const anchor = (): CommentAnchor => {
    if (anchorKind === 'region' && selectedRegion) return { kind: 'region', regionId: selectedRegion };
    if (anchorKind === 'span' && selectedSpan) return { kind: 'span', ...selectedSpan };
    return { kind: 'item' };
  };
  const pending = (): CommentInput[] => (text.trim() ? [{ anchor: anchor(), text: text.trim() }] : []);

  const run = async (fn: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await fn();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  const verdict = (v: Verdict) => {
    const cs = pending();
    if (v === 'reject' && cs.length === 0) {
      setNeedComment(true);
      return;
    }
    void run(async () => {
      await giveVerdict(task.projectId, task.taskId, {
        token: task.token,
        verdict: v,
        comments: cs,
        ...(v === 'fix' ? { regions: store.current?.answer() ?? [] } : {}),
      });
      onDone(v);
    });
  };

  const comment = () => {
    const cs = pending();
    if (!cs.length) return;
    void run(async () => {
      const c = await addReviewComment(task.projectId, task.taskId, task.token, cs[0]!.anchor, cs[0]!.text);
      setComments((list) => [...list, c]);
      setText('');
    });
  };

  const editorKey = fixing ? 'fix' : `${[...shown].sort().join('|')}:${byAnnotator}`;
  const side = layout === 'side' && !fixing;
  return (
    <div className="review" data-testid="review-task" data-task-id={task.taskId} data-item-id={task.itemId}>
      <div className="review__meta small">
        <span data-testid="review-item-name">{t('review.item', { id: taskItemLabel(task.itemId, task.item) })}</span>
        <span>{t('review.round', { n: task.round + 1 })}</span>
        <span data-testid="review-reasons">
          {t('review.reasons', { reasons: task.reasons.map((r) => t(`review.reason.${r}`)).join(', ') })}
        </span>
        <PresenceChips users={present} me={user.id} />
      </div>
      <div className="review__body">
        <div className="review__editor">
          {fixing && <Alert tone="info">{t('review.fixing')}</Alert>}
          <LayoutSwitch layout={layout} onLayout={setLayout} byAnnotator={byAnnotator} onByAnnotator={setByAnnotator} disabled={fixing} />
          {side ? (
            <CompareGrid schema={project.labelSchema} item={task.item} layers={layers.filter((l) => shown.has(l.id))} pins={pins} />
          ) : (
            <AnnotationEditor
              key={editorKey}
              project={project}
              item={task.item}
              initialRegions={fixing ? (underReview?.regions ?? []) : overlay.regions}
              regionColors={fixing ? undefined : overlay.colors}
              pins={pins}
              readOnly={!fixing}
              onReady={onReady}
            />
          )}
        </div>
        <aside className="review__side">
          <section className="card review__section">
            <h2 className="section-title">{t('review.annotations', { n: task.annotations.length })}</h2>
            <div data-testid="review-annotators">
              <LayerToggles
                layers={layers}
                shown={shown}
                onToggle={toggle}
                disabled={fixing}
                extra={(l) => l.primary && <span className="badge review__badge">{t('review.underReview')}</span>}
              />
            </div>
            <ItemAgreement quality={task.quality} testId="review-agreement" />
          </section>
          <section className="card review__section">
            <h2 className="section-title">{t('review.comments')}</h2>
            <CommentList comments={comments} t={t} regions={underReview?.regions ?? []} />
            <label className="field">
              <span className="small">{t('review.commentOn', { anchor: anchorText(t, anchor(), underReview?.regions) })}</span>
              <select
                value={anchorKind}
                onChange={(e) => setAnchorKind(e.target.value as CommentAnchor['kind'])}
                data-testid="review-comment-anchor"
              >
                <option value="item">{t('review.anchor.item')}</option>
                {selectedRegion && (
                  <option value="region">{anchorText(t, { kind: 'region', regionId: selectedRegion }, underReview?.regions)}</option>
                )}
                {selectedSpan && (
                  <option value="span">{t('review.anchor.span', { start: selectedSpan.start, end: selectedSpan.end })}</option>
                )}
              </select>
            </label>
            <textarea
              className="review__comment"
              rows={3}
              value={text}
              placeholder={t('review.commentPlaceholder')}
              onChange={(e) => {
                setText(e.target.value);
                setNeedComment(false);
              }}
              data-testid="review-comment-text"
            />
            {needComment && (
              <p className="field__error" data-testid="review-need-comment">
                {t('review.needComment')}
              </p>
            )}
            <button
              type="button"
              className="btn btn--small"
              disabled={busy || !text.trim()}
              onClick={comment}
              data-testid="review-comment-add"
            >
              {t('review.addComment')}
            </button>
          </section>
          {error !== null && <ErrorAlert error={error} />}
          <div className="review__verdicts">
            {fixing ? (
              <>
                <button
                  type="button"
                  className="btn btn--primary"
                  disabled={busy}
                  onClick={() => verdict('fix')}
                  data-testid="review-fix-submit"
                >
                  {t('review.fixSubmit')}
                </button>
                <button type="button" className="btn" disabled={busy} onClick={() => setFixing(false)} data-testid="review-fix-cancel">
                  {t('review.fixCancel')}
                </button>
              </>
            ) : (
              <>
                <button
                  type="button"
                  className="btn btn--primary"
                  disabled={busy}
                  onClick={() => verdict('accept')}
                  data-testid="review-accept"
                >
                  {t('review.accept')}
                </button>
                <button
                  type="button"
                  className="btn btn--danger"
                  disabled={busy}
                  onClick={() => verdict('reject')}
                  data-testid="review-reject"
                >
                  {t('review.reject')}
                </button>
                <button type="button" className="btn" disabled={busy} onClick={() => setFixing(true)} data-testid="review-fix">
                  {t('review.fix')}
                </button>
                <button type="button" className="btn review__release" disabled={busy} onClick={onRelease} data-testid="review-release">
                  {t('review.release')}
                </button>
              </>
            )}
          </div>
        </aside>
      </div>
    </div>
  );
}
