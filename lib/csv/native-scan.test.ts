import { spawnSync } from "node:child_process";
import { afterEach, describe, expect, it, vi } from "vitest";
import { CLASSIFICATION_VECTORS } from "./classification-vectors";
import { createCopyScanner, FastPathUnsupported } from "./copy-scan";
import { createTypeInferrer, typeOfMask, type ColumnType } from "./infer";
import { loadNativeScanner, nativeScanDisabled, nativeScanRecords } from "./native-scan";
import { createRng } from "@/bench/generate-csv";
import { ConfigError, getNativeCsvScan, parseEnv } from "@/lib/env";

/**
 * The native record scanner must change nothing but speed: the same files through the
 * TypeScript scanner alone and with the native one give the same COPY bytes, record ends,
 * rows, header, inferred types and refusals, whatever the chunk size; and both classify every
 * value of the shared table (classification-vectors.json, which lib/csv/infer.test.ts holds
 * lib/csv/infer.ts to) as it says.
 *
 * With RELAYBOARD_NATIVE_SCAN=off (CI runs this file so once) the native module is left alone,
 * as on a machine without a compiler, and the tests check that the TypeScript scanner did
 * everything.
 */

const disabled = nativeScanDisabled();
const native = disabled ? null : loadNativeScanner();

/** What node-gyp needs to build native/ on Linux (what .ci/run installs): C and C++ compilers, make, Python 3. */
function buildToolsPresent(): boolean {
  const runs = (cmd: string) => spawnSync(cmd, ["--version"], { stdio: "ignore" }).status === 0;
  return runs("cc") && runs("c++") && runs("make") && runs("python3");
}

const VALUES = [
  "",
  "0",
  "7",
  "-12",
  "+3",
  "00501",
  "9223372036854775807",
  "9223372036854775808",
  "-9223372036854775808",
  "12345678901234567890",
  "1.5",
  "-0.25",
  ".5",
  "5.",
  "1e5",
  "2.5E-3",
  "1e1001",
  "1.2.3",
  "2024-02-29",
  "2023-02-29",
  "2024-13-01",
  "2024-01-31T23:59:59",
  "2024-01-31 23:59:59.123456",
  "2024-01-31T23:59:59.1234567",
  "2024-01-31T10:00:00Z",
  "2024-01-31T10:00:00+05:30",
  "2024-01-31T10:00-0800",
  "true",
  "FALSE",
  "t",
  "No",
  "y",
  "yes ",
  " 1",
  "abc",
  "Zürich",
  "日本",
  "a;b",
  "x|y",
  "tab\there",
];

function field(r: () => number, delimiter: string): string {
  const v = VALUES[Math.floor(r() * VALUES.length)]!;
  const roll = r();
  if (roll < 0.15) return `"${v}"`;
  if (roll < 0.2) return `"${v}${delimiter} ""q"" ${v}"`;
  if (roll < 0.25) return `"${v}\n${v}"`;
  if (roll < 0.27) return `"a\r\nb\rc"`;
  return v.includes(delimiter) || v.includes("\n") ? `"${v}"` : v;
}

/** A file of `rows` records of `cols` fields; some files have CRLF or CR endings, blank lines, a ragged row or a stray quote. */
function makeFile(seed: number): { text: string; delimiter: string } {
  const r = createRng(seed);
  const delimiter = [",", ";", "\t", "|"][Math.floor(r() * 4)]!;
  const cols = 1 + Math.floor(r() * 6);
  const rows = 1 + Math.floor(r() * 60);
  const ending = r() < 0.7 ? "\n" : r() < 0.5 ? "\r\n" : "\r";
  const lines = [Array.from({ length: cols }, (_, i) => `c${i}`).join(delimiter)];
  for (let i = 0; i < rows; i++) {
    let count = cols;
    if (r() < 0.01) count = cols + 1; // ragged
    let line = Array.from({ length: count }, () => field(r, delimiter)).join(delimiter);
    if (r() < 0.01) line = `${line}x"y`; // a quote inside an unquoted field
    lines.push(line);
    if (r() < 0.05) lines.push(""); // a blank line
  }
  const text = lines.join(ending) + (r() < 0.8 ? ending : "");
  return { text, delimiter };
}

type Scanned =
  | { refused: string }
  | { copy: string; ends: number[]; rows: number; nativeRows: number; header: string[] | null; types: ColumnType[]; masks: number[] };

