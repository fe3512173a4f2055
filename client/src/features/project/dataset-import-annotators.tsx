import type { ImportAnnotators, ImportResult, Project } from '@labelwork/core';
import { listUsers } from '../../api/users.ts';
import type { Translate } from '../../i18n/index.tsx';
import { useLoad } from '../../ui/use-load.ts';

/**
 * Importing as finished annotations: the lead picks, for each annotator the file names (or for the
 * whole file when it names none), the project member whose annotations they become.
 */
export function AnnotatorMapping(props: {
  t: Translate;
  project: Project;
  sources: { name: string; annotations: number }[];
  value: ImportAnnotators;
  disabled: boolean;
  onChange: (a: ImportAnnotators) => void;
}) {
  const { t, project, value } = props;
  const [users] = useLoad((signal) => listUsers(signal), []);
  const memberIds = [project.ownerId, ...project.memberIds.filter((m) => m !== project.ownerId)];
  const byId = new Map((users.data ?? []).map((u) => [u.id, u]));
  const set = (source: string, userId: string) => {
    if (source === '') {
      const { default: _drop, ...rest } = value;
      props.onChange(userId ? { ...rest, default: userId } : rest);
    } else {
      const bySource = { ...value.bySource };
      if (userId) bySource[source] = userId;
      else delete bySource[source];
      props.onChange({ ...value, bySource });
    }
  };
  return (
    <table className="table" data-testid="dataset-import-annotators">
      <caption>{t('datasetImport.annotators')}</caption>
      <thead>
        <tr>
          <th>{t('datasetImport.annotator.source')}</th>
          <th>{t('datasetImport.annotator.member')}</th>
        </tr>
      </thead>
      <tbody>
        {props.sources.map((s) => (
          <tr key={s.name} data-testid={`dataset-import-annotator-${s.name || 'none'}`}>
            <td>
              {s.name || t('datasetImport.annotator.none')} · {t('datasetImport.annotator.count', { n: s.annotations })}
            </td>
            <td>
              <select
                value={(s.name === '' ? value.default : value.bySource[s.name]) ?? ''}
                disabled={props.disabled}
                onChange={(e) => set(s.name, e.target.value)}
                aria-label={t('datasetImport.annotator.member')}
                data-testid="dataset-import-annotator-member"
              >
                <option value="">{t('datasetImport.annotator.choose')}</option>
                {memberIds.map((id) => {
                  const u = byId.get(id);
                  return (
                    <option key={id} value={id}>
                      {u ? u.displayName || u.username : id}
                    </option>
                  );
                })}
              </select>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** What an import as annotations stored and skipped, with the reasons. */
export function ImportResultView({ t, result }: { t: Translate; result: ImportResult }) {
  return (
    <div data-testid="dataset-import-result">
      {t('datasetImport.result', { stored: result.stored, skipped: result.skipped })}
      {result.skips.length > 0 && (
        <ul>
          {result.skips.map((s, i) => (
            <li key={i} data-testid="dataset-import-skip">
              {t('datasetImport.skipLine', {
                item: s.item,
                annotator: s.annotator || t('datasetImport.annotator.none'),
                reason: t(`datasetImport.skip.${s.reason}`),
              })}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
