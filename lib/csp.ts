/**
 * The pages' Content-Security-Policy: scripts run only when they carry this response's nonce (or
 * were loaded by one that did: 'strict-dynamic'), so injected markup cannot run script. proxy.ts
 * makes a nonce per request; Next.js reads it from the request's CSP header and puts it on its own
 * scripts, which is why every page renders per request (the root layout reads the nonce).
 * Pure: the proxy runs before anything else and must not load the app's configuration.
 */

export const NONCE_HEADER = "x-nonce";

/** 128 random bits, base64: unguessable and new for every request. */
export function newNonce(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return btoa(String.fromCharCode(...bytes));
}

export function pageContentSecurityPolicy({ nonce, dev }: { nonce: string; dev: boolean }): string {
  return [
    "default-src 'self'",
    // React's development build needs eval (server error stacks, refresh); production never does.
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${dev ? " 'unsafe-eval'" : ""}`,
    // Styles stay inline-capable: the UI libraries (toasts, graph, editor) set style attributes.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    `connect-src 'self'${dev ? " ws: wss:" : ""}`,
    "frame-ancestors 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "object-src 'none'",
  ].join("; ");
}
