export { mlAssistRoutes, mlMediaRoutes, mlRoutes } from './ml.routes.ts';
