import { NextResponse } from "next/server";
import type { z } from "zod";
import type { Role } from "@/db/schema/users";
import { roleAtLeast } from "@/lib/auth/roles";
import { requireRole } from "@/lib/auth/session";
import { AuthRequiredError, classify, ForbiddenError, RateLimitedError, type ClassifiedError } from "@/lib/errors";
import { getEnv } from "@/lib/env";
import { getLogger } from "@/lib/log";
import { authenticateBearer, type ApiPrincipal } from "@/lib/api/tokens";
import { readJsonBody } from "@/lib/api/body";

/**
 * Every /v1 route goes through here: authentication (a Bearer token, or the browser's session
 * cookie for the app's own pages), the per-token rate limit, the role check, JSON parsing with a
 * size cap, zod validation (unknown fields rejected), and one error shape —
 * { error: { code, message, details? } } — made from classify(), with no stack trace or SQL in any answer.
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

export type ApiErrorDetail = { path: string; message: string };
export type ApiErrorBody = { error: { code: ApiErrorCode; message: string; details?: ApiErrorDetail[] } };

// The status picks the code within a kind (a 415 and a 422 are both "invalid" to classify()).
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

/** The /v1 serializer of a classified error: field errors become details [{ path, message }]. */
export function apiErrorBody(c: ClassifiedError): ApiErrorBody {
  const code = c.kind === "internal" ? "internal_error" : (CODE_BY_STATUS[c.status] ?? "invalid_request");
  const details = c.fieldErrors
    ? Object.entries(c.fieldErrors).flatMap(([path, messages]) => messages.map((message) => ({ path, message })))
    : [];
  return { error: { code, message: c.message, ...(details.length ? { details } : {}) } };
}

/** Any error as a /v1 answer; internal ones are logged with the route and context first. */
export function errorToResponse(err: unknown, route: string, context: Record<string, unknown> = {}): NextResponse {
  const c = classify(err);
  if (c.kind === "internal") getLogger().error({ err, route, ...context }, "api request failed");
  const headers: Record<string, string> = { "Cache-Control": "no-store" };
  if (c.retryAfterSeconds) headers["Retry-After"] = String(c.retryAfterSeconds);
  return NextResponse.json(apiErrorBody(c), { status: c.status, headers });
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

const SESSION_COOKIE = /(?:^|;\s*)(?:__Secure-)?next-auth\.session-token(?:\.\d+)?=/;
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * A cookie-authenticated write must come from this site's own pages: browsers send Origin with
 * every POST/PUT/DELETE, and it must name the host the request was sent to (as Next.js checks for
 * server actions) or APP_URL. SameSite=Lax already keeps the cookie off cross-site POSTs; this also covers
 * sibling subdomains, which count as same-site.
 */
function isSameOrigin(request: Request): boolean {
  const origin = request.headers.get("origin");
  if (!origin) return false;
  const host = request.headers.get("x-forwarded-host")?.split(",")[0]?.trim() || request.headers.get("host") || new URL(request.url).host;
  try {
    // APP_URL, when set, is the address users open, whatever Host a proxy in front passes on.
    return new URL(origin).host === host || new URL(origin).origin === new URL(getEnv().appUrl).origin;
  } catch {
    return false;
  }
}

/**
 * Who is calling, with at least `role`: the Bearer token when an Authorization header is sent;
 * else, when the browser sends the session cookie, the signed-in user (so the app's pages can use
 * /v1 instead of routes of their own). Throws 401/403/429 UserErrors.
 */
export async function authorize(request: Request, role: Role): Promise<ApiPrincipal> {
  if (!request.headers.has("authorization") && SESSION_COOKIE.test(request.headers.get("cookie") ?? "")) {
    if (!SAFE_METHODS.has(request.method.toUpperCase()) && !isSameOrigin(request)) {
      throw new ForbiddenError("A signed-in browser may only write from this site's own pages; scripts should send an API token");
    }
    const user = await requireRole(role);
    return { tokenId: null, userId: user.id, email: user.email, role: user.role };
  }
  const auth = await authenticateBearer(request.headers.get("authorization"));
  if ("status" in auth)
    throw auth.status === 429 ? new RateLimitedError(auth.message, auth.retryAfter) : new AuthRequiredError(auth.message);
  if (!roleAtLeast(auth.principal.role, role))
    throw new ForbiddenError(`This needs the ${role} role; the token has ${auth.principal.role}`);
  return auth.principal;
}

/** Builds a Next route handler for a JSON endpoint. */
export function jsonRoute<B = undefined, P = Record<string, string>>(def: JsonRoute<B, P>) {
  return async (request: Request, ctx: { params: Promise<P> }): Promise<Response> => {
    try {
      const principal = await authorize(request, def.role);
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
