/**
 * Whether next-auth's cookies (session, CSRF, callback URL) carry `Secure` (and the `__Secure-` /
 * `__Host-` name prefixes), so a browser never sends them over plain HTTP.
 *
 * - APP_URL set: it is the address users open, so its scheme decides.
 * - APP_URL unset: the request's scheme decides, as X-Forwarded-Proto says: a TLS-terminating
 *   proxy sets it, and Next.js sets it from the socket when nobody did. Its first value is the hop
 *   the browser used. A client that lies about it can only make its own cookies Secure.
 *
 * The same answer must come out when the cookie is set and when it is read (the prefix is part of
 * the name), which is why both the auth route and the session lookup ask this one function.
 */
export function shouldUseSecureCookies({ appUrl, forwardedProto }: { appUrl?: string; forwardedProto?: string | null }): boolean {
  if (appUrl) {
    try {
      return new URL(appUrl).protocol === "https:";
    } catch {
      return false;
    }
  }
  const first = forwardedProto?.split(",")[0]?.trim().toLowerCase();
  return first === "https";
}
