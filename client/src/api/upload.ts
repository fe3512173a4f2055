import { ApiError, csrfHeaders, errorFromResponse, reportSessionLoss } from './http.ts';

export interface UploadProgress {
  loaded: number;
  total: number;
}

export interface Upload<T> {
  result: Promise<T>;
  abort: () => void;
}

/**
 * POSTs a multipart form with XMLHttpRequest, which (unlike fetch) reports upload progress.
 * Rejects with ApiError like the JSON calls, or with an AbortError DOMException when aborted.
 */
export function uploadForm<T>(path: string, form: FormData, onProgress: (p: UploadProgress) => void): Upload<T> {
  const xhr = new XMLHttpRequest();
  const result = new Promise<T>((resolve, reject) => {
    xhr.open('POST', path);
    xhr.withCredentials = true;
    xhr.setRequestHeader('Accept', 'application/json');
    for (const [k, v] of Object.entries(csrfHeaders())) xhr.setRequestHeader(k, v);
    xhr.upload.addEventListener('progress', (e) => {
      if (e.lengthComputable) onProgress({ loaded: e.loaded, total: e.total });
    });
    xhr.addEventListener('load', () => {
      const text = xhr.responseText;
      if (xhr.status >= 200 && xhr.status < 300) {
        try {
          resolve(JSON.parse(text) as T);
        } catch {
          reject(new ApiError(xhr.status, 'BAD_RESPONSE', 'The server answered with something other than JSON.'));
        }
        return;
      }
      const error = errorFromResponse(xhr.status, text);
      reportSessionLoss(error);
      reject(error);
    });
    xhr.addEventListener('error', () => reject(new ApiError(0, 'NETWORK', 'The upload could not reach the server.')));
    xhr.addEventListener('abort', () => reject(new DOMException('Upload aborted', 'AbortError')));
    xhr.send(form);
  });
  return { result, abort: () => xhr.abort() };
}
