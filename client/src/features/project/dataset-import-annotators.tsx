import type { ImportAnnotators, ImportResult, Project } from '@labelwork/core';
import { listUsers } from '../../api/users.ts';
import type { Translate } from '../../i18n/index.tsx';
import { useLoad } from '../../ui/use-load.ts';

/** The select's value for "a placeholder annotator named after the file's annotator". */
const PLACEHOLDER = '__placeholder__';

/**
 * Importing as finished annotations: the lead picks, for each annotator the file names (or for the
 * whole file when it names none), the project member whose annotations they become — or a
 * placeholder annotator `imported:<name>` (a user record that cannot sign in and is never given work).
 */
export function AnnotatorMapping(props: {
  t: Translate;
  project: Project;
  sources: { name: string; annotations: number }[];
  value: ImportAnnotators;
  /** The uploaded file's name (the placeholder of annotations that name no annotator is named after it). */
  fileName: string;
  disabled: boolean;
  onChange: (a: ImportAnnotators) => void;
}) {
  const { t, project, value } = props;
  const [users] = useLoad((signal) => listUsers(signal), []);
  const memberIds = [project.ownerId, ...project.memberIds.filter((m) => m !== project.ownerId)];
  const byId = new Map((users.data ?? []).map((u) => [u.id, u]));
  const placeholders = value.placeholders ?? [];
  // One choice per file annotator: a member (the default for '' — annotations that name none), a placeholder, or none yet.
  const set = (source: string, choice: string) => {
    const { default: previous, ...rest } = value;
    const bySource = { ...value.bySource };
    let fallback = previous;
    if (source === '') fallback = undefined;
    else delete bySource[source];
    const kept = placeholders.filter((p) => p !== source);
    if (choice === PLACEHOLDER) kept.push(source);
    else if (choice && source === '') fallback = choice;
    else if (choice) bySource[source] = choice;
    props.onChange({ ...rest, bySource, ...(fallback ? { default: fallback } : {}), placeholders: kept });
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
                value={placeholders.includes(s.name) ? PLACEHOLDER : ((s.name === '' ? value.default : value.bySource[s.name]) ?? '')}
                disabled={props.disabled}
                onChange={(e) => set(s.name, e.target.value)}
                aria-label={t('datasetImport.annotator.member')}
                data-testid="dataset-import-annotator-member"
              >
                <option value="">{t('datasetImport.annotator.choose')}</option>
                <option value={PLACEHOLDER}>
                  {t('datasetImport.annotator.placeholder', { name: `imported:${s.name || props.fileName}` })}
                </option>
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
