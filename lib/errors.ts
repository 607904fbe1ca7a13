import { z } from "zod";

export type FieldErrors = Record<string, string[]>;

/** An expected failure whose message is safe and useful to show to the user as-is. */
export class UserError extends Error {
  override name = "UserError";
  constructor(
    message: string,
    readonly status: number = 400,
    readonly fieldErrors?: FieldErrors,
  ) {
    super(message);
  }
}

export class AuthRequiredError extends UserError {
  override name = "AuthRequiredError";
  constructor(message = "Please sign in to continue") {
    super(message, 401);
  }
}

export class ForbiddenError extends UserError {
  override name = "ForbiddenError";
  constructor(message = "You do not have permission to do this") {
    super(message, 403);
  }
}

export class RateLimitedError extends UserError {
  override name = "RateLimitedError";
  constructor(
    message: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(message, 429);
  }
}

export type ErrorKind =
  "invalid" | "unauthorized" | "forbidden" | "not_found" | "conflict" | "payload_too_large" | "rate_limited" | "internal";

/** What every answer (server action, /v1, the UI's own routes) is made from. */
export type ClassifiedError = {
  kind: ErrorKind;
  status: number;
  /** Safe to show: a UserError's own message, or a fixed text for validation and internal errors. */
  message: string;
  fieldErrors?: FieldErrors;
  retryAfterSeconds?: number;
};

export const INVALID_INPUT_MESSAGE = "Please correct the highlighted fields";
export const INTERNAL_ERROR_MESSAGE = "Something went wrong on our side. The error was logged; please try again.";
/** The key of field errors that belong to no field (a refinement on the whole object, say). */
export const FORM_ERROR_KEY = "_form";

const KIND_BY_STATUS: Record<number, ErrorKind> = {
  401: "unauthorized",
  403: "forbidden",
  404: "not_found",
  409: "conflict",
  413: "payload_too_large",
  429: "rate_limited",
};

/**
 * zod issues by field path ("options.keyColumns.0"); unknown keys under their own names, so a
 * misspelt field is named; issues on the object itself under FORM_ERROR_KEY.
 */
export function zodFieldErrors(error: z.ZodError): FieldErrors {
  const out: FieldErrors = {};
  for (const issue of error.issues) {
    const base = issue.path.map(String).join(".");
    const keys = issue.code === "unrecognized_keys" ? issue.keys.map((k) => (base ? `${base}.${k}` : k)) : [base || FORM_ERROR_KEY];
    for (const key of keys) (out[key] ??= []).push(issue.message);
  }
  return out;
}

/**
 * The one error model: what kind of failure this is, its HTTP status, and what may be shown.
 * Only UserErrors (and zod validation errors) carry their text out; anything else is "internal",
 * with a fixed message, so SQL, stack traces and secrets in an error never reach an answer.
 */
export function classify(err: unknown): ClassifiedError {
  if (err instanceof z.ZodError) {
    return { kind: "invalid", status: 400, message: INVALID_INPUT_MESSAGE, fieldErrors: zodFieldErrors(err) };
  }
  if (err instanceof UserError) {
    const status = err.status >= 400 && err.status < 500 ? err.status : 400;
    return {
      kind: KIND_BY_STATUS[status] ?? "invalid",
      status,
      message: err.message,
      ...(err.fieldErrors && Object.keys(err.fieldErrors).length ? { fieldErrors: err.fieldErrors } : {}),
      ...(err instanceof RateLimitedError && err.retryAfterSeconds ? { retryAfterSeconds: err.retryAfterSeconds } : {}),
    };
  }
  return { kind: "internal", status: 500, message: INTERNAL_ERROR_MESSAGE };
}

/** Next.js's redirect() and notFound() work by throwing; they must pass through every serializer. */
export function isNextControlFlow(err: unknown): boolean {
  return Boolean(err && typeof err === "object" && "digest" in err && String((err as { digest: unknown }).digest).startsWith("NEXT_"));
}
