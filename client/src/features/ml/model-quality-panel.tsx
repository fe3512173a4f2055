import { getModelQuality } from '../../api/ml.ts';
import { useT } from '../../i18n/index.tsx';
import { ErrorAlert } from '../../ui/alert.tsx';
import { useLoad } from '../../ui/use-load.ts';

const pct = (v: number | null) => (v === null ? '—' : `${(v * 100).toFixed(1)}%`);

/**
 * Model quality on the dashboard: per model version, what annotators did with its predictions (kept,
 * moved, relabeled, deleted, added) and precision, recall and mean IoU against the final answers.
 */
export function ModelQualityPanel({ projectId }: { projectId: string }) {
  const t = useT();
  const [load, reload] = useLoad((signal) => getModelQuality(projectId, signal), [projectId]);
  if (load.status === 'error') return <ErrorAlert error={load.error} onRetry={reload} />;
  const versions = load.data ?? [];
  return (
    <section className="card dash__card" data-testid="ml-quality">
      <h2 className="section-title">{t('ml.quality.title')}</h2>
      {versions.length === 0 ? (
        <p className="muted">{t('ml.quality.none')}</p>
      ) : (
        <table className="table">
          <thead>
            <tr>
              <th>{t('ml.quality.version')}</th>
              <th>{t('ml.quality.items')}</th>
              <th>{t('ml.quality.kept')}</th>
              <th>{t('ml.quality.moved')}</th>
              <th>{t('ml.quality.relabeled')}</th>
              <th>{t('ml.quality.deleted')}</th>
              <th>{t('ml.quality.added')}</th>
              <th>{t('ml.quality.precision')}</th>
              <th>{t('ml.quality.recall')}</th>
              <th>{t('ml.quality.meanIoU')}</th>
            </tr>
          </thead>
          <tbody>
            {versions.map((v) => (
              <tr key={`${v.backend}|${v.modelVersion ?? ''}`} data-testid="ml-quality-row" data-model-version={v.modelVersion ?? ''}>
                <td>
                  {v.backend} <span className="muted small">{v.modelVersion ?? '—'}</span>
                </td>
                <td>{v.items}</td>
                <td data-testid="ml-quality-kept">{v.kept}</td>
                <td>{v.moved}</td>
                <td>{v.relabeled}</td>
                <td data-testid="ml-quality-deleted">{v.deleted}</td>
                <td>{v.added}</td>
                <td data-testid="ml-quality-precision">{pct(v.precision)}</td>
                <td>{pct(v.recall)}</td>
                <td>{v.meanIoU === null ? '—' : v.meanIoU.toFixed(3)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
