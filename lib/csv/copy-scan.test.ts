import { describe, expect, it } from "vitest";
import Papa from "papaparse";
import { createCopyScanner, FastPathUnsupported } from "./copy-scan";
import { createTypeInferrer } from "./infer";

/** Runs the scanner over `input` cut into chunks of `size` bytes; returns COPY text and header. */
function scan(input: string | Buffer, opts: { header?: boolean; delimiter?: string; size?: number } = {}) {
  const bytes = Buffer.isBuffer(input) ? input : Buffer.from(input, "utf8");
  const inferrer = createTypeInferrer(100);
  const scanner = createCopyScanner({
    delimiter: opts.delimiter ?? ",",
    header: opts.header ?? true,
    maxFieldBytes: 1024,
    wanted: new Uint8Array(100).fill(1),
    onValue: (i, v, s, e) => inferrer.observeBytes(i, v, s, e),
  });
  const size = opts.size ?? bytes.length;
  const parts: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += size) parts.push(scanner.push(bytes.subarray(i, i + size)));
  parts.push(scanner.end());
  const copy = Buffer.concat(parts).toString("utf8");
  const n = scanner.columnCount();
  return { copy, header: scanner.header(), rows: scanner.rows(), columns: n, types: inferrer.result().slice(0, Math.max(n, 0)) };
}

/** What COPY (FORMAT csv) would read from the scanner's output: [line, ...fields]. */
function copyRecords(copy: string, delimiter = ","): string[][] {
  return Papa.parse<string[]>(copy, { delimiter, newline: "\n", skipEmptyLines: false }).data.filter((r) => r.length > 1 || r[0] !== "");
}

describe("createCopyScanner", () => {
  it("prefixes each record with its physical line and drops the header", () => {
    const r = scan('id,note\n1,"two\nlines"\n2,plain\n');
    expect(r.header).toEqual(["id", "note"]);
    expect(copyRecords(r.copy)).toEqual([
      ["2", "1", "two\nlines"],
      ["4", "2", "plain"],
    ]);
    expect(r.rows).toBe(2);
  });

  it("gives the same output whatever the chunk size (fields and CRLF split across chunks)", () => {
    const text = 'a,b,c\r\n10,"x,""y""",2024-01-02\r\n\r\n-5,"multi\r\nline",2024-02-29\r\n7,,2023-12-31';
    const whole = scan(text);
    for (const size of [1, 2, 3, 5, 7, 64]) expect(scan(text, { size })).toEqual(whole);
    expect(copyRecords(whole.copy)).toEqual([
      ["2", "10", 'x,"y"', "2024-01-02"],
      ["4", "-5", "multi\r\nline", "2024-02-29"],
      ["6", "7", "", "2023-12-31"],
    ]);
    expect(whole.types).toEqual(["bigint", "text", "date"]);
  });

  it("says where the last whole record ends in each output, so records can go to different COPYs", () => {
    const text = 'a,b\n1,"x\ny"\n\n2,z\r\n3,"q""r"\n4,w';
    for (const size of [1, 2, 3, 5, 8, 64]) {
      const scanner = createCopyScanner({ delimiter: ",", header: true, maxFieldBytes: 1024 });
      const pieces: string[] = [];
      let pending = "";
      const take = (out: Buffer) => {
        const end = scanner.recordEnd();
        if (end < 0) return void (pending += out.toString());
        pieces.push(pending + out.subarray(0, end).toString());
        pending = out.subarray(end).toString();
      };
      for (let i = 0; i < text.length; i += size) take(scanner.push(Buffer.from(text.slice(i, i + size))));
      take(scanner.end());
      expect(pending).toBe("");
      // Each piece alone reads as whole records: none was cut inside a record.
      expect(pieces.flatMap((p) => copyRecords(p))).toEqual(copyRecords(pieces.join("")));
      expect(copyRecords(pieces.join(""))).toEqual([
        ["2", "1", "x\ny"],
        ["5", "2", "z"],
        ["6", "3", 'q"r'],
        ["7", "4", "w"],
      ]);
    }
  });

  it("normalises CR, CRLF and mixed endings to LF and counts lines across them", () => {
    const r = scan("a,b\r1,2\r\n3,4\n\n5,6\r");
    expect(r.copy).toBe("2,1,2\n3,3,4\n5,5,6\n");
  });

  it("keeps quoted line breaks exactly and counts each as a line", () => {
    const r = scan('a\n"x\r\ny\rz"\n"w"\n', { size: 3 });
    expect(copyRecords(r.copy)).toEqual([
      ["2", "x\r\ny\rz"],
      ["5", "w"],
    ]);
  });

  it("infers types from every value, with quoted values unquoted and empty ones ignored", () => {
    const r = scan('n,d,b,z\n1,"1.5",true,00501\n"",2.25,"f",00502\n3,,,x\n', { size: 4 });
    expect(r.types).toEqual(["bigint", "numeric", "boolean", "text"]);
  });

  it("a value with an escaped quote is text", () => {
    expect(scan('a\n"1""2"\n').types).toEqual(["text"]);
  });

  it("without a header the first record is data and sets the column count", () => {
    const r = scan("1,2\n3,4\n", { header: false, size: 2 });
    expect(r.header).toBeNull();
    expect(r.columns).toBe(2);
    expect(copyRecords(r.copy)).toEqual([
      ["1", "1", "2"],
      ["2", "3", "4"],
    ]);
  });

  it("uses the given delimiter for the line-number prefix", () => {
    expect(scan("a;b\n1;2\n", { delimiter: ";" }).copy).toBe("2;1;2\n");
    expect(scan("a\tb\n1\t2\n", { delimiter: "\t" }).copy).toBe("2\t1\t2\n");
  });

  it("a header-only file has columns and no rows", () => {
    const r = scan("a,b\n");
    expect(r).toMatchObject({ header: ["a", "b"], rows: 0, columns: 2, copy: "" });
  });

  it.each([
    ["a quote inside an unquoted field", "a,b\n5'11\",x\n", "quote inside an unquoted field"],
    ["text after a closing quote", 'a,b\n"x"y,1\n', "text after a closing quote"],
    ["a ragged row", "a,b\n1,2\n3\n", "ragged row"],
    ["an unterminated quote", 'a,b\n1,"open\n', "unterminated quote"],
    ["invalid UTF-8", Buffer.from([0x61, 0x0a, 0xff, 0x0a]), "invalid UTF-8"],
    ["a NUL byte", Buffer.from("a\nx\0y\n"), "NUL byte"],
    ["a field over the limit", `a\n${"x".repeat(2000)}\n`, "field too large"],
  ])("hands %s to the exact parser", (_name, input, reason) => {
    let error: unknown;
    try {
      scan(input as string | Buffer, { size: 3 });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(FastPathUnsupported);
    expect((error as FastPathUnsupported).reason).toBe(reason);
  });
});
