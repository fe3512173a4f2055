import { useCallback, useEffect, useState } from 'react';
import { REVIEWER_MIN_LEVEL, SERVER_EVENTS, meetsLevel, type Project, type ProjectUpdatedPayload, type User } from '@labelwork/core';
import { archiveProject, getProject, unarchiveProject } from '../../api/projects.ts';
import { joinProject, leaveProject } from '../../api/socket.ts';
import { Link } from '../../app/link.tsx';
import { paths, PROJECT_TABS, type ProjectTab } from '../../app/router.ts';
import { canManageProjects } from '../../app/session.tsx';
import { BackupButton, canBackUp } from '../projects/backup-controls.tsx';
import { useSocket } from '../../app/socket.tsx';
import { useT } from '../../i18n/index.tsx';
import { Alert, ErrorAlert } from '../../ui/alert.tsx';
import { useLoad } from '../../ui/use-load.ts';
import { DashboardTab } from '../dashboard/dashboard-tab.tsx';
import { ModelsTab } from '../ml/models-tab.tsx';
import { DatasetsTab } from './datasets-tab.tsx';
import { GuidelineTab } from './guideline-tab.tsx';
import { ImportTab } from './import-tab.tsx';
import { ItemsTab } from './items-tab.tsx';
import { MembersTab } from './members-tab.tsx';
import { QueueTab } from './queue-tab.tsx';
import { SettingsTab } from './settings-tab.tsx';

/** Tabs for admins and leads only (their API answers FORBIDDEN to annotators, reviewers and trainees). */
const MANAGER_TABS: ReadonlySet<ProjectTab> = new Set([
  'items',
  'queue',
  'import',
  'settings',
  'members',
  'dashboard',
  'models',
  'datasets',
]);

/** The tab a project opens on when none is named: managers get the items, everyone else the guideline. */
export function landingTab(manager: boolean): ProjectTab {
  return manager ? 'items' : 'guideline';
}

interface ProjectPageProps {
  projectId: string;
  tab: ProjectTab | null;
  user: User;
}

