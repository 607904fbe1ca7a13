import { NextResponse } from "next/server";
import { z } from "zod";
import type { Role } from "@/db/schema/users";
import { roleAtLeast } from "@/lib/auth/roles";
import { UserError } from "@/lib/errors";
import { getLogger } from "@/lib/log";
import { authenticateBearer, type ApiPrincipal } from "@/lib/api/tokens";
import { readJsonBody } from "@/lib/api/body";

/**
 * Every /v1 route goes through here: Bearer authentication, the per-token rate limit, the role
 * check, JSON parsing with a size cap, zod validation (unknown fields rejected), and one error
 * shape — { error: { code, message, details? } } — with no stack trace or SQL in any answer.
 */
export { MAX_JSON_BYTES } from "@/lib/api/body";

export type ApiErrorCode =
  | "invalid_request"
  | "unauthorized"
  | "forbidden"
  | "not_found"
  | "conflict"
  | "payload_too_large"
  | "unsupported_media_type"
  | "rate_limited"
  | "unprocessable"
  | "internal_error";

const CODE_BY_STATUS: Record<number, ApiErrorCode> = {
  400: "invalid_request",
  401: "unauthorized",
  403: "forbidden",
  404: "not_found",
  409: "conflict",
  413: "payload_too_large",
  415: "unsupported_media_type",
  422: "unprocessable",
  429: "rate_limited",
};

export function apiError(status: number, message: string, details?: { path: string; message: string }[], headers?: Record<string, string>) {
  const code = CODE_BY_STATUS[status] ?? "internal_error";
  return NextResponse.json({ error: { code, message, ...(details?.length ? { details } : {}) } }, { status, headers });
}

function zodDetails(err: z.ZodError): { path: string; message: string }[] {
  return err.issues.map((issue) => ({
    path: issue.path.join(".") || (issue.code === "unrecognized_keys" ? (issue as { keys?: string[] }).keys?.join(",") ?? "" : ""),
    message: issue.message,
  }));
}

export function errorToResponse(err: unknown, route: string): NextResponse {
  if (err instanceof z.ZodError) return apiError(400, "The request is invalid", zodDetails(err));
  if (err instanceof UserError) {
    const details = err.fieldErrors ? Object.entries(err.fieldErrors).flatMap(([path, messages]) => messages.map((message) => ({ path, message }))) : undefined;
    return apiError(err.status >= 400 && err.status < 600 ? err.status : 400, err.message, details);
  }
  getLogger().error({ err, route }, "api request failed");
  return apiError(500, "Something went wrong on our side; it was logged");
}

export type ApiContext<P> = { principal: ApiPrincipal; params: P; request: Request };

type JsonRoute<B, P> = {
  route: string;
  role: Role;
  body?: z.ZodType<B>;
  /** Path params, checked before the handler (and so before any query) sees them; see lib/validation/path-params. */
  params?: z.ZodType<P>;
  handle: (input: { body: B } & ApiContext<P>) => Promise<Response>;
};

export async function authorize(request: Request, role: Role): Promise<ApiPrincipal | NextResponse> {
  const auth = await authenticateBearer(request.headers.get("authorization"));
  if ("status" in auth) {
    return apiError(auth.status, auth.message, undefined, auth.retryAfter ? { "Retry-After": String(auth.retryAfter) } : undefined);
  }
  if (!roleAtLeast(auth.principal.role, role)) {
    return apiError(403, `This needs the ${role} role; the token has ${auth.principal.role}`);
  }
  return auth.principal;
}

/** Builds a Next route handler for a JSON endpoint. */
export function jsonRoute<B = undefined, P = Record<string, string>>(def: JsonRoute<B, P>) {
  return async (request: Request, ctx: { params: Promise<P> }): Promise<Response> => {
    try {
      const principal = await authorize(request, def.role);
      if (principal instanceof NextResponse) return principal;
      const raw = (await ctx.params) ?? ({} as P);
      const params = def.params ? def.params.parse(raw) : raw;
      const body = def.body ? def.body.parse(await readJsonBody(request)) : (undefined as B);
      return await def.handle({ body, principal, params, request });
    } catch (err) {
      return errorToResponse(err, def.route);
    }
  };
}

export function json(status: number, body: unknown): NextResponse {
  return NextResponse.json(body, { status, headers: { "Cache-Control": "no-store" } });
}
