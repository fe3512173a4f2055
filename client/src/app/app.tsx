import { lazy, Suspense, useEffect } from 'react';
import type { User } from '@labelwork/core';
import { ProjectCreatePage } from '../features/project-form/project-create-page.tsx';
import { ProjectPage } from '../features/project/project-page.tsx';
import { ProjectListPage } from '../features/projects/project-list-page.tsx';
import { SignInPage } from '../features/sign-in/sign-in-page.tsx';
import { UsersPage } from '../features/users/users-page.tsx';
import { I18nProvider, useT } from '../i18n/index.tsx';
import { Link } from './link.tsx';
import { matchRoute, navigate, paths, useLocationPath, type Route } from './router.ts';
import { SessionProvider, useSession } from './session.tsx';
import { Shell, type NavSection } from './shell.tsx';
import { SocketProvider } from './socket.tsx';

// The annotation editor (Konva and all) loads only when an editor page is opened.
const ReviewPage = lazy(() => import('../features/review/review-page.tsx').then((m) => ({ default: m.ReviewPage })));
const ReworkPage = lazy(() => import('../features/review/rework-page.tsx').then((m) => ({ default: m.ReworkPage })));
const GoldPage = lazy(() => import('../features/gold/gold-page.tsx').then((m) => ({ default: m.GoldPage })));
const ItemPage = lazy(() => import('../features/item/item-page.tsx').then((m) => ({ default: m.ItemPage })));
const AnnotatorPage = lazy(() => import('../features/dashboard/annotator-page.tsx').then((m) => ({ default: m.AnnotatorPage })));
const WatchPage = lazy(() => import('../features/shadow/watch-page.tsx').then((m) => ({ default: m.WatchPage })));
const WorkspacePage = lazy(() => import('../features/workspace/workspace-page.tsx').then((m) => ({ default: m.WorkspacePage })));
const GradingScreen = lazy(() => import('../features/training/grading-screen.tsx').then((m) => ({ default: m.GradingScreen })));
const TrainingPage = lazy(() => import('../features/training/training-page.tsx').then((m) => ({ default: m.TrainingPage })));
const PracticePage = lazy(() => import('../features/training/practice-page.tsx').then((m) => ({ default: m.PracticePage })));
const ExamPage = lazy(() => import('../features/training/exam-page.tsx').then((m) => ({ default: m.ExamPage })));
const CertificatePage = lazy(() => import('../features/training/certificate-page.tsx').then((m) => ({ default: m.CertificatePage })));
const TraineesPage = lazy(() => import('../features/training/trainees-page.tsx').then((m) => ({ default: m.TraineesPage })));
const QuestionBankPage = lazy(() => import('../features/training/question-bank-page.tsx').then((m) => ({ default: m.QuestionBankPage })));
const MentoringPage = lazy(() => import('../features/training/mentoring-page.tsx').then((m) => ({ default: m.MentoringPage })));

export function App() {
  return (
    <I18nProvider>
      <SessionProvider>
        <Routes />
      </SessionProvider>
    </I18nProvider>
  );
}

function Routes() {
  const t = useT();
  const { state } = useSession();
  const location = useLocationPath();
  const route = matchRoute(location);

  // Keep the address bar honest: signed-out people go to sign in (remembering where they were),
  // signed-in people leave the sign-in page for where they were going.
  useEffect(() => {
    if (state.status === 'signed-out' && route.name !== 'sign-in') navigate(paths.signIn(location), { replace: true });
    else if (state.status === 'signed-in' && route.name === 'sign-in') navigate(route.next ?? paths.projects(), { replace: true });
    else if (state.status === 'signed-in' && route.name === 'home') navigate(paths.projects(), { replace: true });
  }, [state.status, route, location]);

  if (state.status === 'loading') {
    return (
      <div className="splash" role="status">
        {t('app.loading')}
      </div>
    );
  }
  if (state.status === 'signed-out') return <SignInPage expired={state.expired} />;
  return (
    <SocketProvider userId={state.user.id}>
      <Shell user={state.user} section={sectionOf(route)}>
        <Screen route={route} user={state.user} />
      </Shell>
    </SocketProvider>
  );
}

