export { projectsRoutes } from './projects.routes.ts';
export { createProject, updateProject } from './projects.service.ts';
