export { datasetImportsRoutes } from './dataset-imports.routes.ts';
