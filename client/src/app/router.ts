import { useSyncExternalStore } from 'react';

const NAVIGATE_EVENT = 'labelwork:navigate';

function subscribe(onChange: () => void): () => void {
  window.addEventListener('popstate', onChange);
  window.addEventListener(NAVIGATE_EVENT, onChange);
  return () => {
    window.removeEventListener('popstate', onChange);
    window.removeEventListener(NAVIGATE_EVENT, onChange);
  };
}

const currentPath = () => window.location.pathname + window.location.search;

/** The current path with its query string; re-renders on navigation. */
export function useLocationPath(): string {
  return useSyncExternalStore(subscribe, currentPath);
}

/** Goes to `to` (same-origin path) through the History API. */
export function navigate(to: string, options: { replace?: boolean } = {}): void {
  if (to === currentPath()) return;
  if (options.replace) window.history.replaceState(null, '', to);
  else window.history.pushState(null, '', to);
  window.dispatchEvent(new Event(NAVIGATE_EVENT));
  window.scrollTo(0, 0);
}

export type Route =
  | { name: 'sign-in'; next: string | null }
  | { name: 'projects' }
  | { name: 'project-new' }
  | { name: 'project'; id: string; tab: ProjectTab | null }
  | { name: 'item-gold'; projectId: string; itemId: string }
  | { name: 'review'; projectId: string }
  | { name: 'rework'; projectId: string }
  | { name: 'work'; projectId: string }
  | { name: 'item'; projectId: string; itemId: string }
  | { name: 'annotator'; projectId: string; userId: string }
  | { name: 'watch'; projectId: string; userId: string }
  | { name: 'users' }
  | { name: 'training' }
  | { name: 'practice'; slug: string; version: string; itemId: string }
  | { name: 'attempt'; id: string }
  | { name: 'specification'; id: string }
  | { name: 'panel'; id: string }
  | { name: 'grading' }
  | { name: 'certificate'; id: string }
  | { name: 'trainees' }
  | { name: 'question-bank'; slug: string | null; version: string | null }
  | { name: 'mentoring'; userId: string }
  | { name: 'home' }
  | { name: 'not-found' };

export const PROJECT_TABS = ['items', 'queue', 'import', 'settings', 'members', 'guideline', 'dashboard', 'models', 'datasets'] as const;
export type ProjectTab = (typeof PROJECT_TABS)[number];

function isProjectTab(s: string): s is ProjectTab {
  return (PROJECT_TABS as readonly string[]).includes(s);
}

/** Only same-site paths are accepted as a place to return to after signing in. */
export function safeNext(next: string | null): string | null {
  return next && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/sign-in') ? next : null;
}

export function matchRoute(pathWithQuery: string): Route {
  const url = new URL(pathWithQuery, window.location.origin);
  const parts = url.pathname
    .split('/')
    .filter((p) => p !== '')
    .map((p) => decodeURIComponent(p));
  const [a, b, c, ...rest] = parts;
  if (a === undefined) return { name: 'home' };
  if (a === 'sign-in' && b === undefined) return { name: 'sign-in', next: safeNext(url.searchParams.get('next')) };
  if (a === 'users' && b === undefined) return { name: 'users' };
  if (a === 'training' && b === undefined) return { name: 'training' };
  if (a === 'training' && b === 'practice' && c !== undefined && rest.length === 2)
    return { name: 'practice', slug: c, version: rest[0]!, itemId: rest[1]! };
  if (a === 'training' && b === 'attempts' && c !== undefined && rest.length === 0) return { name: 'attempt', id: c };
  if (a === 'training' && b === 'specifications' && c !== undefined && rest.length === 0) return { name: 'specification', id: c };
  if (a === 'training' && b === 'panels' && c !== undefined && rest.length === 0) return { name: 'panel', id: c };
  if (a === 'grading' && b === undefined) return { name: 'grading' };
  if (a === 'certificates' && b !== undefined && c === undefined) return { name: 'certificate', id: b };
  if (a === 'trainees' && b === undefined) return { name: 'trainees' };
  if (a === 'question-banks' && b === undefined) return { name: 'question-bank', slug: null, version: null };
  if (a === 'question-banks' && b !== undefined && c !== undefined && rest.length === 0)
    return { name: 'question-bank', slug: b, version: c };
  if (a === 'mentoring' && b !== undefined && c === undefined) return { name: 'mentoring', userId: b };
  if (a === 'projects') {
    if (b === undefined) return { name: 'projects' };
    if (b === 'new' && c === undefined) return { name: 'project-new' };
    if (c === undefined) return { name: 'project', id: b, tab: null };
    if (c === 'work' && rest.length === 0) return { name: 'work', projectId: b };
    if (c === 'review' && rest.length === 0) return { name: 'review', projectId: b };
    if (c === 'rework' && rest.length === 0) return { name: 'rework', projectId: b };
    if (isProjectTab(c) && rest.length === 0) return { name: 'project', id: b, tab: c };
    if (c === 'items' && rest.length === 2 && rest[1] === 'gold') return { name: 'item-gold', projectId: b, itemId: rest[0]! };
    if (c === 'items' && rest.length === 1) return { name: 'item', projectId: b, itemId: rest[0]! };
    if (c === 'dashboard' && rest.length === 2 && rest[0] === 'annotators') return { name: 'annotator', projectId: b, userId: rest[1]! };
    if (c === 'watch' && rest.length === 1) return { name: 'watch', projectId: b, userId: rest[0]! };
  }
  return { name: 'not-found' };
}

