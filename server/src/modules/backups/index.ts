export { writeBackup, type BackupSummary } from './backup-write.ts';
export { restoreBackup, BACKUP_ZIP_LIMITS, type RestoreSummary } from './backup-restore.ts';
export { backupsRoutes } from './backups.routes.ts';
