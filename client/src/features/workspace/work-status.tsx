import { useEffect, useRef, useState } from 'react';
import { isApiError } from '../../api/http.ts';
import { Link } from '../../app/link.tsx';
import { paths } from '../../app/router.ts';
import { errorText } from '../../i18n/errors.ts';
import { useT, type MessageKey } from '../../i18n/index.tsx';
import { LevelHelp } from './level-help.tsx';
import type { EndCode, Phase } from './use-work-session.ts';

const END_TEXT: Record<EndCode, MessageKey> = {
  expired: 'work.ended.expired',
  requeued: 'work.ended.requeued',
  reassigned: 'work.ended.reassigned',
  filled: 'work.ended.filled',
  LEASE_EXPIRED: 'work.ended.expired',
  SLOT_FILLED: 'work.ended.filled',
  ALREADY_ANNOTATED: 'work.ended.annotated',
  gone: 'work.ended.gone',
};

function useSecondsUntil(at: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const id = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(id);
  }, [at]);
  return Math.max(0, Math.ceil((at - now) / 1000));
}

function Countdown({ at, text }: { at: number; text: (seconds: number) => string }) {
  return <>{text(useSecondsUntil(at))}</>;
}

/** `details.required` / `details.yours` of LEVEL_TOO_LOW. */
function levels(e: unknown): { required: string; yours: string } | null {
  const d = isApiError(e) ? e.details : null;
  if (typeof d === 'object' && d !== null && 'required' in d && 'yours' in d)
    return { required: String(d.required), yours: String(d.yours) };
  return null;
}

/** The code behind a phase, for tests and styling. */
function codeOf(phase: WorkStatusProps['phase']): string | undefined {
  if ('code' in phase) return phase.code;
  if ('error' in phase && isApiError(phase.error)) return phase.error.code;
  return undefined;
}

interface WorkStatusProps {
  phase: Exclude<Phase, { kind: 'working' }>;
  busy: boolean;
  onNext: () => void;
  onRetry: () => void;
  /** The project, to name its leads on the level-too-low page. */
  projectId?: string;
}

/** Everything the workspace shows when no task is on the bench: loading, waiting, nothing to do, blocked, ended. */
export function WorkStatus({ phase, busy, onNext, onRetry, projectId }: WorkStatusProps) {
  const t = useT();
  const action = useRef<HTMLButtonElement>(null);
  // The one button of the panel takes focus, so Enter goes on without the mouse.
  useEffect(() => action.current?.focus(), [phase.kind]);

  const nextButton = (label: MessageKey = 'work.next') => (
    <button
      ref={action}
      type="button"
      className="btn btn--primary"
      disabled={busy}
      onClick={onNext}
      data-testid="next-task"
      aria-keyshortcuts="Alt+N"
    >
      {t(label)}
    </button>
  );

  let body;
  switch (phase.kind) {
    case 'starting':
      body = <p className="muted">{t('work.starting')}</p>;
      break;
    case 'waiting':
      body = <p>{t('work.waiting')}</p>;
      break;
    case 'idle':
      body = (
        <>
          <p>{phase.why === 'released' ? t('work.released') : t(END_TEXT[phase.code])}</p>
          {phase.why === 'ended' && phase.draftSaved && <p className="muted">{t('work.ended.draftKept')}</p>}
          {nextButton()}
        </>
      );
      break;
    case 'none':
      body = (
        <>
          <p>{phase.code === 'PROJECT_PAUSED' ? t('work.paused') : t('work.nothing')}</p>
          <p className="muted small">
            <Countdown at={phase.retryAt} text={(seconds) => t('work.checkingIn', { seconds })} />
          </p>
          {nextButton('work.checkNow')}
        </>
      );
      break;
    case 'unreachable':
      body = (
        <>
          <p>{t('work.unreachable')}</p>
          <p className="muted small">
            <Countdown at={phase.retryAt} text={(seconds) => t('work.checkingIn', { seconds })} />
          </p>
          <button ref={action} type="button" className="btn" onClick={onRetry} data-testid="work-retry">
            {t('common.retry')}
          </button>
        </>
      );
      break;
    case 'blocked': {
      const lv = isApiError(phase.error) && phase.error.code === 'LEVEL_TOO_LOW' ? levels(phase.error) : null;
      body = (
        <>
          {lv && projectId ? (
            <LevelHelp projectId={projectId} required={lv.required} yours={lv.yours} />
          ) : (
            <p role="alert">
              {isApiError(phase.error) && phase.error.code === 'LEVEL_TOO_LOW' ? t('error.LEVEL_TOO_LOW') : errorText(t, phase.error)}
            </p>
          )}
          <Link to={paths.projects()} className="btn">
            {t('common.backToProjects')}
          </Link>
        </>
      );
      break;
    }
  }
  return (
    <div className="work-status" data-testid="work-status" data-phase={phase.kind} data-code={codeOf(phase)}>
      {body}
    </div>
  );
}
