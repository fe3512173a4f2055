import type { ReactNode } from 'react';
import type { User } from '@labelwork/core';
import { useT } from '../i18n/index.tsx';
import { ReviewInbox } from '../features/review/review-inbox.tsx';
import { LanguageSwitch } from './language-switch.tsx';
import { Link } from './link.tsx';
import { paths } from './router.ts';
import { UserMenu } from './user-menu.tsx';

export type NavSection = 'projects' | 'users' | 'training' | 'trainees' | null;

/** Header (product name, nav, language, user menu) around the signed-in screens. */
export function Shell({ user, section, children }: { user: User; section: NavSection; children: ReactNode }) {
  const t = useT();
  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        {t('app.skipToContent')}
      </a>
      <header className="header">
        <Link to={paths.projects()} className="header__brand" data-testid="brand">
          {t('app.name')}
        </Link>
        <nav className="header__nav" aria-label={t('nav.main')}>
          <Link
            to={paths.projects()}
            className={`header__link${section === 'projects' ? ' is-active' : ''}`}
            aria-current={section === 'projects' ? 'page' : undefined}
            data-testid="nav-projects"
          >
            {t('nav.projects')}
          </Link>
          <Link
            to={paths.training()}
            className={`header__link${section === 'training' ? ' is-active' : ''}`}
            aria-current={section === 'training' ? 'page' : undefined}
            data-testid="nav-training"
          >
            {t('nav.training')}
          </Link>
          {(user.role === 'admin' || user.role === 'lead') && (
            <Link
              to={paths.trainees()}
              className={`header__link${section === 'trainees' ? ' is-active' : ''}`}
              aria-current={section === 'trainees' ? 'page' : undefined}
              data-testid="nav-trainees"
            >
              {t('nav.trainees')}
            </Link>
          )}
          {user.role === 'admin' && (
            <Link
              to={paths.users()}
              className={`header__link${section === 'users' ? ' is-active' : ''}`}
              aria-current={section === 'users' ? 'page' : undefined}
              data-testid="nav-users"
            >
              {t('nav.users')}
            </Link>
          )}
        </nav>
        <div className="header__end">
          <ReviewInbox user={user} />
          <LanguageSwitch />
          <UserMenu user={user} />
        </div>
      </header>
      <main id="main" className="main" tabIndex={-1}>
        {children}
      </main>
    </div>
  );
}
