import type { ProjectKind } from '@labelwork/core';
import { useT } from '../../i18n/index.tsx';
import { InlineError } from '../../ui/field.tsx';
import { newLabel, type FieldErrors, type LabelDraft } from './draft.ts';
import { LabelRow } from './label-row.tsx';

interface LabelSchemaEditorProps {
  kind: ProjectKind;
  labels: LabelDraft[];
  errors: FieldErrors;
  readOnly: boolean;
  onChange: (labels: LabelDraft[]) => void;
}

/** Add, remove, reorder and edit the labels of a project. */
export function LabelSchemaEditor({ kind, labels, errors, readOnly, onChange }: LabelSchemaEditorProps) {
  const t = useT();
  const update = (key: string, patch: Partial<LabelDraft>) => onChange(labels.map((l) => (l.key === key ? { ...l, ...patch } : l)));
  const remove = (key: string) => onChange(labels.filter((l) => l.key !== key));
  const move = (index: number, delta: -1 | 1) => {
    const to = index + delta;
    const moving = labels[index];
    if (!moving || to < 0 || to >= labels.length) return;
    const next = labels.filter((_, i) => i !== index);
    next.splice(to, 0, moving);
    onChange(next);
  };
  const add = () => onChange([...labels, newLabel(kind, labels)]);

  return (
    <div className="label-schema" data-testid="label-schema-editor">
      <InlineError message={errors['labelSchema.labels'] ?? errors['labelSchema']} />
      {labels.length === 0 && <p className="muted">{t('labels.empty')}</p>}
      <ol className="label-schema__list">
        {labels.map((l, i) => (
          <LabelRow
            key={l.key}
            index={i}
            count={labels.length}
            label={l}
            kind={kind}
            errors={errors}
            readOnly={readOnly}
            onChange={(patch) => update(l.key, patch)}
            onRemove={() => remove(l.key)}
            onMove={(d) => move(i, d)}
          />
        ))}
      </ol>
      {!readOnly && (
        <button type="button" className="btn" onClick={add} data-testid="add-label">
          + {t('labels.add')}
        </button>
      )}
    </div>
  );
}
