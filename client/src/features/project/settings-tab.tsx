import { useCallback, useEffect, useMemo, useState } from 'react';
import { hotkeyChanges, type LabelMerge, type LabelSchema, type Project, type ProjectInput, type User } from '@labelwork/core';
import { isApiError } from '../../api/http.ts';
import { labelUsage, updateProject } from '../../api/projects.ts';
import { canManageProjects } from '../../app/session.tsx';
import { useT } from '../../i18n/index.tsx';
import { Alert, ErrorAlert } from '../../ui/alert.tsx';
import { LabelChanges, usedRemovedLabels, type UsedLabel } from './label-changes.tsx';
import { draftFromProject, patchFrom } from '../project-form/draft.ts';
import { ProjectForm, type SubmitOutcome } from '../project-form/project-form.tsx';

/** The `current` project sent with a 409 VERSION_CONFLICT, if the answer has one. */
function conflictCurrent(details: unknown): Project | null {
  if (typeof details === 'object' && details !== null && 'current' in details) {
    const c = details.current;
    if (typeof c === 'object' && c !== null && 'version' in c && 'id' in c) return c as Project;
  }
  return null;
}

interface SettingsTabProps {
  project: Project;
  user: User;
  onSaved: (project: Project) => void;
}

/**
 * Edits the project against the version the edit started from (`base`). A newer version from
 * elsewhere replaces the form only while it has no unsaved changes; otherwise the person decides.
 */
export function SettingsTab({ project, user, onSaved }: SettingsTabProps) {
  const t = useT();
  const [base, setBase] = useState(project);
  const [dirty, setDirty] = useState(false);
  const [conflict, setConflict] = useState<Project | null>(null);
  // The form remounts on every new base version, so "saved" lives here, not in the form.
  const [justSaved, setJustSaved] = useState(false);
  const initial = useMemo(() => draftFromProject(base), [base]);
  // An edit that removes labels in use, or moves a number key, waits here for the person's choices.
  const [review, setReview] = useState<{ input: ProjectInput; used: UsedLabel[] } | null>(null);
  const [reviewBusy, setReviewBusy] = useState(false);
  const [reviewError, setReviewError] = useState<unknown>(null);

  useEffect(() => {
    if (project.version !== base.version && !dirty) setBase(project);
  }, [project, base.version, dirty]);

  const adopt = (p: Project) => {
    setConflict(null);
    setJustSaved(false);
    setDirty(false);
    setBase(p);
    onSaved(p);
  };

  const save = async (input: ProjectInput, labelMerges: LabelMerge[] = []): Promise<SubmitOutcome> => {
    try {
      const patch = patchFrom(base, input);
      const saved = await updateProject(base.id, labelMerges.length > 0 ? { ...patch, labelMerges } : patch);
      setDirty(false);
      setConflict(null);
      setBase(saved);
      onSaved(saved);
      setJustSaved(true);
      return 'handled';
    } catch (err) {
      if (isApiError(err) && err.code === 'VERSION_CONFLICT') {
        setConflict(conflictCurrent(err.details) ?? project);
        return 'handled';
      }
      throw err;
    }
  };

  const submit = async (input: ProjectInput): Promise<SubmitOutcome> => {
    const kept = new Set(input.labelSchema.labels.map((l) => l.name));
    const removed = base.labelSchema.labels.some((l) => !kept.has(l.name));
    const used = removed ? usedRemovedLabels(base.labelSchema, input.labelSchema, await labelUsage(base.id)) : [];
    if (used.length > 0 || hotkeyChanges(base.labelSchema, input.labelSchema).length > 0) {
      setReviewError(null);
      setReview({ input, used });
      return 'handled';
    }
    return save(input);
  };

  const confirmReview = async (labelSchema: LabelSchema, merges: LabelMerge[]) => {
    if (!review) return;
    setReviewBusy(true);
    setReviewError(null);
    try {
      await save({ ...review.input, labelSchema }, merges);
      setReview(null);
    } catch (err) {
      setReviewError(err);
    } finally {
      setReviewBusy(false);
    }
  };

  const onDirtyChange = useCallback((d: boolean) => {
    setDirty(d);
    if (d) setJustSaved(false);
  }, []);
  const stale = !conflict && dirty && project.version !== base.version;
  const notice = review ? (
    <>
      <LabelChanges
        before={base.labelSchema}
        after={review.input.labelSchema}
        used={review.used}
        busy={reviewBusy}
        onConfirm={(s, m) => void confirmReview(s, m)}
        onCancel={() => setReview(null)}
      />
      {reviewError !== null && <ErrorAlert error={reviewError} testId="label-changes-error" />}
    </>
  ) : conflict ? (
    <Alert tone="warning" testId="version-conflict">
      {t('form.conflict', { version: conflict.version })}{' '}
      <button type="button" className="btn btn--small" onClick={() => adopt(conflict)} data-testid="conflict-reload">
        {t('form.conflictReload')}
      </button>
    </Alert>
  ) : stale ? (
    <Alert tone="warning" testId="changed-elsewhere">
      {t('form.changedElsewhere')}{' '}
      <button type="button" className="btn btn--small" onClick={() => adopt(project)} data-testid="stale-reload">
        {t('common.reload')}
      </button>
    </Alert>
  ) : justSaved ? (
    <Alert tone="success" testId="project-saved">
      {t('common.saved')}
    </Alert>
  ) : null;

  return (
    <ProjectForm
      key={`${base.id}:${base.version}`}
      initial={initial}
      submitLabel={t('common.save')}
      kindLocked={base.counts.items > 0}
      readOnly={!canManageProjects(user) || base.status === 'archived'}
      notice={notice}
      onSubmit={submit}
      onDirtyChange={onDirtyChange}
    />
  );
}