function sectionOf(route: Route): NavSection {
  switch (route.name) {
    case 'projects':
    case 'project-new':
    case 'project':
    case 'item-gold':
    case 'review':
    case 'rework':
    case 'work':
    case 'item':
    case 'annotator':
    case 'watch':
      return 'projects';
    case 'users':
      return 'users';
    case 'specification':
    case 'panel':
      return 'training';
    case 'grading':
      return 'trainees';
    case 'training':
    case 'practice':
    case 'attempt':
    case 'certificate':
    case 'mentoring':
      return 'training';
    case 'trainees':
    case 'question-bank':
      return 'trainees';
    default:
      return null;
  }
}

function Screen({ route, user }: { route: Route; user: User }) {
  const t = useT();
  switch (route.name) {
    case 'projects':
      return <ProjectListPage user={user} />;
    case 'project-new':
      return <ProjectCreatePage user={user} />;
    case 'project':
      return <ProjectPage key={route.id} projectId={route.id} tab={route.tab} user={user} />;
    case 'item-gold':
      return (
        <Suspense fallback={<p className="muted">{t('app.loading')}</p>}>
          <GoldPage projectId={route.projectId} itemId={route.itemId} />
        </Suspense>
      );
    case 'work':
      return (
        <Suspense fallback={<p className="muted">{t('app.loading')}</p>}>
          <WorkspacePage key={route.projectId} projectId={route.projectId} user={user} />
        </Suspense>
      );
    case 'review':
      return (
        <Suspense fallback={<p className="muted">{t('app.loading')}</p>}>
          <ReviewPage key={route.projectId} projectId={route.projectId} user={user} />
        </Suspense>
      );
    case 'rework':
      return (
        <Suspense fallback={<p className="muted">{t('app.loading')}</p>}>
          <ReworkPage key={route.projectId} projectId={route.projectId} user={user} />
        </Suspense>
      );
    case 'item':
      return (
        <Suspense fallback={<p className="muted">{t('app.loading')}</p>}>
          <ItemPage key={route.itemId} projectId={route.projectId} itemId={route.itemId} user={user} />
        </Suspense>
      );
    case 'annotator':
      return (
        <Suspense fallback={<p className="muted">{t('app.loading')}</p>}>
          <AnnotatorPage key={route.userId} projectId={route.projectId} userId={route.userId} />
        </Suspense>
      );
    case 'watch':
      return (
        <Suspense fallback={<p className="muted">{t('app.loading')}</p>}>
          <WatchPage key={route.userId} projectId={route.projectId} userId={route.userId} />
        </Suspense>
      );
    case 'users':
      return <UsersPage user={user} />;
    case 'specification':
    case 'panel':
    case 'grading':
      return (
        <Suspense fallback={<p className="muted">{t('app.loading')}</p>}>
          <GradingScreen route={route} />
        </Suspense>
      );
    case 'training':
    case 'practice':
    case 'attempt':
    case 'certificate':
    case 'trainees':
    case 'question-bank':
    case 'mentoring':
      return (
        <Suspense fallback={<p className="muted">{t('app.loading')}</p>}>
          <TrainingScreen route={route} user={user} />
        </Suspense>
      );
    case 'home':
    case 'sign-in':
      return null;
    case 'not-found':
      return (
        <div className="page">
          <p>{t('common.notFound')}</p>
          <Link to={paths.projects()}>{t('common.backToProjects')}</Link>
        </div>
      );
  }
}

function TrainingScreen({
  route,
  user,
}: {
  route: Extract<Route, { name: 'training' | 'practice' | 'attempt' | 'certificate' | 'trainees' | 'question-bank' | 'mentoring' }>;
  user: User;
}) {
  switch (route.name) {
    case 'training':
      return <TrainingPage user={user} />;
    case 'practice':
      return (
        <PracticePage
          key={`${route.slug}@${route.version}:${route.itemId}`}
          slug={route.slug}
          version={route.version}
          itemId={route.itemId}
        />
      );
    case 'attempt':
      return <ExamPage key={route.id} attemptId={route.id} />;
    case 'certificate':
      return <CertificatePage key={route.id} id={route.id} />;
    case 'trainees':
      return <TraineesPage />;
    case 'question-bank':
      return <QuestionBankPage key={`${route.slug}@${route.version}`} slug={route.slug} version={route.version} user={user} />;
    case 'mentoring':
      return <MentoringPage key={route.userId} userId={route.userId} user={user} />;
  }
}