export function ProjectPage({ projectId, tab, user }: ProjectPageProps) {
  const t = useT();
  const socket = useSocket();
  const [load, reload, replace] = useLoad((signal) => getProject(projectId, signal), [projectId]);
  const [updatedElsewhere, setUpdatedElsewhere] = useState(false);
  const [itemsEpoch, setItemsEpoch] = useState(0);
  const project = load.data;
  const manager = canManageProjects(user);

  const refetch = useCallback(() => {
    getProject(projectId).then(replace, () => undefined);
  }, [projectId, replace]);

  // Join the project's room (again after every reconnect) to hear about edits and imports.
  useEffect(() => {
    if (!socket) return;
    const join = () => void joinProject(socket, projectId).catch(() => undefined);
    const onUpdated = (p: ProjectUpdatedPayload) => {
      if (p.projectId !== projectId) return;
      refetch();
      if (p.by !== user.id) setUpdatedElsewhere(true);
    };
    if (socket.connected) join();
    socket.on('connect', join);
    socket.on(SERVER_EVENTS.projectUpdated, onUpdated);
    return () => {
      socket.off('connect', join);
      socket.off(SERVER_EVENTS.projectUpdated, onUpdated);
      if (socket.connected) void leaveProject(socket, projectId).catch(() => undefined);
    };
  }, [socket, projectId, user.id, refetch]);

  const onImported = useCallback(() => {
    refetch();
    setItemsEpoch((n) => n + 1);
  }, [refetch]);

  if (!project) {
    return (
      <div className="page">
        {load.status === 'error' ? <ErrorAlert error={load.error} onRetry={reload} /> : <p className="muted">{t('project.loading')}</p>}
        <Link to={paths.projects()}>{t('common.backToProjects')}</Link>
      </div>
    );
  }

  const tabs = PROJECT_TABS.filter((k) => manager || !MANAGER_TABS.has(k));
  const active = tab && tabs.includes(tab) ? tab : landingTab(manager);
  return (
    <div className="page">
      <nav className="breadcrumbs" aria-label={t('nav.breadcrumbs')}>
        <Link to={paths.projects()}>{t('nav.projects')}</Link>
        <span aria-hidden="true"> / </span>
        <span>{project.name}</span>
      </nav>
      <div className="page__head">
        <div>
          <h1 className="page__title" data-testid="project-title">
            {project.name}
            <span className="badge badge--kind">{t(`kind.${project.kind}`)}</span>
            <span className={`badge badge--${project.status}`} data-testid="project-status">
              {t(`status.${project.status}`)}
            </span>
          </h1>
          <p className="muted small" data-testid="project-counts">
            {t('project.summary', { items: project.counts.items, gold: project.counts.gold, done: project.counts.done })}
          </p>
          {project.fromSnapshot && (
            <p className="muted small" data-testid="project-from-snapshot">
              {t('project.fromSnapshot', {
                number: project.fromSnapshot.number,
                version: project.fromSnapshot.version,
                hash: project.fromSnapshot.sha256.slice(0, 12),
              })}
            </p>
          )}
        </div>
        <div className="page__actions">
          {project.status === 'active' &&
            (meetsLevel(user.level, project.minLevel) ? (
              <Link to={paths.work(project.id)} className="btn btn--primary" data-testid="start-annotating">
                {t('work.start')}
              </Link>
            ) : (
              <Link to={paths.work(project.id)} className="btn" data-testid="project-needs-level">
                {t('projects.needsLevel', { required: project.minLevel, yours: user.level })}
              </Link>
            ))}
          {user.reviewer && meetsLevel(user.level, REVIEWER_MIN_LEVEL) && (
            <Link to={paths.review(project.id)} className="btn" data-testid="open-review">
              {t('review.open')}
            </Link>
          )}
          <Link to={paths.rework(project.id)} className="btn" data-testid="open-rework">
            {t('rework.title')}
          </Link>
          {canBackUp(user) && <BackupButton projectId={project.id} />}
          {manager && <ArchiveButton project={project} onChanged={replace} />}
        </div>
      </div>
      {updatedElsewhere && (
        <Alert tone="info" onDismiss={() => setUpdatedElsewhere(false)} testId="project-updated-notice">
          {t('project.updatedElsewhere')}
        </Alert>
      )}
      {project.status === 'archived' && <Alert tone="warning">{t('project.archivedNotice')}</Alert>}
      <nav className="tabs" aria-label={t('project.tabs')}>
        {tabs.map((k) => (
          <Link
            key={k}
            to={paths.project(project.id, k)}
            className={`tabs__tab${k === active ? ' is-active' : ''}`}
            aria-current={k === active ? 'page' : undefined}
            data-testid={`tab-${k}`}
          >
            {t(`project.tab.${k}`)}
          </Link>
        ))}
      </nav>
      <section className="tab-panel" aria-label={t(`project.tab.${active}`)}>
        {active === 'items' && <ItemsTab key={itemsEpoch} project={project} />}
        {active === 'queue' && <QueueTab project={project} onProjectChanged={replace} />}
        {active === 'import' && <ImportTab project={project} onImported={onImported} />}
        {active === 'settings' && <SettingsTab project={project} user={user} onSaved={replace} />}
        {active === 'members' && <MembersTab project={project} onChanged={replace} />}
        {active === 'guideline' && <GuidelineTab project={project} />}
        {active === 'dashboard' && <DashboardTab project={project} />}
        {active === 'models' && <ModelsTab project={project} user={user} />}
        {active === 'datasets' && <DatasetsTab project={project} />}
      </section>
    </div>
  );
}

function ArchiveButton({ project, onChanged }: { project: Project; onChanged: (p: Project) => void }) {
  const t = useT();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const archived = project.status === 'archived';
  const toggle = async () => {
    setBusy(true);
    setError(null);
    try {
      onChanged(await (archived ? unarchiveProject(project.id) : archiveProject(project.id)));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="page__actions">
      {error !== null && <ErrorAlert error={error} />}
      <button
        type="button"
        className="btn"
        disabled={busy}
        onClick={() => void toggle()}
        data-testid={archived ? 'project-unarchive' : 'project-archive'}
      >
        {archived ? t('project.unarchive') : t('project.archive')}
      </button>
    </div>
  );
}
