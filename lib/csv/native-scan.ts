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
  try {
    // Paths built at run time from the app's directory, so that no bundler tries to follow them.
    const root = process.cwd();
    const file = path.join(root, "native", "build", "Release", "copy_scan.node");
    loaded = (createRequire(path.join(root, "package.json"))(file) as { scanRecords: ScanRecords }).scanRecords;
  } catch {
    loaded = null;
  }
  return loaded;
}
