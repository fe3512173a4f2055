import type {
  ExportRecord,
  RestoreSnapshotInput,
  SnapshotChangelog,
  SnapshotRecord,
  SnapshotRestoreRecord,
  StartExportInput,
} from '@labelwork/core';
import { http, seg } from './http.ts';

const base = (projectId: string) => `/api/projects/${seg(projectId)}`;

export async function listExports(projectId: string, signal?: AbortSignal): Promise<ExportRecord[]> {
  return (await http.get<{ exports: ExportRecord[] }>(`${base(projectId)}/exports`, signal ? { signal } : {})).exports;
}

export async function startExport(
  projectId: string,
  input: Partial<StartExportInput> & { format: StartExportInput['format'] },
): Promise<ExportRecord> {
  return (await http.post<{ export: ExportRecord }>(`${base(projectId)}/exports`, input)).export;
}

export async function cancelExport(projectId: string, exportId: string): Promise<ExportRecord> {
  return (await http.post<{ export: ExportRecord }>(`${base(projectId)}/exports/${seg(exportId)}/cancel`)).export;
}

/** Where the browser downloads a finished export (a plain link: the session cookie goes along). */
export function exportDownloadUrl(projectId: string, exportId: string): string {
  return `${base(projectId)}/exports/${seg(exportId)}/download`;
}

export async function listSnapshots(projectId: string, signal?: AbortSignal): Promise<SnapshotRecord[]> {
  return (await http.get<{ snapshots: SnapshotRecord[] }>(`${base(projectId)}/snapshots`, signal ? { signal } : {})).snapshots;
}

export async function createSnapshot(projectId: string, note: string): Promise<SnapshotRecord> {
  return (await http.post<{ snapshot: SnapshotRecord }>(`${base(projectId)}/snapshots`, { note })).snapshot;
}

export async function diffSnapshots(projectId: string, from: string, to: string): Promise<SnapshotChangelog> {
  return (await http.get<{ changelog: SnapshotChangelog }>(`${base(projectId)}/snapshots/${seg(from)}/diff/${seg(to)}`)).changelog;
}

/** Starts a new project from a complete snapshot (a job): its schema, items and ground truth (as gold, the lead's annotations, or none). */
export async function restoreSnapshot(projectId: string, snapshotId: string, input: RestoreSnapshotInput): Promise<SnapshotRestoreRecord> {
  return (await http.post<{ restore: SnapshotRestoreRecord }>(`${base(projectId)}/snapshots/${seg(snapshotId)}/restore`, input)).restore;
}

/** A snapshot restore as it stands (progress, then its result or error). */
export async function getSnapshotRestore(projectId: string, snapshotId: string, restoreId: string): Promise<SnapshotRestoreRecord> {
  return (await http.get<{ restore: SnapshotRestoreRecord }>(`${base(projectId)}/snapshots/${seg(snapshotId)}/restores/${seg(restoreId)}`))
    .restore;
}
