import { describe, expect, it } from "vitest";
import { createCopyScanner, FastPathUnsupported } from "./copy-scan";
import { createTypeInferrer } from "./infer";
import { nativeScanRecords } from "./native-scan";
import { createRng } from "@/bench/generate-csv";

/**
 * The native record scanner must change nothing but speed: the same files through the
 * TypeScript scanner alone and with the native one give the same COPY bytes, record ends,
 * rows, header, inferred types and refusals, whatever the chunk size.
 */

const VALUES = [
  "", "0", "7", "-12", "+3", "00501", "9223372036854775807", "9223372036854775808", "-9223372036854775808", "12345678901234567890",
  "1.5", "-0.25", ".5", "5.", "1e5", "2.5E-3", "1e1001", "1.2.3", "2024-02-29", "2023-02-29", "2024-13-01", "2024-01-31T23:59:59",
  "2024-01-31 23:59:59.123456", "2024-01-31T23:59:59.1234567", "2024-01-31T10:00:00Z", "2024-01-31T10:00:00+05:30", "2024-01-31T10:00-0800",
  "true", "FALSE", "t", "No", "y", "yes ", " 1", "abc", "Zürich", "日本", "a;b", "x|y", "tab\there",
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

function scanAll(text: string, delimiter: string, size: number, useNative: boolean) {
  const previous = process.env.RELAYBOARD_NATIVE_SCAN;
  if (!useNative) process.env.RELAYBOARD_NATIVE_SCAN = "0";
  try {
    const inferrer = createTypeInferrer(16);
    const wanted = new Uint8Array(16).fill(1);
    const scanner = createCopyScanner({
      delimiter,
      header: true,
      maxFieldBytes: 1024,
      wanted,
      onValue: (i, b, s, e) => {
        if (!inferrer.observeBytes(i, b, s, e)) wanted[i] = 0;
      },
      inferenceMasks: inferrer.masks,
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
    return { copy: outs.join(""), ends, rows: scanner.rows(), header: scanner.header(), types: inferrer.result().slice(0, scanner.columnCount()) };
  } finally {
    if (previous === undefined) delete process.env.RELAYBOARD_NATIVE_SCAN;
    else process.env.RELAYBOARD_NATIVE_SCAN = previous;
  }
}

describe("native record scanner", () => {
  it("is built (set RELAYBOARD_NATIVE_SCAN=0 where no C compiler is available)", () => {
    if (process.env.RELAYBOARD_NATIVE_SCAN === "0") return;
    expect(nativeScanRecords()).toBeTypeOf("function");
  });

  it("gives exactly what the TypeScript scanner gives on 400 generated files, in any chunk size", () => {
    if (!nativeScanRecords()) return;
    let refused = 0;
    for (let seed = 1; seed <= 400; seed++) {
      const { text, delimiter } = makeFile(seed);
      for (const size of [3, 17, 64, 4096]) {
        const ts = scanAll(text, delimiter, size, false);
        const native = scanAll(text, delimiter, size, true);
        expect(native, `seed ${seed}, chunks of ${size}`).toEqual(ts);
        if ("refused" in ts) refused++;
      }
    }
    // The generator does produce files the fast path refuses, and many it takes.
    expect(refused).toBeGreaterThan(10);
    expect(refused).toBeLessThan(400 * 4 * 0.5);
  });
});
