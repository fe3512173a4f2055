import { useMemo } from 'react';
import type { ProjectInput, User } from '@labelwork/core';
import { createProject } from '../../api/projects.ts';
import { Link } from '../../app/link.tsx';
import { navigate, paths } from '../../app/router.ts';
import { canManageProjects } from '../../app/session.tsx';
import { useT } from '../../i18n/index.tsx';
import { Alert } from '../../ui/alert.tsx';
import { emptyDraft, newLabel } from './draft.ts';
import { ProjectForm, type SubmitOutcome } from './project-form.tsx';

export function ProjectCreatePage({ user }: { user: User }) {
  const t = useT();
  const initial = useMemo(() => {
    const d = emptyDraft('image');
    return { ...d, labels: [newLabel(d.kind, [])] };
  }, []);

  const submit = async (input: ProjectInput): Promise<SubmitOutcome> => {
    const project = await createProject(input);
    navigate(paths.project(project.id, 'import'));
    return 'handled';
  };

  return (
    <div className="page page--narrow">
      <nav className="breadcrumbs" aria-label={t('nav.breadcrumbs')}>
        <Link to={paths.projects()}>{t('nav.projects')}</Link>
        <span aria-hidden="true"> / </span>
        <span>{t('projectCreate.title')}</span>
      </nav>
      <h1 className="page__title">{t('projectCreate.title')}</h1>
      {canManageProjects(user) ? (
        <ProjectForm initial={initial} submitLabel={t('projectCreate.submit')} onSubmit={submit} />
      ) : (
        <Alert tone="error">{t('error.FORBIDDEN')}</Alert>
      )}
    </div>
  );
}
