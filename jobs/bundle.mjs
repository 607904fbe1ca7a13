// Bundles the worker (jobs/worker.ts and the repository code it imports) into one CommonJS file
// with esbuild, unless the file is there and newer than every source it was built from.
// Plain JavaScript on purpose: jobs/start.mjs runs it before anything could compile TypeScript.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";

const require = createRequire(import.meta.url);

/** True when the bundle exists and no source it was built from changed since (mtime). */
function bundleIsFresh(root, bundle, metafile) {
  let builtAt;
  let inputs;
  try {
    builtAt = fs.statSync(bundle).mtimeMs;
    inputs = Object.keys(JSON.parse(fs.readFileSync(metafile, "utf8")).inputs);
  } catch {
    return false;
  }
  // tsconfig.json decides how "@/…" imports resolve; package.json which packages are external.
  for (const input of [...inputs, "tsconfig.json", "package.json"]) {
    try {
      if (fs.statSync(path.join(root, input)).mtimeMs > builtAt) return false;
    } catch {
      return false; // a source was removed or renamed
    }
  }
  return true;
}

/**
 * Builds into files of this process's own and renames them into place, so workers starting
 * together never read each other's half-written bundle. The metafile goes last: a bundle is only
 * taken as fresh once the list of its inputs matches it.
 */
function buildBundle(root, entry, outDir, bundle, metafile) {
  // Sources are read after this moment: the bundle is dated then, so an edit made while esbuild
  // ran is newer than the bundle and the next start rebuilds.
  const startedAt = new Date();
  fs.mkdirSync(outDir, { recursive: true });
  const tmpBundle = path.join(outDir, `${path.basename(bundle, ".cjs")}.${process.pid}.cjs`);
  const tmpMeta = `${tmpBundle}.meta.json`;
  const args = [
    entry,
    "--bundle",
    "--platform=node",
    "--format=cjs",
    "--target=node22.12",
    "--packages=external",
    "--sourcemap=linked",
    "--log-level=warning",
    `--outfile=${tmpBundle}`,
    `--metafile=${tmpMeta}`,
  ];
  // esbuild installs its native binary over this file where it can, and leaves a Node script with a
  // shebang where it cannot: executed directly, both work.
  const result = spawnSync(require.resolve("esbuild/bin/esbuild"), args, { cwd: root, encoding: "utf8" });
  if (result.status !== 0) {
    for (const file of [tmpBundle, `${tmpBundle}.map`, tmpMeta]) fs.rmSync(file, { force: true });
    const said = `${result.stderr ?? ""}${result.error ? String(result.error) : ""}`.trim();
    throw new Error(
      `relayboard: could not bundle ${entry} (esbuild exited with ${result.status ?? result.signal})${said ? `:\n${said}` : ""}`,
    );
  }
  // Warnings (not errors) still reach the log.
  if (result.stderr?.trim()) process.stderr.write(result.stderr);
  // The source map is named after the file it maps: point the bundle at the name it will have.
  const tmpName = path.basename(tmpBundle);
  const code = fs
    .readFileSync(tmpBundle, "utf8")
    .replace(`sourceMappingURL=${tmpName}.map`, `sourceMappingURL=${path.basename(bundle)}.map`);
  fs.writeFileSync(tmpBundle, code);
  fs.utimesSync(tmpBundle, startedAt, startedAt);
  fs.renameSync(`${tmpBundle}.map`, `${bundle}.map`);
  fs.renameSync(tmpBundle, bundle);
  fs.renameSync(tmpMeta, metafile);
}

/**
 * Makes sure `<outDir>/<name>.cjs` is the bundle of `entry` (a path relative to `root`) and
 * returns its path and whether it was (re)built. A read-only install (the Docker image, which
 * builds the bundle with the image) keeps the bundle it has, with a warning; a source that does
 * not compile is an error, never an old bundle run in silence.
 */
export function ensureBundle({ root, entry, outDir = path.join(root, ".build"), name = "worker" }) {
  const bundle = path.join(outDir, `${name}.cjs`);
  const metafile = path.join(outDir, `${name}.meta.json`);
  if (bundleIsFresh(root, bundle, metafile)) return { bundle, built: false };
  if (fs.existsSync(bundle) && !writable(outDir)) {
    console.warn(`relayboard: ${path.relative(root, outDir)} is read-only; running the bundle that is there`);
    return { bundle, built: false };
  }
  buildBundle(root, entry, outDir, bundle, metafile);
  return { bundle, built: true };
}

function writable(dir) {
  try {
    fs.accessSync(dir, fs.constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

// `node jobs/bundle.mjs <entry> <name>`: builds one bundle and exits (the Docker image builds the
// web process's upload thread this way; scripts/web-server.ts).
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [entry, name] = process.argv.slice(2);
  if (!entry || !name) {
    console.error("usage: node jobs/bundle.mjs <entry> <name>");
    process.exit(2);
  }
  console.log(ensureBundle({ root: process.cwd(), entry, name }).bundle);
}
