import { ApiError, csrfHeaders, errorFromResponse, isAbortError, reportSessionLoss, seg } from './http.ts';
import { uploadForm, type Upload, type UploadProgress } from './upload.ts';

/** What a restore answers (server/src/modules/backups/backup-restore.ts). */
export interface RestoreSummary {
  project: { id: string; name: string };
  from: { id: string; labelworkVersion: string; createdAt: string };
  counts: Record<string, number>;
  placeholders: string[];
}

/** The file name the server gave in Content-Disposition (RFC 5987 `filename*` first). */
function fileName(disposition: string | null, fallback: string): string {
  const star = /filename\*=UTF-8''([^;]+)/i.exec(disposition ?? '');
  if (star?.[1]) {
    try {
      return decodeURIComponent(star[1]);
    } catch {
      // a malformed name: use the fallback
    }
  }
  return fallback;
}

/**
 * Downloads a project's backup (admins): the server builds the zip while it streams; the browser
 * keeps it until it is saved (very large projects: use `npx labelwork backup`).
 */
export async function downloadBackup(projectId: string): Promise<{ bytes: number; name: string }> {
  let res: Response;
  try {
    res = await fetch(`/api/projects/${seg(projectId)}/backup`, { method: 'POST', headers: csrfHeaders(), credentials: 'same-origin' });
  } catch (e) {
    if (isAbortError(e)) throw e;
    throw new ApiError(0, 'NETWORK', e instanceof Error ? e.message : String(e));
  }
  if (!res.ok) {
    const error = errorFromResponse(res.status, await res.text());
    reportSessionLoss(error);
    throw error;
  }
  const blob = await res.blob().catch((e: unknown) => {
    throw new ApiError(0, 'NETWORK', e instanceof Error ? e.message : String(e));
  });
  const name = fileName(res.headers.get('content-disposition'), 'backup.zip');
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
  return { bytes: blob.size, name };
}

/** Uploads a backup zip and restores it into a new project (admins). */
export function restoreBackup(file: File, onProgress: (p: UploadProgress) => void): Upload<RestoreSummary> {
  const form = new FormData();
  form.append('file', file, file.name);
  return uploadForm<RestoreSummary>('/api/backups/restore', form, onProgress);
}
