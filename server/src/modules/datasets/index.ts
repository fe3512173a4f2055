export { datasetsRoutes } from './datasets.routes.ts';
