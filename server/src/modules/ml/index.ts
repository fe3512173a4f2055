export { mlMediaRoutes, mlRoutes } from './ml.routes.ts';
