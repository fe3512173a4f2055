import { useId } from 'react';
import { useT } from '../../i18n/index.tsx';
import { InlineError } from '../../ui/field.tsx';
import { newKey, type EdgeDraft, type FieldErrors, type LabelDraft, type PointDraft } from './draft.ts';

interface KeypointsEditorProps {
  label: LabelDraft;
  /** Error path prefix of this label, e.g. `labelSchema.labels[2]`. */
  at: string;
  errors: FieldErrors;
  readOnly: boolean;
  onChange: (patch: Pick<LabelDraft, 'points' | 'edges'>) => void;
}

/** Named points in placement order and the skeleton edges between them. */
export function KeypointsEditor({ label, at, errors, readOnly, onChange }: KeypointsEditorProps) {
  const t = useT();
  const pointsId = useId();
  const edgesId = useId();
  const { points, edges } = label;
  const names = [...new Set(points.map((p) => p.name.trim()).filter((n) => n !== ''))];

  const renamePoint = (key: string, name: string) => {
    const old = points.find((p) => p.key === key)?.name.trim();
    const nextPoints = points.map((p) => (p.key === key ? { ...p, name } : p));
    // Edges follow a renamed point, so renaming never breaks the skeleton.
    const follow = (end: string) => (old !== undefined && old !== '' && end === old ? name.trim() : end);
    onChange({ points: nextPoints, edges: edges.map((e) => ({ ...e, from: follow(e.from), to: follow(e.to) })) });
  };
  const removePoint = (p: PointDraft) => {
    const name = p.name.trim();
    onChange({ points: points.filter((q) => q.key !== p.key), edges: edges.filter((e) => e.from !== name && e.to !== name) });
  };
  const addPoint = () => onChange({ points: [...points, { key: newKey(), name: '' }], edges });
  const setEdge = (key: string, patch: Partial<EdgeDraft>) =>
    onChange({ points, edges: edges.map((e) => (e.key === key ? { ...e, ...patch } : e)) });
  const addEdge = () => onChange({ points, edges: [...edges, { key: newKey(), from: names[0] ?? '', to: names[1] ?? '' }] });
  const removeEdge = (key: string) => onChange({ points, edges: edges.filter((e) => e.key !== key) });

  return (
    <div className="keypoints" data-testid="keypoints-editor">
      <fieldset className="keypoints__group">
        <legend id={pointsId}>{t('labels.points')}</legend>
        <InlineError message={errors[`${at}.points`]} />
        <ol className="keypoints__points">
          {points.map((p, j) => (
            <li key={p.key} className="keypoints__point">
              <input
                aria-label={t('labels.pointName', { n: j + 1 })}
                value={p.name}
                disabled={readOnly}
                aria-invalid={Boolean(errors[`${at}.points[${j}]`])}
                onChange={(e) => renamePoint(p.key, e.target.value)}
                data-testid="label-point"
              />
              {!readOnly && (
                <button
                  type="button"
                  className="btn btn--icon"
                  aria-label={t('labels.removePoint', { name: p.name || String(j + 1) })}
                  onClick={() => removePoint(p)}
                  data-testid="remove-point"
                >
                  ×
                </button>
              )}
              <InlineError message={errors[`${at}.points[${j}]`]} />
            </li>
          ))}
        </ol>
        {!readOnly && (
          <button type="button" className="btn btn--small" onClick={addPoint} data-testid="add-point">
            + {t('labels.addPoint')}
          </button>
        )}
      </fieldset>
      <fieldset className="keypoints__group">
        <legend id={edgesId}>{t('labels.edges')}</legend>
        <InlineError message={errors[`${at}.edges`]} />
        {names.length < 2 && edges.length === 0 && <p className="muted small">{t('labels.edgesNeedPoints')}</p>}
        <ul className="keypoints__edges">
          {edges.map((e, j) => {
            const err = errors[`${at}.edges[${j}]`] ?? errors[`${at}.edges[${j}].from`] ?? errors[`${at}.edges[${j}].to`];
            return (
              <li key={e.key} className="keypoints__edge" data-testid="label-edge">
                <EndSelect
                  label={t('labels.edgeFrom')}
                  value={e.from}
                  names={names}
                  readOnly={readOnly}
                  onChange={(from) => setEdge(e.key, { from })}
                  testId="edge-from"
                />
                <span aria-hidden="true">—</span>
                <EndSelect
                  label={t('labels.edgeTo')}
                  value={e.to}
                  names={names}
                  readOnly={readOnly}
                  onChange={(to) => setEdge(e.key, { to })}
                  testId="edge-to"
                />
                {!readOnly && (
                  <button
                    type="button"
                    className="btn btn--icon"
                    aria-label={t('labels.removeEdge')}
                    onClick={() => removeEdge(e.key)}
                    data-testid="remove-edge"
                  >
                    ×
                  </button>
                )}
                <InlineError message={err} />
              </li>
            );
          })}
        </ul>
        {!readOnly && (
          <button type="button" className="btn btn--small" onClick={addEdge} disabled={names.length < 2} data-testid="add-edge">
            + {t('labels.addEdge')}
          </button>
        )}
      </fieldset>
    </div>
  );
}

function EndSelect(props: {
  label: string;
  value: string;
  names: string[];
  readOnly: boolean;
  onChange: (v: string) => void;
  testId: string;
}) {
  const { label, value, names, readOnly, onChange, testId } = props;
  const known = names.includes(value);
  return (
    <select
      aria-label={label}
      value={value}
      disabled={readOnly}
      onChange={(e) => onChange(e.target.value)}
      data-testid={testId}
      aria-invalid={!known}
    >
      {!known && <option value={value}>{value === '' ? '—' : value}</option>}
      {names.map((n) => (
        <option key={n} value={n}>
          {n}
        </option>
      ))}
    </select>
  );
}
