export { datasetsRoutes } from './datasets.routes.ts';
export { startSnapshotRestoreRuntime } from './snapshot-restore-job.ts';