/** A file through createCopyScanner with type inference, as lib/ingest/load-fast.ts does it. */
function scanAll(text: string, delimiter: string, size: number, useNative: boolean, maxFieldBytes = 1024): Scanned {
  const inferrer = createTypeInferrer(16);
  const wanted = new Uint8Array(16).fill(1);
  const scanner = createCopyScanner({
    delimiter,
    header: true,
    maxFieldBytes,
    wanted,
    onValue: (i, b, s, e) => {
      if (!inferrer.observeBytes(i, b, s, e)) wanted[i] = 0;
    },
    inferenceMasks: inferrer.masks,
    useNative,
  });
  const bytes = Buffer.from(text, "utf8");
  const outs: string[] = [];
  const ends: number[] = [];
  try {
    for (let i = 0; i < bytes.length; i += size) {
      outs.push(scanner.push(bytes.subarray(i, i + size)).toString("utf8"));
      ends.push(scanner.recordEnd());
    }
    outs.push(scanner.end().toString("utf8"));
    ends.push(scanner.recordEnd());
  } catch (err) {
    if (!(err instanceof FastPathUnsupported)) throw err;
    return { refused: err.reason };
  }
  return {
    copy: outs.join(""),
    ends,
    rows: scanner.rows(),
    nativeRows: scanner.nativeRows(),
    header: scanner.header(),
    types: inferrer.result().slice(0, scanner.columnCount()),
    masks: Array.from(inferrer.masks.subarray(0, Math.max(0, scanner.columnCount()))),
  };
}

describe("native record scanner", () => {
  it("is built where it can be, and used unless RELAYBOARD_NATIVE_SCAN=off", (ctx) => {
    const file =
      "id,amount,day\n" + Array.from({ length: 50 }, (_, i) => `${i},${i}.5,2024-01-${String((i % 28) + 1).padStart(2, "0")}\n`).join("");
    const scanned = scanAll(file, ",", 1 << 16, true);
    if (disabled) {
      // No-compiler mode: the app must not touch the module, and the TypeScript scanner did all.
      expect(nativeScanRecords()).toBeNull();
      expect(scanned).toMatchObject({ rows: 50, nativeRows: 0, types: ["bigint", "numeric", "date"] });
      return;
    }
    if (!native) {
      if (buildToolsPresent()) {
        expect.fail(
          "a C compiler, make and Python 3 are here but native/build/Release/copy_scan.node did not load: run `npm run build:native` " +
            "(or set RELAYBOARD_NATIVE_SCAN=off to test the TypeScript scanner alone)",
        );
      }
      ctx.skip("no C compiler: the native scanner is not built (RELAYBOARD_NATIVE_SCAN=off tests the TypeScript scanner alone)");
    }
    expect(native!.scanRecords).toBeTypeOf("function");
    expect(native!.classify, "a build older than copy_scan.c: run `npm run build:native`").toBeTypeOf("function");
    expect(nativeScanRecords()).toBe(native!.scanRecords);
    expect(scanned).toMatchObject({ rows: 50, nativeRows: 50, types: ["bigint", "numeric", "date"] });
    // Windows line endings (and blank CRLF lines) are records it takes too: the CR is left out.
    const crlf = scanAll(file.replace(/\n/g, "\r\n").replace("\r\n5,", "\r\n\r\n5,"), ",", 1 << 16, true);
    expect(crlf).toMatchObject({ rows: 50, nativeRows: 50, types: ["bigint", "numeric", "date"] });
    expect("copy" in crlf && crlf.copy.includes("\r")).toBe(false);
  });

  it("gives exactly what the TypeScript scanner gives on 400 generated files, in any chunk size", (ctx) => {
    if (!native) ctx.skip(disabled ? "RELAYBOARD_NATIVE_SCAN=off" : "the native scanner is not built");
    let refused = 0;
    let nativeRows = 0;
    for (let seed = 1; seed <= 400; seed++) {
      const { text, delimiter } = makeFile(seed);
      for (const size of [3, 17, 64, 4096]) {
        const ts = scanAll(text, delimiter, size, false);
        const withNative = scanAll(text, delimiter, size, true);
        if ("refused" in ts) refused++;
        else if (!("refused" in withNative)) {
          expect(ts.nativeRows).toBe(0);
          nativeRows += withNative.nativeRows;
          withNative.nativeRows = 0;
        }
        expect(withNative, `seed ${seed}, chunks of ${size}`).toEqual(ts);
      }
    }
    // The generator does produce files the fast path refuses, and many it takes.
    expect(refused).toBeGreaterThan(10);
    expect(refused).toBeLessThan(400 * 4 * 0.5);
    expect(nativeRows).toBeGreaterThan(1000);
  });
});

