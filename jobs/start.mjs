// The worker's entrypoint (`npm run worker`, the launcher, the tests and the bench all start it):
// bundles jobs/worker.ts and the repository code it imports into one CommonJS file with esbuild
// when that file is missing or older than one of its sources, then runs it in this process.
//
// Why not `node --import tsx jobs/worker.ts`: tsx transforms every module at start-up and keeps
// its loader, its caches and a source map per file for the process's whole life. Measured on the
// 1 GiB ingest (`npm run bench -- --only=1g`, docs/benchmarks.md): idle RSS 120–141 → 108–110 MiB,
// load peak 210–224 → 185–195 MiB. Dependencies stay outside the bundle (`--packages=external`):
// they load from node_modules exactly as before, and the AWS SDK stays a lazy import.
//
// Stack traces point into .build/worker.cjs (unminified, each module under a comment naming its
// source file); NODE_OPTIONS=--enable-source-maps maps them to the sources (the map is written
// beside the bundle) at a cost of about 4 MiB.
//
// `node jobs/start.mjs --build-only` bundles and exits (the Docker image does this at build time).
import path from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { ensureBundle } from "./bundle.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const { bundle } = ensureBundle({ root, entry: "jobs/worker.ts" });
if (!process.argv.includes("--build-only")) createRequire(import.meta.url)(bundle);
