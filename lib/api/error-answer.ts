/**
 * Reads the API's error shape ({ error: { code, message, details? } }, see lib/api/handler) in the
 * browser: the message, and the details regrouped by field path as forms show them. Pure, so
 * client components can import it.
 */
export type ApiErrorAnswer = { message?: string; code?: string; fieldErrors?: Record<string, string[]> };

export function readApiError(json: unknown): ApiErrorAnswer {
  const error = (json as { error?: { message?: unknown; code?: unknown; details?: unknown } } | null)?.error;
  if (!error || typeof error !== "object") return {};
  const out: ApiErrorAnswer = {};
  if (typeof error.message === "string") out.message = error.message;
  if (typeof error.code === "string") out.code = error.code;
  if (Array.isArray(error.details)) {
    const fieldErrors: Record<string, string[]> = {};
    for (const d of error.details as { path?: unknown; message?: unknown }[]) {
      if (typeof d?.message !== "string") continue;
      (fieldErrors[typeof d.path === "string" && d.path ? d.path : "_form"] ??= []).push(d.message);
    }
    if (Object.keys(fieldErrors).length) out.fieldErrors = fieldErrors;
  }
  return out;
}