/** A field as a CSV writer would put it: quoted when it must be (or when asked). */
function csvField(value: string, delimiter: string, quote: boolean): string {
  return quote || value === "" || /["\r\n]/.test(value) || value.includes(delimiter) ? `"${value.replaceAll('"', '""')}"` : value;
}

describe("classification vectors through the native and the TypeScript scanners", () => {
  it.each(CLASSIFICATION_VECTORS.map((v) => [v.group, v.label, v] as const))("%s: %s", (_group, _label, { value, type }) => {
    const bytes = Buffer.from(value, "utf8");
    if (native) {
      const kind = native.classify(bytes);
      expect(kind === 0 ? null : typeOfMask(kind), "native classify()").toBe(type);
      // At an offset into a larger buffer, as the record scanner sees values.
      const inside = Buffer.from(`x${value}\n`, "utf8");
      expect(native.classify(inside.subarray(1, 1 + bytes.length))).toBe(kind);
    }
    // An escaped quote makes a value text in both scanners without classifying it (the table
    // agrees: no typed value has a quote).
    const forms = [false, true].map((quote) => csvField(value, ",", quote));
    for (const field of new Set(forms)) {
      for (const [header, record, column] of [
        ["v", field, 0],
        ["id,v,z", `1,${field},z`, 1],
      ] as const) {
        const file = `${header}\n${record}\n`;
        const where = `${JSON.stringify(file)}`;
        const ts = scanAll(file, ",", 1 << 16, false, 1 << 20);
        if ("refused" in ts) throw new Error(`refused (${ts.refused}): ${where}`);
        expect(ts, where).toMatchObject({ rows: 1, nativeRows: 0 });
        expect(ts.types[column], `TypeScript scanner, ${where}`).toBe(type ?? "text");
        expect(ts.masks[column] === 0, `TypeScript scanner, ${where}`).toBe(type === null);
        // The scanner the app uses: native where it is built and not switched off.
        const app = scanAll(file, ",", 1 << 16, true, 1 << 20);
        expect(app, where).toMatchObject({ rows: 1, nativeRows: native ? 1 : 0 });
        expect(app, `${native ? "native" : "TypeScript"} scanner, ${where}`).toEqual({ ...ts, nativeRows: native ? 1 : 0 });
        // And split into chunks of 3 bytes: values carried across chunk boundaries.
        if (value.length < 1000) expect(scanAll(file, ",", 3, true, 1 << 20), `chunks of 3, ${where}`).toMatchObject({ types: ts.types });
      }
    }
  });
});

describe("RELAYBOARD_NATIVE_SCAN (read through lib/env.ts)", () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it("is auto unless off; anything else stops start-up naming it", () => {
    const secrets = { AUTH_SECRET: "x".repeat(32), ENCRYPTION_KEY: Buffer.alloc(32, 7).toString("base64") };
    expect(parseEnv(secrets).nativeCsvScan).toBe("auto");
    expect(parseEnv({ ...secrets, RELAYBOARD_NATIVE_SCAN: "" }).nativeCsvScan).toBe("auto");
    expect(parseEnv({ ...secrets, RELAYBOARD_NATIVE_SCAN: "off" }).nativeCsvScan).toBe("off");
    expect(() => parseEnv({ ...secrets, RELAYBOARD_NATIVE_SCAN: "0" })).toThrow(/RELAYBOARD_NATIVE_SCAN/);

    vi.stubEnv("RELAYBOARD_NATIVE_SCAN", "off");
    expect(getNativeCsvScan()).toBe("off");
    expect(nativeScanDisabled()).toBe(true);
    expect(nativeScanRecords()).toBeNull();
    vi.stubEnv("RELAYBOARD_NATIVE_SCAN", "auto");
    expect(nativeScanDisabled()).toBe(false);
    vi.stubEnv("RELAYBOARD_NATIVE_SCAN", "nope");
    expect(() => getNativeCsvScan()).toThrow(ConfigError);
  });
});
