import { createRequire } from "node:module";
import path from "node:path";

/**
 * The optional native record scanner (native/copy_scan.c), built by `npm install` when a C
 * compiler is present. Without it the TypeScript scanner does the same work, slower; set
 * RELAYBOARD_NATIVE_SCAN=0 to use TypeScript anyway (the tests run both).
 */
export type ScanRecords = (
  chunk: Uint8Array,
  out: Uint8Array,
  wanted: Uint8Array,
  masks: Uint8Array,
  /** in: [i, cut, pos, line]; out: [i, cut, pos, line, records, recordEndOut] */
  state: Float64Array,
  delimiter: number,
  expected: number,
  maxFieldBytes: number,
) => void;

let loaded: ScanRecords | null | undefined;

export function nativeScanRecords(): ScanRecords | null {
  if (process.env.RELAYBOARD_NATIVE_SCAN === "0") return null;
  if (loaded !== undefined) return loaded;
  loaded = null;
  // Beside this file's folder (lib/csv), else under the working directory; paths built at run
  // time, so that no bundler tries to follow them.
  const roots = [typeof __dirname === "string" ? path.join(__dirname, "..", "..") : null, process.cwd()];
  for (const root of roots) {
    if (!root) continue;
    try {
      const file = path.join(root, "native", "build", "Release", "copy_scan.node");
      loaded = (createRequire(path.join(root, "package.json"))(file) as { scanRecords: ScanRecords }).scanRecords;
      break;
    } catch {
      // not built there
    }
  }
  return loaded;
}
