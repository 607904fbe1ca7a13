import NextAuth from "next-auth";
import { NextResponse, type NextRequest } from "next/server";
import { getAuthOptionsFor } from "@/lib/auth/options";
import { clientIpFromHeaders, isLoginLimited, LOGIN_LIMITED_MESSAGE, LOGIN_LIMIT } from "@/lib/auth/login-limit";

type RouteContext = { params: Promise<{ nextauth: string[] }> };

function handler(req: NextRequest, ctx: RouteContext) {
  return NextAuth(req as never, ctx as never, getAuthOptionsFor(req.headers)) as Promise<Response>;
}

export const GET = handler;

/** Sign-in attempts pass the Postgres-backed limit first and answer 429 when it is reached. */
export async function POST(req: NextRequest, ctx: RouteContext) {
  if (req.nextUrl.pathname.endsWith("/callback/credentials")) {
    const form = await req.clone().formData().catch(() => null);
    const email = String(form?.get("email") ?? "");
    const ip = clientIpFromHeaders(req.headers);
    if (await isLoginLimited({ email, ip })) {
      const url = new URL("/login?error=RateLimited", req.nextUrl.origin).toString();
      return NextResponse.json(
        { url, error: "RateLimited", message: LOGIN_LIMITED_MESSAGE },
        { status: 429, headers: { "Retry-After": String(LOGIN_LIMIT.windowMinutes * 60) } },
      );
    }
  }
  return handler(req, ctx);
}
