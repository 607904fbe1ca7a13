// XMLHttpRequest rather than fetch: fetch reports no upload progress.

import { readApiError } from "@/lib/api/error-answer";

export type UploadProgress = { loaded: number; total: number };

export type UploadAnswer<T> =
  | { ok: true; status: number; data: T }
  | { ok: false; status: number; message: string; fieldErrors?: Record<string, string[]>; aborted?: boolean };

const STATUS_MESSAGES: Record<number, string> = {
  401: "Your session has ended. Sign in again and retry the upload.",
  403: "You do not have permission to upload datasets.",
  413: "The file is larger than this server accepts.",
  415: "The upload was not sent as a file.",
};

/**
 * POSTs multipart form data to `url`, reporting bytes sent. Resolves (never rejects) with the
 * route's JSON answer (errors in the /v1 shape), or a message for network failures and cancellation via `signal`.
 */
export function uploadWithProgress<T>(
  url: string,
  body: FormData,
  onProgress: (p: UploadProgress) => void,
  signal?: AbortSignal,
): Promise<UploadAnswer<T>> {
  return new Promise((resolve) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", url);
    xhr.responseType = "text";
    xhr.setRequestHeader("Accept", "application/json");

    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) onProgress({ loaded: e.loaded, total: e.total });
    };
    xhr.onload = () => {
      let json: unknown = null;
      try {
        json = xhr.responseText ? JSON.parse(xhr.responseText) : null;
      } catch {
        // Not JSON (a proxy's error page, say): fall back to the status below.
      }
      if (xhr.status >= 200 && xhr.status < 300) {
        resolve({ ok: true, status: xhr.status, data: json as T });
        return;
      }
      const error = readApiError(json);
      resolve({
        ok: false,
        status: xhr.status,
        message: error.message ?? STATUS_MESSAGES[xhr.status] ?? `The upload failed (HTTP ${xhr.status}).`,
        fieldErrors: error.fieldErrors,
      });
    };
    xhr.onerror = () => resolve({ ok: false, status: 0, message: "The upload was interrupted. Check your connection and try again." });
    xhr.ontimeout = () => resolve({ ok: false, status: 0, message: "The upload timed out. Try again." });
    xhr.onabort = () => resolve({ ok: false, status: 0, message: "Upload cancelled.", aborted: true });

    if (signal) {
      if (signal.aborted) {
        resolve({ ok: false, status: 0, message: "Upload cancelled.", aborted: true });
        return;
      }
      signal.addEventListener("abort", () => xhr.abort(), { once: true });
    }
    xhr.send(body);
  });
}
