import { useEffect, useMemo, useState, type FormEvent, type ReactNode } from 'react';
import { LEVELS, PROJECT_KINDS, TOOLS_BY_KIND, type Level, type ProjectInput, type ProjectKind } from '@labelwork/core';
import { getGuideline, listGuidelines, localized } from '../../api/guidelines.ts';
import { isApiError } from '../../api/http.ts';
import { useI18n } from '../../i18n/index.tsx';
import { errorText } from '../../i18n/errors.ts';
import { Alert, ErrorAlert } from '../../ui/alert.tsx';
import { Field } from '../../ui/field.tsx';
import { fieldErrorTexts, fieldProblemsFromDetails, type FieldProblems } from '../../ui/field-errors.ts';
import { useLoad } from '../../ui/use-load.ts';
import {
  checkDraft,
  guidelineValue,
  labelDraftFromDef,
  parseGuidelineValue,
  shownErrorPaths,
  stableJson,
  draftToRaw,
  type FieldErrors,
  type ProjectDraft,
} from './draft.ts';
import { LabelSchemaEditor } from './label-schema-editor.tsx';

export type SubmitOutcome = 'saved' | 'handled';

interface ProjectFormProps {
  initial: ProjectDraft;
  submitLabel: string;
  /** Kind cannot change once the project has items. */
  kindLocked?: boolean;
  /** Guideline cannot be cleared by a partial update once set. */
  readOnly?: boolean;
  /** Extra content above the form (e.g. a conflict notice from the parent). */
  notice?: ReactNode;
  /** Saves the checked input. Throw ApiError to show it here; return 'handled' when the parent showed the outcome. */
  onSubmit: (input: ProjectInput) => Promise<SubmitOutcome>;
  onDirtyChange?: (dirty: boolean) => void;
}

/** A field path as people count: `labelSchema.labels[0].points[2]` → `labelSchema.labels #1.points #3`. */
function humanPath(path: string): string {
  return path.replace(/\[(\d+)\]/g, (_m, n: string) => ` #${Number(n) + 1}`);
}

