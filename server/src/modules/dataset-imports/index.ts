export { datasetImportsRoutes } from './dataset-imports.routes.ts';
export { importDatasetFile } from './dataset-imports.service.ts';
export { PlanThreads } from './plan-threads.ts';
