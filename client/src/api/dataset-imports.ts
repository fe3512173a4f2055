import type { DatasetImportView, ImportAnnotators, LabelMapping } from '@labelwork/core';
import { http, seg } from './http.ts';
import { uploadForm, type Upload, type UploadProgress } from './upload.ts';

/** Dataset imports of a project: upload for a preview, re-plan under a mapping, confirm. */
const base = (projectId: string) => `/api/projects/${seg(projectId)}/dataset-imports`;

export function previewDatasetImport(
  projectId: string,
  form: FormData,
  onProgress: (p: UploadProgress) => void,
): Upload<{ import: DatasetImportView }> {
  return uploadForm<{ import: DatasetImportView }>(base(projectId), form, onProgress);
}

export async function planDatasetImport(projectId: string, importId: string, mapping: LabelMapping): Promise<DatasetImportView> {
  return (await http.post<{ import: DatasetImportView }>(`${base(projectId)}/${seg(importId)}/plan`, { mapping })).import;
}

export async function confirmDatasetImport(
  projectId: string,
  importId: string,
  mapping: LabelMapping,
  annotators?: ImportAnnotators,
): Promise<DatasetImportView> {
  return (
    await http.post<{ import: DatasetImportView }>(`${base(projectId)}/${seg(importId)}/confirm`, {
      mapping,
      ...(annotators ? { annotators } : {}),
    })
  ).import;
}

export async function getDatasetImport(projectId: string, importId: string): Promise<DatasetImportView> {
  return (await http.get<{ import: DatasetImportView }>(`${base(projectId)}/${seg(importId)}`)).import;
}

/** Asks a running import to stop; the workers take back what it stored. */
export async function cancelDatasetImport(projectId: string, importId: string): Promise<DatasetImportView> {
  return (await http.post<{ import: DatasetImportView }>(`${base(projectId)}/${seg(importId)}/cancel`)).import;
}
