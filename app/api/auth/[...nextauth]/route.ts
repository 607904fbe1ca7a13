import NextAuth from "next-auth";
import { NextResponse, type NextRequest } from "next/server";
import { getAuthOptionsFor } from "@/lib/auth/options";
import { LOGIN_LIMITED_ERROR, LOGIN_LIMITED_MESSAGE, LOGIN_LIMIT } from "@/lib/auth/login-limit";

type RouteContext = { params: Promise<{ nextauth: string[] }> };

function handler(req: NextRequest, ctx: RouteContext) {
  return NextAuth(req as never, ctx as never, getAuthOptionsFor(req.headers)) as Promise<Response>;
}

export const GET = handler;

/**
 * The limit is checked inside authorize() (lib/auth/login-limit.ts), atomically with recording the
 * attempt; a sign-in it refuses comes back from next-auth as error=RateLimited and leaves as 429.
 */
export async function POST(req: NextRequest, ctx: RouteContext) {
  const response = await handler(req, ctx);
  if (req.nextUrl.pathname.endsWith("/callback/credentials") && (await refusedByLimit(response))) {
    const url = new URL(`/login?error=${LOGIN_LIMITED_ERROR}`, req.nextUrl.origin).toString();
    return NextResponse.json(
      { url, error: LOGIN_LIMITED_ERROR, message: LOGIN_LIMITED_MESSAGE },
      { status: 429, headers: { "Retry-After": String(LOGIN_LIMIT.windowMinutes * 60) } },
    );
  }
  return response;
}

/** next-auth answers a JSON { url } (or a redirect) pointing at its error page with the code. */
async function refusedByLimit(response: Response): Promise<boolean> {
  let target = response.headers.get("location");
  if (!target && response.headers.get("content-type")?.includes("application/json")) {
    const body = (await response
      .clone()
      .json()
      .catch(() => null)) as { url?: unknown } | null;
    target = typeof body?.url === "string" ? body.url : null;
  }
  if (!target) return false;
  try {
    const url = new URL(target, "http://relayboard.invalid");
    return url.pathname.endsWith("/api/auth/error") && url.searchParams.get("error") === LOGIN_LIMITED_ERROR;
  } catch {
    return false;
  }
}
