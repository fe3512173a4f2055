import type { Region } from '@labelwork/core';
import { labelByName, labelFits } from '../../editor/labels.ts';
import type { EditorStore } from '../../editor/store.ts';
import { useT } from '../../i18n/index.tsx';
import { useEditorState } from './use-editor-state.ts';

/** The selected image region: its label (changeable), keypoint visibilities, accept/delete. */
export function SelectionPanel({ store }: { store: EditorStore }) {
  const t = useT();
  const selection = useEditorState(store, (s) => s.selection);
  // Re-rendered when the regions change; the selected one is looked up by id, not searched for.
  useEditorState(store, (s) => s.regions);
  const locked = useEditorState(store, (s) => s.locked);
  const pending = useEditorState(store, (s) => s.pending);
  const readOnly = useEditorState(store, (s) => s.readOnly);
  const activeVertex = useEditorState(store, (s) => s.activeVertex);
  const r: Region | undefined = store.regionById(selection[0]);
  if (!r || r.type === 'span' || r.type === 'class') return null;
  const label = labelByName(store.schema, r.label);
  // A retired label is listed only for the region that already has it.
  const choices = store.schema.labels.filter((l) => labelFits(l, r) && (!l.retired || l.name === r.label));
  const disabled = readOnly || locked.has(r.id);
  return (
    <section className="editor-panel" aria-labelledby="selection-title" data-testid="selection-panel">
      <h2 className="editor-panel__title" id="selection-title">
        {t('editor.selection')}
      </h2>
      <div className="selection-field">
        <label htmlFor="selection-label">{t('editor.changeLabel')}</label>
        <select
          id="selection-label"
          value={r.label}
          disabled={disabled}
          data-testid="selection-label"
          onChange={(e) => store.relabel([r.id], e.target.value)}
        >
          {choices.map((l) => (
            <option key={l.name} value={l.name}>
              {l.name}
            </option>
          ))}
        </select>
      </div>
      {r.type === 'bbox' && (
        <p className="small muted mono" data-testid="selection-geometry">
          x {Math.round(r.x)} · y {Math.round(r.y)} · {Math.round(r.w)} × {Math.round(r.h)}
        </p>
      )}
      {r.type === 'polygon' && <p className="small muted">{t('editor.vertexCount', { count: r.points.length })}</p>}
      {r.type === 'keypoints' && (
        <fieldset className="keypoint-list">
          <legend className="small muted">{t('editor.points')}</legend>
          {r.points.map((p, i) => (
            <div key={p.name} className={`keypoint-row${activeVertex === i ? ' is-active' : ''}`}>
              <button
                type="button"
                className="btn btn--ghost btn--small keypoint-row__name"
                onClick={() => store.select([r.id], i)}
                aria-pressed={activeVertex === i}
              >
                {p.name}
              </button>
              <select
                aria-label={t('editor.visibilityOf', { point: p.name })}
                value={p.v}
                disabled={disabled}
                data-testid="keypoint-visibility"
                onChange={(e) => {
                  const v = Number(e.target.value) as 0 | 1 | 2;
                  store.commit([{ op: 'put', record: { ...r, points: r.points.map((q, j) => (j === i ? { ...q, v } : q)) } }]);
                }}
              >
                {[2, 1, 0].map((v) => (
                  <option key={v} value={v}>
                    {t(`editor.visibility.${v as 0 | 1 | 2}`)}
                  </option>
                ))}
              </select>
            </div>
          ))}
        </fieldset>
      )}
      <div className="editor-panel__actions">
        {pending.has(r.id) && !readOnly && (
          <button
            type="button"
            className="btn btn--small btn--primary"
            data-testid="selection-accept"
            onClick={() => store.acceptPending([r.id])}
          >
            {t('editor.region.accept', { name: label?.name ?? r.label })}
          </button>
        )}
        {!readOnly && (
          <button
            type="button"
            className="btn btn--small btn--danger"
            disabled={locked.has(r.id)}
            data-testid="selection-delete"
            onClick={() => store.removeRegions([r.id])}
          >
            {t('editor.region.delete', { name: r.label })}
          </button>
        )}
      </div>
    </section>
  );
}
