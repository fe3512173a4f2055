import { TOOLS_BY_KIND, type ProjectKind, type Tool } from '@labelwork/core';
import { useT } from '../../i18n/index.tsx';
import { Field } from '../../ui/field.tsx';
import type { FieldErrors, LabelDraft } from './draft.ts';
import { KeypointsEditor } from './keypoints-editor.tsx';

interface LabelRowProps {
  index: number;
  count: number;
  label: LabelDraft;
  kind: ProjectKind;
  errors: FieldErrors;
  readOnly: boolean;
  onChange: (patch: Partial<LabelDraft>) => void;
  onRemove: () => void;
  onMove: (delta: -1 | 1) => void;
}

/** One label of the schema: name, colour, hotkey, tool, description (and points for keypoints). */
export function LabelRow({ index, count, label, kind, errors, readOnly, onChange, onRemove, onMove }: LabelRowProps) {
  const t = useT();
  const at = `labelSchema.labels[${index}]`;
  const err = (f: string) => errors[`${at}${f}`];
  const tools = TOOLS_BY_KIND[kind];
  const toolAllowed = tools.includes(label.tool);
  const rowError = err('');
  return (
    <li className="label-row" data-testid="label-row" aria-label={t('labels.row', { n: index + 1 })}>
      <div className="label-row__main">
        <span className="label-row__index" aria-hidden="true">
          {index + 1}
        </span>
        <Field label={t('labels.name')} error={err('.name')} className="label-row__name">
          {(p) => (
            <input
              {...p}
              value={label.name}
              disabled={readOnly}
              maxLength={120}
              onChange={(e) => onChange({ name: e.target.value })}
              data-testid="label-name"
            />
          )}
        </Field>
        <Field label={t('labels.color')} error={err('.color')} className="label-row__color">
          {(p) => (
            <input
              {...p}
              type="color"
              value={label.color}
              disabled={readOnly}
              onChange={(e) => onChange({ color: e.target.value })}
              data-testid="label-color"
            />
          )}
        </Field>
        <Field label={t('labels.hotkey')} error={err('.hotkey')} className="label-row__hotkey">
          {(p) => (
            <input
              {...p}
              value={label.hotkey}
              disabled={readOnly}
              autoComplete="off"
              spellCheck={false}
              // One key: typing replaces the previous one.
              onChange={(e) => onChange({ hotkey: Array.from(e.target.value).at(-1) ?? '' })}
              data-testid="label-hotkey"
            />
          )}
        </Field>
        <Field label={t('labels.tool')} error={err('.tool')} className="label-row__tool">
          {(p) => (
            <select
              {...p}
              value={label.tool}
              disabled={readOnly}
              onChange={(e) => onChange({ tool: e.target.value as Tool })}
              data-testid="label-tool"
            >
              {!toolAllowed && <option value={label.tool}>{t('labels.toolUnavailable', { tool: t(`tool.${label.tool}`) })}</option>}
              {tools.map((tool) => (
                <option key={tool} value={tool}>
                  {t(`tool.${tool}`)}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label={t('labels.description')} error={err('.description') ?? err('.description.zh-CN')} className="label-row__description">
          {(p) => (
            <input
              {...p}
              value={label.description}
              disabled={readOnly}
              maxLength={2000}
              onChange={(e) => onChange({ description: e.target.value })}
              data-testid="label-description"
            />
          )}
        </Field>
        <Field label={t('labels.descriptionEn')} error={err('.description.en')} className="label-row__description">
          {(p) => (
            <input
              {...p}
              lang="en"
              value={label.descriptionEn}
              disabled={readOnly}
              maxLength={2000}
              placeholder={t('labels.descriptionEnHint')}
              onChange={(e) => onChange({ descriptionEn: e.target.value })}
              data-testid="label-description-en"
            />
          )}
        </Field>
        {!readOnly && (
          <div className="label-row__actions">
            <button
              type="button"
              className="btn btn--icon"
              disabled={index === 0}
              aria-label={t('common.moveUp')}
              title={t('common.moveUp')}
              onClick={() => onMove(-1)}
              data-testid="label-move-up"
            >
              ↑
            </button>
            <button
              type="button"
              className="btn btn--icon"
              disabled={index === count - 1}
              aria-label={t('common.moveDown')}
              title={t('common.moveDown')}
              onClick={() => onMove(1)}
              data-testid="label-move-down"
            >
              ↓
            </button>
            <button
              type="button"
              className="btn btn--icon btn--danger"
              aria-label={t('labels.remove', { name: label.name || String(index + 1) })}
              title={t('common.remove')}
              onClick={onRemove}
              data-testid="label-remove"
            >
              ×
            </button>
          </div>
        )}
      </div>
      {label.retired && (
        <div className="label-row__retired">
          <span className="badge" data-testid="label-retired">
            {t('labels.retired')}
          </span>{' '}
          <span className="muted small">{t('labels.retiredHint')}</span>{' '}
          {!readOnly && (
            <button type="button" className="btn btn--small" onClick={() => onChange({ retired: false })} data-testid="label-restore">
              {t('labels.restore')}
            </button>
          )}
        </div>
      )}
      {rowError && <div className="field__error">{rowError}</div>}
      {label.tool === 'keypoints' && <KeypointsEditor label={label} at={at} errors={errors} readOnly={readOnly} onChange={onChange} />}
    </li>
  );
}