export const paths = {
  signIn: (next?: string) => (next ? `/sign-in?next=${encodeURIComponent(next)}` : '/sign-in'),
  projects: () => '/projects',
  newProject: () => '/projects/new',
  /** A project's page; without a tab, the first tab the user's role can use. */
  project: (id: string, tab?: ProjectTab) => `/projects/${encodeURIComponent(id)}${tab ? `/${tab}` : ''}`,
  /** The annotator's workspace of a project. */
  work: (projectId: string) => `/projects/${encodeURIComponent(projectId)}/work`,
  itemGold: (projectId: string, itemId: string) => `/projects/${encodeURIComponent(projectId)}/items/${encodeURIComponent(itemId)}/gold`,
  /** The reviewer's view of a project's review queue. */
  review: (projectId: string) => `/projects/${encodeURIComponent(projectId)}/review`,
  /** The annotator's rejected work in a project. */
  rework: (projectId: string) => `/projects/${encodeURIComponent(projectId)}/rework`,
  /** One item with every annotation of it (leads): where dashboard numbers link to. */
  item: (projectId: string, itemId: string) => `/projects/${encodeURIComponent(projectId)}/items/${encodeURIComponent(itemId)}`,
  /** One annotator's figures and history in a project (leads). */
  annotator: (projectId: string, userId: string) =>
    `/projects/${encodeURIComponent(projectId)}/dashboard/annotators/${encodeURIComponent(userId)}`,
  /** A lead watching an annotator's canvas live, read-only (shadowing). */
  watch: (projectId: string, userId: string) => `/projects/${encodeURIComponent(projectId)}/watch/${encodeURIComponent(userId)}`,
  users: () => '/users',
  /** A trainee's practice, exams and certificates. */
  training: () => '/training',
  practice: (slug: string, version: string, itemId: string) =>
    `/training/practice/${encodeURIComponent(slug)}/${encodeURIComponent(version)}/${encodeURIComponent(itemId)}`,
  attempt: (id: string) => `/training/attempts/${encodeURIComponent(id)}`,
  /** A specification exercise (the candidate writes it; an examining lead grades it). */
  specification: (id: string) => `/training/specifications/${encodeURIComponent(id)}`,
  /** A comprehensive review (`new`: the candidate's portfolio form). */
  panel: (id: string) => `/training/panels/${encodeURIComponent(id)}`,
  /** The leads' grading queue. */
  grading: () => '/grading',
  certificate: (id: string) => `/certificates/${encodeURIComponent(id)}`,
  /** The lead's view of every trainee's level and attempts. */
  trainees: () => '/trainees',
  /** The leads' exam-bank editor, of one guideline version or (without) the first. */
  questionBank: (slug?: string, version?: string) =>
    slug && version ? `/question-banks/${encodeURIComponent(slug)}/${encodeURIComponent(version)}` : '/question-banks',
  /** A trainee's mentoring record: mentor, coaching notes, goals. */
  mentoring: (userId: string) => `/mentoring/${encodeURIComponent(userId)}`,
};
