import { useMemo } from 'react';
import type { LabelSchema } from '@labelwork/core';
import { hotkeysByLabel } from '../../editor/labels.ts';
import type { EditorStore } from '../../editor/store.ts';
import { useT } from '../../i18n/index.tsx';
import { useEditorState } from './use-editor-state.ts';

/** Document classes: one radio group for the single-choice labels, checkboxes for the multiple-choice ones. */
export function ClassificationPanel({ store, schema }: { store: EditorStore; schema: LabelSchema }) {
  const t = useT();
  // The class regions alone (the store keeps them): not a pass over every region after each edit.
  const classes = useEditorState(store, () => store.classRegions());
  const pending = useEditorState(store, (s) => s.pending);
  const readOnly = useEditorState(store, (s) => s.readOnly);
  const chosen = useMemo(() => new Set(classes.filter((r) => !pending.has(r.id)).map((r) => r.label)), [classes, pending]);
  const proposed = useMemo(() => new Set(classes.filter((r) => pending.has(r.id)).map((r) => r.label)), [classes, pending]);
  const hotkeys = useMemo(() => hotkeysByLabel(schema), [schema]);
  // Retired classes show only where already chosen.
  const offered = (l: { name: string; retired?: boolean | undefined }) => !l.retired || chosen.has(l.name) || proposed.has(l.name);
  const single = schema.labels.filter((l) => l.tool === 'class-single' && offered(l));
  const multi = schema.labels.filter((l) => l.tool === 'class-multi' && offered(l));
  if (single.length === 0 && multi.length === 0) return null;
  const keyOf = (name: string) => hotkeys.get(name)?.[0]?.toUpperCase();
  const option = (name: string, color: string) => (
    <>
      <span className="swatch" style={{ background: color }} aria-hidden="true" />
      <span>{name}</span>
      {keyOf(name) && <kbd>{keyOf(name)}</kbd>}
      {proposed.has(name) && <span className="badge badge--proposal">{t('editor.region.proposal')}</span>}
    </>
  );
  return (
    <section className="editor-panel" aria-labelledby="class-panel-title" data-testid="classification">
      <h2 className="editor-panel__title" id="class-panel-title">
        {t('editor.classes')}
      </h2>
      {single.length > 0 && (
        <fieldset className="class-group">
          <legend className="small muted">{t('editor.classSingle')}</legend>
          {single.map((l) => (
            <label key={l.name} className="class-option">
              <input
                type="radio"
                name="class-single"
                checked={chosen.has(l.name)}
                disabled={readOnly}
                data-testid="class-option"
                data-label={l.name}
                onChange={() => store.toggleClass(l.name)}
                onClick={() => {
                  // A second click on the chosen option clears it (radios cannot otherwise be unset).
                  if (chosen.has(l.name)) store.toggleClass(l.name);
                }}
              />
              {option(l.name, l.color)}
            </label>
          ))}
        </fieldset>
      )}
      {multi.length > 0 && (
        <fieldset className="class-group">
          <legend className="small muted">{t('editor.classMulti')}</legend>
          {multi.map((l) => (
            <label key={l.name} className="class-option">
              <input
                type="checkbox"
                checked={chosen.has(l.name)}
                disabled={readOnly}
                data-testid="class-option"
                data-label={l.name}
                onChange={() => store.toggleClass(l.name)}
              />
              {option(l.name, l.color)}
            </label>
          ))}
        </fieldset>
      )}
    </section>
  );
}
