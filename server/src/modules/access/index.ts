export { canAccess, isMember, loadProject } from './access.ts';
export { accessDecisionAffected, accessDecisionCache, cachedAccess } from './access-cache.ts';
export { cachedProject, projectCache } from './project-cache.ts';
export { projectsRepo } from './projects.repository.ts';
