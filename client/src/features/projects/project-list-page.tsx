import { useId, useState } from 'react';
import { meetsLevel, type Project, type User } from '@labelwork/core';
import { listProjects, type ProjectFilter } from '../../api/projects.ts';
import { Link } from '../../app/link.tsx';
import { paths } from '../../app/router.ts';
import { canManageProjects } from '../../app/session.tsx';
import { useI18n } from '../../i18n/index.tsx';
import { ErrorAlert } from '../../ui/alert.tsx';
import { RestoreBackupButton, canBackUp } from './backup-controls.tsx';
import { useLoad } from '../../ui/use-load.ts';

const FILTERS: readonly ProjectFilter[] = ['active', 'archived', 'all'];

export function ProjectListPage({ user }: { user: User }) {
  const { t, lang } = useI18n();
  const filterId = useId();
  const [filter, setFilter] = useState<ProjectFilter>('active');
  const [load, reload] = useLoad((signal) => listProjects(filter, signal), [filter]);
  const projects = load.data;
  const dateFormat = new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeStyle: 'short' });

  return (
    <div className="page">
      <div className="page__head">
        <h1 className="page__title">{t('projects.title')}</h1>
        <div className="page__actions">
          <label htmlFor={filterId}>{t('projects.filter')}</label>
          <select id={filterId} value={filter} onChange={(e) => setFilter(e.target.value as ProjectFilter)} data-testid="project-filter">
            {FILTERS.map((f) => (
              <option key={f} value={f}>
                {t(`projects.filter.${f}`)}
              </option>
            ))}
          </select>
          {canBackUp(user) && <RestoreBackupButton onRestored={reload} />}
          {canManageProjects(user) && (
            <Link to={paths.newProject()} className="btn btn--primary" data-testid="new-project">
              {t('projects.new')}
            </Link>
          )}
        </div>
      </div>
      {load.status === 'error' && <ErrorAlert error={load.error} onRetry={reload} />}
      {load.status === 'loading' && !projects && <p className="muted">{t('app.loading')}</p>}
      {projects && projects.length === 0 && (
        <div className="empty" data-testid="projects-empty">
          <p>{t('projects.empty')}</p>
          {/* Say what to do next: a lead creates a project; anyone else waits to be added and can practise meanwhile. */}
          {filter !== 'archived' && (
            <p className="muted">
              {canManageProjects(user) ? (
                t('projects.empty.lead')
              ) : (
                <>
                  {t('projects.empty.member')}{' '}
                  <Link to={paths.training()} data-testid="projects-empty-training">
                    {t('nav.training')}
                  </Link>
                </>
              )}
            </p>
          )}
        </div>
      )}
      {projects && projects.length > 0 && (
        <>
          <table className="table" data-testid="project-table">
            <thead>
              <tr>
                <th scope="col">{t('projects.col.name')}</th>
                <th scope="col">{t('projects.col.kind')}</th>
                <th scope="col" className="num">
                  {t('projects.col.items')}
                </th>
                <th scope="col" className="num">
                  {t('projects.col.gold')}
                </th>
                <th scope="col" className="num">
                  {t('projects.col.done')}
                </th>
                <th scope="col">{t('projects.col.level')}</th>
                <th scope="col">{t('projects.col.status')}</th>
                <th scope="col">{t('projects.col.updated')}</th>
                <th scope="col">
                  <span className="visually-hidden">{t('work.start')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {projects.map((p) => (
                <ProjectRow key={p.id} project={p} user={user} updated={formatDate(dateFormat, p.updatedAt)} />
              ))}
            </tbody>
          </table>
          <p className="muted small">{t('projects.count', { count: projects.length })}</p>
        </>
      )}
    </div>
  );
}

function formatDate(format: Intl.DateTimeFormat, iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? '' : format.format(d);
}

function ProjectRow({ project, user, updated }: { project: Project; user: User; updated: string }) {
  const { t } = useI18n();
  const levelOk = meetsLevel(user.level, project.minLevel);
  return (
    <tr data-testid="project-row" data-project-id={project.id}>
      <td>
        <Link to={paths.project(project.id)} className="table__primary-link" data-testid="project-link">
          {project.name}
        </Link>
        {project.description && <div className="table__sub">{project.description}</div>}
      </td>
      <td>{t(`kind.${project.kind}`)}</td>
      <td className="num">{project.counts.items}</td>
      <td className="num">{project.counts.gold}</td>
      <td className="num">{project.counts.done}</td>
      <td className="nowrap" title={t('projects.levelOf', { level: project.minLevel })} data-testid="project-level">
        {project.minLevel}
      </td>
      <td>
        <span className={`badge badge--${project.status}`}>{t(`status.${project.status}`)}</span>
      </td>
      <td className="nowrap">{updated}</td>
      <td>
        {project.status === 'active' &&
          (levelOk ? (
            <Link
              to={paths.work(project.id)}
              className="btn btn--small"
              data-testid="project-start"
              aria-label={t('work.startIn', { name: project.name })}
            >
              {t('work.start')}
            </Link>
          ) : (
            // Below the project's level: say what is needed instead of a start button that only leads to a refusal.
            <Link to={paths.work(project.id)} className="muted small nowrap" data-testid="project-needs-level">
              {t('projects.needsLevel', { required: project.minLevel, yours: user.level })}
            </Link>
          ))}
      </td>
    </tr>
  );
}
