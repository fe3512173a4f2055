import { useMemo, useState } from 'react';
import { hotkeyChanges, type LabelDef, type LabelMerge, type LabelSchema } from '@labelwork/core';
import type { LabelUsage } from '../../api/projects.ts';
import { useT } from '../../i18n/index.tsx';
import { Alert } from '../../ui/alert.tsx';

/** What happens to the regions of a label the edit removes. */
export type RemovalChoice = { kind: 'merge'; into: string } | { kind: 'retire' } | { kind: 'remove' };

/** A removed label that stored regions use. */
export interface UsedLabel {
  def: LabelDef;
  /** Its place in the schema before the edit (a retired label goes back there, so no number shifts). */
  index: number;
  usage: { annotations: number; drafts: number; gold: number };
}

const regionKind = (l: LabelDef) => (l.tool === 'class-single' || l.tool === 'class-multi' ? 'class' : l.tool);
const total = (u: UsedLabel['usage']) => u.annotations + u.drafts + u.gold;

/** Labels of `before` that `after` drops (by name) and stored regions use, with their counts. */
export function usedRemovedLabels(before: LabelSchema, after: LabelSchema, usage: LabelUsage): UsedLabel[] {
  const kept = new Set(after.labels.map((l) => l.name));
  return before.labels.flatMap((def, index) => {
    const u = usage[def.name];
    return !kept.has(def.name) && u && total(u) > 0 ? [{ def, index, usage: u }] : [];
  });
}

/** The schema and merges to save for these choices: retired labels go back to their old place, marked retired. */
export function applyChoices(
  after: LabelSchema,
  used: readonly UsedLabel[],
  choices: Readonly<Record<string, RemovalChoice>>,
): { schema: LabelSchema; merges: LabelMerge[] } {
  const labels = [...after.labels];
  const merges: LabelMerge[] = [];
  for (const u of [...used].sort((a, b) => a.index - b.index)) {
    const c = choices[u.def.name] ?? { kind: 'retire' };
    if (c.kind === 'retire') labels.splice(Math.min(u.index, labels.length), 0, { ...u.def, retired: true });
    if (c.kind === 'merge') merges.push({ from: u.def.name, into: c.into });
  }
  return { schema: { labels }, merges };
}

interface LabelChangesProps {
  before: LabelSchema;
  after: LabelSchema;
  used: UsedLabel[];
  busy: boolean;
  onConfirm: (schema: LabelSchema, merges: LabelMerge[]) => void;
  onCancel: () => void;
}

/**
 * Shown before saving an edit that removes labels stored work uses, or changes a label's number
 * key: per used label, merge its regions into another label, retire it, or remove it anyway; and
 * which keys would change.
 */
export function LabelChanges({ before, after, used, busy, onConfirm, onCancel }: LabelChangesProps) {
  const t = useT();
  const [choices, setChoices] = useState<Record<string, RemovalChoice>>(() =>
    Object.fromEntries(used.map((u) => [u.def.name, { kind: 'retire' } as RemovalChoice])),
  );
  const { schema, merges } = useMemo(() => applyChoices(after, used, choices), [after, used, choices]);
  const keyChanges = useMemo(() => hotkeyChanges(before, schema), [before, schema]);
  const keys = (k: string[]) => (k.length ? k.map((x) => x.toUpperCase()).join(', ') : t('labelChanges.noKey'));
  return (
    <Alert tone="warning" testId="label-changes">
      <p>
        <strong>{t('labelChanges.title')}</strong>
      </p>
      {used.map((u) => {
        const targets = after.labels.filter((l) => !l.retired && regionKind(l) === regionKind(u.def));
        const c = choices[u.def.name] ?? { kind: 'retire' };
        const set = (next: RemovalChoice) => setChoices((all) => ({ ...all, [u.def.name]: next }));
        const name = `label-change-${u.def.name}`;
        return (
          <fieldset key={u.def.name} className="label-changes__label" data-testid="label-change" data-label={u.def.name}>
            <legend className="visually-hidden">{t('labelChanges.choice', { label: u.def.name })}</legend>
            <p data-testid="label-change-usage">{t('labelChanges.usedBy', { label: u.def.name, n: total(u.usage), ...u.usage })}</p>
            <label className="label-changes__option">
              <input
                type="radio"
                name={name}
                checked={c.kind === 'merge'}
                disabled={targets.length === 0}
                onChange={() => set({ kind: 'merge', into: targets[0]?.name ?? '' })}
                data-testid="label-change-merge"
              />{' '}
              {t('labelChanges.merge')}
              {targets.length === 0 && <span className="muted small"> ({t('labelChanges.noMergeTarget')})</span>}
            </label>
            {c.kind === 'merge' && (
              <select
                aria-label={t('labelChanges.mergeInto', { label: u.def.name })}
                value={c.into}
                onChange={(e) => set({ kind: 'merge', into: e.target.value })}
                data-testid="label-change-into"
              >
                {targets.map((l) => (
                  <option key={l.name} value={l.name}>
                    {l.name}
                  </option>
                ))}
              </select>
            )}
            <label className="label-changes__option">
              <input
                type="radio"
                name={name}
                checked={c.kind === 'retire'}
                onChange={() => set({ kind: 'retire' })}
                data-testid="label-change-retire"
              />{' '}
              {t('labelChanges.retire')}
            </label>
            <label className="label-changes__option">
              <input
                type="radio"
                name={name}
                checked={c.kind === 'remove'}
                onChange={() => set({ kind: 'remove' })}
                data-testid="label-change-remove"
              />{' '}
              {t('labelChanges.remove')}
            </label>
          </fieldset>
        );
      })}
      {keyChanges.length > 0 && (
        <div data-testid="label-key-changes">
          <p>{t('labelChanges.keysTitle')}</p>
          <ul>
            {keyChanges.map((k) => (
              <li key={k.label} data-testid="label-key-change" data-label={k.label}>
                {t('labelChanges.keysChange', { label: k.label, before: keys(k.before), after: keys(k.after) })}
              </li>
            ))}
          </ul>
          <p className="muted small">{t('labelChanges.keysHint')}</p>
        </div>
      )}
      <div className="label-changes__actions">
        <button
          type="button"
          className="btn btn--primary"
          disabled={busy}
          onClick={() => onConfirm(schema, merges)}
          data-testid="label-changes-confirm"
        >
          {t('labelChanges.confirm')}
        </button>{' '}
        <button type="button" className="btn" disabled={busy} onClick={onCancel} data-testid="label-changes-cancel">
          {t('labelChanges.back')}
        </button>
      </div>
    </Alert>
  );
}
