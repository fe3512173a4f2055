import { useState } from 'react';
import { deleteItems } from '../../api/items.ts';
import { isApiError } from '../../api/http.ts';
import { useT } from '../../i18n/index.tsx';
import { Alert, ErrorAlert } from '../../ui/alert.tsx';

type Outcome =
  | { kind: 'none' }
  | { kind: 'confirm' }
  | { kind: 'done'; deleted: number; busy: number }
  | { kind: 'annotated'; seqs: number[]; others: string[] }
  | { kind: 'error'; error: unknown };

/** `details.items` of ITEMS_HAVE_ANNOTATIONS. */
function annotatedOf(details: unknown): { id: string; seq: number }[] {
  if (typeof details !== 'object' || details === null || !('items' in details) || !Array.isArray(details.items)) return [];
  return (details.items as unknown[]).flatMap((x) =>
    typeof x === 'object' && x !== null && 'id' in x && 'seq' in x ? [{ id: String(x.id), seq: Number(x.seq) }] : [],
  );
}

/**
 * Deleting the selected items: asks first; when some have annotations the server deletes nothing,
 * and the person is offered to delete the others.
 */
export function ItemsDeleteBar({ projectId, selected, onDeleted }: { projectId: string; selected: string[]; onDeleted: () => void }) {
  const t = useT();
  const [outcome, setOutcome] = useState<Outcome>({ kind: 'none' });
  const [busy, setBusy] = useState(false);

  const run = async (ids: string[]) => {
    setBusy(true);
    try {
      const r = await deleteItems(projectId, ids);
      setOutcome({ kind: 'done', deleted: r.deleted, busy: r.busy.length });
      onDeleted();
    } catch (e) {
      if (isApiError(e) && e.code === 'ITEMS_HAVE_ANNOTATIONS') {
        const annotated = annotatedOf(e.details);
        const skip = new Set(annotated.map((a) => a.id));
        setOutcome({ kind: 'annotated', seqs: annotated.map((a) => a.seq), others: ids.filter((id) => !skip.has(id)) });
      } else setOutcome({ kind: 'error', error: e });
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="items-delete">
      <div className="items-delete__row">
        <span className="muted" data-testid="items-selected-count">
          {t('items.selectedCount', { n: selected.length })}
        </span>
        <button
          type="button"
          className="btn btn--small btn--danger"
          disabled={selected.length === 0 || busy}
          onClick={() => setOutcome({ kind: 'confirm' })}
          data-testid="items-delete"
        >
          {t('items.delete')}
        </button>
      </div>
      {outcome.kind === 'confirm' && (
        <div className="alert alert--warning" role="alertdialog" data-testid="items-delete-confirm">
          <div className="alert__body">
            <p>{t('items.deleteConfirm', { n: selected.length })}</p>
            <div className="form-actions">
              <button
                type="button"
                className="btn btn--danger"
                disabled={busy}
                onClick={() => void run(selected)}
                data-testid="items-delete-yes"
              >
                {t('items.deleteYes')}
              </button>
              <button
                type="button"
                className="btn"
                disabled={busy}
                onClick={() => setOutcome({ kind: 'none' })}
                data-testid="items-delete-no"
              >
                {t('items.deleteNo')}
              </button>
            </div>
          </div>
        </div>
      )}
      {outcome.kind === 'done' && (
        <Alert tone="success" testId="items-delete-result" onDismiss={() => setOutcome({ kind: 'none' })}>
          <div>{t('items.deleted', { n: outcome.deleted })}</div>
          {outcome.busy > 0 && <div>{t('items.deleteBusy', { n: outcome.busy })}</div>}
        </Alert>
      )}
      {outcome.kind === 'annotated' && (
        <div className="alert alert--warning" role="status" data-testid="items-delete-annotated">
          <div className="alert__body">
            <p>{t('items.hasAnnotations', { n: outcome.seqs.length, seqs: outcome.seqs.map((s) => `#${s}`).join(', ') })}</p>
            {outcome.others.length > 0 && (
              <button
                type="button"
                className="btn btn--small btn--danger"
                disabled={busy}
                onClick={() => void run(outcome.others)}
                data-testid="items-delete-others"
              >
                {t('items.deleteOthers', { n: outcome.others.length })}
              </button>
            )}
          </div>
        </div>
      )}
      {outcome.kind === 'error' && <ErrorAlert error={outcome.error} testId="items-delete-error" />}
    </div>
  );
}
