import { createRequire } from "node:module";
import path from "node:path";
import { getNativeCsvScan } from "@/lib/env";

/**
 * The optional native record scanner (native/copy_scan.c), built by `npm install` when a C
 * compiler is present. Without it the TypeScript scanner does the same work, slower;
 * RELAYBOARD_NATIVE_SCAN=off (lib/env.ts) uses TypeScript anyway. The tests run both, and hold
 * both classifiers to lib/csv/classification-vectors.json.
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

export interface NativeScanner {
  scanRecords: ScanRecords;
  /** The kind bits (as TypeInferrer.masks) scanRecords gives one value; 0 for an empty one. For tests. */
  classify: (value: Uint8Array) => number;
}

let loaded: NativeScanner | null | undefined;

/** Whether RELAYBOARD_NATIVE_SCAN=off asks for the TypeScript scanner alone. */
export function nativeScanDisabled(): boolean {
  return getNativeCsvScan() === "off";
}

/** The built module, whatever RELAYBOARD_NATIVE_SCAN says; null if it is not built. */
export function loadNativeScanner(): NativeScanner | null {
  if (loaded !== undefined) return loaded;
  loaded = null;
  // Beside this file's folder (lib/csv), or beside the worker's bundle (.build, jobs/start.mjs),
  // else under the working directory; paths built at run time, so that no bundler follows them.
  const here = typeof __dirname === "string" ? __dirname : null;
  const roots = [here && path.join(here, "..", ".."), here && path.join(here, ".."), process.cwd()];
  for (const root of roots) {
    if (!root) continue;
    try {
      const file = path.join(root, "native", "build", "Release", "copy_scan.node");
      loaded = createRequire(path.join(root, "package.json"))(file) as NativeScanner;
      break;
    } catch {
      // not built there
    }
  }
  return loaded;
}

/** The native record scanner the app uses: null when it is not built or RELAYBOARD_NATIVE_SCAN=off. */
export function nativeScanRecords(): ScanRecords | null {
  if (nativeScanDisabled()) return null;
  return loadNativeScanner()?.scanRecords ?? null;
}
