export { projectsRoutes } from './projects.routes.ts';
export { updateProject } from './projects.service.ts';
