import { projectLeads } from '../../api/projects.ts';
import { useT } from '../../i18n/index.tsx';
import { useLoad } from '../../ui/use-load.ts';

/**
 * The level-too-low page: the level needed and the honest way up. There is no certification
 * feature yet, so it says that a lead or an admin raises levels after assessing the work, and
 * names the project's leads to ask.
 */
export function LevelHelp({ projectId, required, yours }: { projectId: string; required: string; yours: string }) {
  const t = useT();
  const [load] = useLoad((signal) => projectLeads(projectId, signal), [projectId]);
  const leads = load.data ?? [];
  return (
    <div className="level-help" data-testid="level-help" data-required={required} data-yours={yours}>
      <p role="alert">{t('work.levelNeeded', { required, yours })}</p>
      {load.status === 'loading' ? null : leads.length > 0 ? (
        <>
          <p className="muted">{t('work.levelHow')}</p>
          <ul className="level-help__leads" data-testid="level-leads">
            {leads.map((l) => (
              <li key={l.id} data-testid="level-lead">
                {l.displayName && l.displayName !== l.username ? `${l.displayName} (${l.username})` : l.username}
              </li>
            ))}
          </ul>
        </>
      ) : (
        <p className="muted">{t('work.levelHowNoLeads')}</p>
      )}
    </div>
  );
}