export function ProjectForm(props: ProjectFormProps) {
  const { initial, submitLabel, kindLocked = false, readOnly = false, notice, onSubmit, onDirtyChange } = props;
  const { t, lang } = useI18n();
  const [draft, setDraft] = useState(initial);
  const [showClientErrors, setShowClientErrors] = useState(false);
  const [serverErrors, setServerErrors] = useState<FieldProblems>({});
  const [submitError, setSubmitError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ tone: 'success' | 'info' | 'error'; text: string } | null>(null);
  const [guidelines] = useLoad((signal) => listGuidelines(signal), []);

  const initialJson = useMemo(() => stableJson(draftToRaw(initial)), [initial]);
  const dirty = stableJson(draftToRaw(draft)) !== initialJson;
  useEffect(() => onDirtyChange?.(dirty), [dirty, onDirtyChange]);

  const check = useMemo(() => checkDraft(draft), [draft]);
  const clientErrors: FieldProblems = showClientErrors && !check.ok ? check.errors : {};
  // Kept as reason codes and translated here, so a language switch re-translates them.
  const errors: FieldErrors = fieldErrorTexts(t, { ...serverErrors, ...clientErrors });
  const shown = shownErrorPaths(draft);
  const otherErrors = Object.entries(errors).filter(([path]) => !shown.has(path));

  const edit = (patch: Partial<ProjectDraft>) => {
    setDraft((d) => ({ ...d, ...patch }));
    // Server errors point at fields by index; after an edit they may point at the wrong one.
    setServerErrors({});
    setSubmitError(null);
    setMessage(null);
  };

  // Labels whose tool the new kind lacks take its first tool (classification fits both kinds).
  const changeKind = (kind: ProjectKind) => {
    const allowed = TOOLS_BY_KIND[kind];
    const fallback = allowed[0] ?? 'class-single';
    edit({ kind, labels: draft.labels.map((l) => (allowed.includes(l.tool) ? l : { ...l, tool: fallback })) });
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (busy || readOnly) return;
    setShowClientErrors(true);
    setSubmitError(null);
    setMessage(null);
    if (!check.ok) return;
    setBusy(true);
    try {
      const outcome = await onSubmit(check.input);
      if (outcome === 'saved') setMessage({ tone: 'success', text: t('common.saved') });
    } catch (err) {
      if (isApiError(err) && err.code === 'VALIDATION_FAILED') setServerErrors(fieldProblemsFromDetails(err.details));
      setSubmitError(err);
    } finally {
      setBusy(false);
    }
  };

  const guidelineOptions = guidelines.data ?? [];
  const current = parseGuidelineValue(draft.guideline);
  const currentListed = !current || guidelineOptions.some((g) => guidelineValue(g) === draft.guideline);

  const loadLabelsFromGuideline = async () => {
    setMessage(null);
    if (!current) {
      setMessage({ tone: 'info', text: t('form.pickGuidelineFirst') });
      return;
    }
    try {
      const g = await getGuideline(current.slug, current.version);
      const title = localized(g.title, lang) || g.slug;
      if (draft.labels.length > 0 && !window.confirm(t('form.loadFromGuidelineConfirm', { title }))) return;
      const labels = g.labelSchema.labels.map(labelDraftFromDef);
      edit({ labels, ...(kindLocked ? {} : { kind: g.kind }) });
      setMessage({ tone: 'success', text: t('form.loadedFromGuideline', { count: labels.length }) });
    } catch (err) {
      setMessage({ tone: 'error', text: errorText(t, err) });
    }
  };

  const hasFieldErrors = Object.keys(errors).length > 0;
  return (
    <form className="project-form" onSubmit={(e) => void submit(e)} noValidate data-testid="project-form">
      {notice}
      {readOnly && <Alert tone="info">{t('form.readOnly')}</Alert>}
      {submitError !== null && !(isApiError(submitError) && submitError.code === 'VALIDATION_FAILED' && hasFieldErrors) && (
        <ErrorAlert error={submitError} testId="project-form-error" />
      )}
      {hasFieldErrors && (
        <Alert tone="error" testId="form-errors">
          {t('common.errorsBelow')}
          {otherErrors.length > 0 && (
            <>
              {' '}
              {t('common.otherErrors')}
              <ul className="error-list">
                {otherErrors.map(([path, msg]) => (
                  <li key={path}>
                    <code>{humanPath(path)}</code>: {msg}
                  </li>
                ))}
              </ul>
            </>
          )}
        </Alert>
      )}

      <fieldset className="form-section" disabled={readOnly}>
        <legend>{t('form.section.basics')}</legend>
        <div className="form-grid">
          <Field label={t('form.name')} error={errors['name']} className="span-2">
            {(p) => (
              <input
                {...p}
                value={draft.name}
                maxLength={120}
                required
                onChange={(e) => edit({ name: e.target.value })}
                data-testid="project-name"
              />
            )}
          </Field>
          <Field label={t('form.kind')} error={errors['kind']} hint={kindLocked ? t('form.kindLocked') : undefined}>
            {(p) => (
              <select
                {...p}
                value={draft.kind}
                disabled={kindLocked || readOnly}
                onChange={(e) => changeKind(e.target.value as ProjectKind)}
                data-testid="project-kind"
              >
                {PROJECT_KINDS.map((k) => (
                  <option key={k} value={k}>
                    {t(`kind.${k}`)}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field label={t('form.description')} error={errors['description']} className="span-3">
            {(p) => (
              <textarea
                {...p}
                rows={3}
                value={draft.description}
                maxLength={5000}
                onChange={(e) => edit({ description: e.target.value })}
                data-testid="project-description"
              />
            )}
          </Field>
        </div>
      </fieldset>

      <fieldset className="form-section" disabled={readOnly}>
        <legend>{t('form.section.workflow')}</legend>
        <div className="form-grid">
          <Field label={t('form.overlap')} error={errors['overlap']}>
            {(p) => (
              <input
                {...p}
                type="number"
                min={1}
                max={20}
                step={1}
                inputMode="numeric"
                value={draft.overlap}
                onChange={(e) => edit({ overlap: e.target.value })}
                data-testid="project-overlap"
              />
            )}
          </Field>
          <Field label={t('form.goldRate')} error={errors['goldRate']} hint={t('form.goldRateHint')}>
            {(p) => (
              <input
                {...p}
                type="number"
                min={0}
                max={100}
                step="any"
                inputMode="decimal"
                value={draft.goldRatePct}
                onChange={(e) => edit({ goldRatePct: e.target.value })}
                data-testid="project-gold-rate"
              />
            )}
          </Field>
          <Field label={t('form.minLevel')} error={errors['minLevel']}>
            {(p) => (
              <select
                {...p}
                value={draft.minLevel}
                onChange={(e) => edit({ minLevel: e.target.value as Level })}
                data-testid="project-min-level"
              >
                {LEVELS.map((l) => (
                  <option key={l} value={l}>
                    {l}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field label={t('form.sampleRate')} error={errors['reviewPolicy.sampleRate']} hint={t('form.sampleRateHint')}>
            {(p) => (
              <input
                {...p}
                type="number"
                min={0}
                max={100}
                step="any"
                inputMode="decimal"
                value={draft.sampleRatePct}
                onChange={(e) => edit({ sampleRatePct: e.target.value })}
                data-testid="project-sample-rate"
              />
            )}
          </Field>
          <Field
            label={t('form.guideline')}
            error={errors['guideline'] ?? errors['guideline.slug'] ?? errors['guideline.version']}
            className="span-2"
          >
            {(p) => (
              <div className="inline-controls">
                <select
                  {...p}
                  value={draft.guideline}
                  onChange={(e) => edit({ guideline: e.target.value })}
                  data-testid="project-guideline"
                >
                  <option value="">{t('common.none')}</option>
                  {!currentListed && current && <option value={draft.guideline}>{`${current.slug} ${current.version}`}</option>}
                  {guidelineOptions.map((g) => (
                    <option key={guidelineValue(g)} value={guidelineValue(g)}>
                      {`${localized(g.title, lang) || g.slug} · ${g.version} · ${t(`kind.${g.kind}`)}`}
                    </option>
                  ))}
                </select>
                <button
                  type="button"
                  className="btn"
                  onClick={() => void loadLabelsFromGuideline()}
                  disabled={readOnly || !current}
                  data-testid="load-labels-from-guideline"
                >
                  {t('form.loadFromGuideline')}
                </button>
              </div>
            )}
          </Field>
        </div>
        {guidelines.status === 'error' && <ErrorAlert error={guidelines.error} />}
      </fieldset>

      <fieldset className="form-section" disabled={readOnly}>
        <legend>{t('form.section.labels')}</legend>
        <LabelSchemaEditor
          kind={draft.kind}
          labels={draft.labels}
          errors={errors}
          readOnly={readOnly}
          onChange={(labels) => edit({ labels })}
        />
      </fieldset>

      {message && (
        <Alert tone={message.tone} testId="project-form-message">
          {message.text}
        </Alert>
      )}
      {!readOnly && (
        <div className="form-actions">
          <button type="submit" className="btn btn--primary" disabled={busy} data-testid="project-save">
            {busy ? t('common.saving') : submitLabel}
          </button>
          {dirty && <span className="muted small">{t('form.unsaved')}</span>}
        </div>
      )}
    </form>
  );
}
