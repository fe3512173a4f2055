import { useState, type FormEvent } from 'react';
import { issueFromZod, LEVELS, ROLES, UserInput, type Level, type Role, type User } from '@labelwork/core';
import { isApiError } from '../../api/http.ts';
import { createUser, type NewUser } from '../../api/users.ts';
import { useI18n } from '../../i18n/index.tsx';
import { Alert, ErrorAlert } from '../../ui/alert.tsx';
import { Field } from '../../ui/field.tsx';
import {
  fieldErrorTexts,
  fieldProblemsFromDetails,
  fieldProblemsFromIssues,
  type FieldErrors,
  type FieldProblems,
} from '../../ui/field-errors.ts';

interface Form {
  username: string;
  displayName: string;
  password: string;
  role: Role;
  reviewer: boolean;
  level: Level;
}

const EMPTY: Form = { username: '', displayName: '', password: '', role: 'annotator', reviewer: false, level: 'L5' };

export function CreateUserForm({ onCreated }: { onCreated: (u: User) => void }) {
  const { t, lang } = useI18n();
  const [form, setForm] = useState<Form>(EMPTY);
  // Reason codes, translated on each render: a language switch re-translates them.
  const [problems, setProblems] = useState<FieldProblems>({});
  const [taken, setTaken] = useState(false);
  const errors: FieldErrors = { ...fieldErrorTexts(t, problems), ...(taken ? { username: t('error.USERNAME_TAKEN') } : {}) };
  const [error, setError] = useState<unknown>(null);
  const [created, setCreated] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const edit = (patch: Partial<Form>) => {
    setForm((f) => ({ ...f, ...patch }));
    setCreated(null);
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (busy) return;
    setError(null);
    setCreated(null);
    const body: NewUser = {
      username: form.username.trim(),
      password: form.password,
      role: form.role,
      reviewer: form.reviewer,
      level: form.level,
      lang,
      ...(form.displayName.trim() ? { displayName: form.displayName.trim() } : {}),
    };
    const parsed = UserInput.safeParse(body);
    setTaken(false);
    if (!parsed.success) {
      setProblems(fieldProblemsFromIssues(parsed.error.issues.map((i) => issueFromZod(i))));
      return;
    }
    setProblems({});
    setBusy(true);
    try {
      const user = await createUser(body);
      onCreated(user);
      setCreated(user.username);
      setForm(EMPTY);
    } catch (err) {
      if (isApiError(err) && err.code === 'VALIDATION_FAILED') setProblems(fieldProblemsFromDetails(err.details));
      if (isApiError(err) && err.code === 'USERNAME_TAKEN') setTaken(true);
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="card create-user" onSubmit={(e) => void submit(e)} noValidate data-testid="create-user-form">
      <h2 className="section-title">{t('users.create')}</h2>
      {error !== null && <ErrorAlert error={error} testId="create-user-error" />}
      {created && (
        <Alert tone="success" testId="create-user-done">
          {t('users.created', { username: created })}
        </Alert>
      )}
      <div className="form-grid">
        <Field label={t('users.username')} error={errors['username']}>
          {(p) => (
            <input
              {...p}
              autoComplete="off"
              spellCheck={false}
              value={form.username}
              onChange={(e) => edit({ username: e.target.value })}
              data-testid="new-user-username"
            />
          )}
        </Field>
        <Field label={t('users.displayName')} error={errors['displayName']}>
          {(p) => (
            <input
              {...p}
              autoComplete="off"
              value={form.displayName}
              onChange={(e) => edit({ displayName: e.target.value })}
              data-testid="new-user-display-name"
            />
          )}
        </Field>
        <Field label={t('users.password')} error={errors['password']} hint={t('users.passwordHint')}>
          {(p) => (
            <input
              {...p}
              type="password"
              autoComplete="new-password"
              value={form.password}
              onChange={(e) => edit({ password: e.target.value })}
              data-testid="new-user-password"
            />
          )}
        </Field>
        <Field label={t('users.role')} error={errors['role']}>
          {(p) => (
            <select {...p} value={form.role} onChange={(e) => edit({ role: e.target.value as Role })} data-testid="new-user-role">
              {ROLES.map((r) => (
                <option key={r} value={r}>
                  {t(`role.${r}`)}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label={t('users.level')} error={errors['level']}>
          {(p) => (
            <select {...p} value={form.level} onChange={(e) => edit({ level: e.target.value as Level })} data-testid="new-user-level">
              {LEVELS.map((l) => (
                <option key={l} value={l}>
                  {l}
                </option>
              ))}
            </select>
          )}
        </Field>
        <div className="field field--checkbox">
          <label className="checkbox">
            <input
              type="checkbox"
              checked={form.reviewer}
              onChange={(e) => edit({ reviewer: e.target.checked })}
              data-testid="new-user-reviewer"
            />
            <span>{t('users.reviewer')}</span>
          </label>
        </div>
      </div>
      <div className="form-actions">
        <button type="submit" className="btn btn--primary" disabled={busy} data-testid="create-user-submit">
          {busy ? t('common.saving') : t('users.create')}
        </button>
      </div>
    </form>
  );
}
