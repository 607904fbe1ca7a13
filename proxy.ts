import { NextResponse, type NextRequest } from "next/server";
import { newNonce, NONCE_HEADER, pageContentSecurityPolicy } from "@/lib/csp";

/**
 * Gives every page request its own CSP nonce (see lib/csp.ts). Not an auth boundary: pages,
 * actions and routes check for themselves.
 */
export function proxy(request: NextRequest) {
  const nonce = newNonce();
  // NODE_ENV is fixed at build time here; lib/env is not loaded in the proxy.
  const policy = pageContentSecurityPolicy({ nonce, dev: process.env.NODE_ENV === "development" });
  const requestHeaders = new Headers(request.headers);
  // Set, never appended: a client's own x-nonce or CSP request header is replaced.
  requestHeaders.set(NONCE_HEADER, nonce);
  requestHeaders.set("Content-Security-Policy", policy);
  const response = NextResponse.next({ request: { headers: requestHeaders } });
  response.headers.set("Content-Security-Policy", policy);
  return response;
}

export const config = {
  matcher: [
    // Pages only. Route handlers (/api, /v1, /health, /metrics) are left out: they render no
    // scripts, and Next buffers the body of every request a proxy sees (10 MB by default), which
    // would cut off large CSV uploads. They get a fixed no-script policy from next.config.js.
    "/((?!api/|api$|v1/|v1$|health$|metrics$|_next/static/|_next/image).*)",
  ],
};
