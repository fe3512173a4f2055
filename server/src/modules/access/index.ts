export { canAccess, isMember, loadProject } from './access.ts';
export { accessDecisionAffected, accessDecisionCache, cachedAccess } from './access-cache.ts';
export { projectsRepo } from './projects.repository.ts';
