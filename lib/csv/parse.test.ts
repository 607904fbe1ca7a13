import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { CsvFormatError } from "./errors";
import { parseCsvStream, type ParseCsvOptions } from "./parse";

type Row = [line: number, fields: string[]];

/** Parses `text` fed in pieces of `chunk` characters (or the given pieces). */
async function run(text: string | string[], opts: Partial<ParseCsvOptions> & { chunk?: number } = {}) {
  const pieces = Array.isArray(text) ? text : split(text, opts.chunk ?? 7);
  const rows: Row[] = [];
  const result = await parseCsvStream(Readable.from(pieces), {
    delimiter: ",",
    header: true,
    onRow: (fields, line) => {
      rows.push([line, fields]);
    },
    ...opts,
  });
  expect(result.rows).toBe(rows.length);
  return { rows, header: result.header, skipped: result.skipped, result };
}

function split(text: string, size: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}

async function failure(promise: Promise<unknown>): Promise<CsvFormatError> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(CsvFormatError);
  return err as CsvFormatError;
}

describe("parseCsvStream: records and line numbers", () => {
  it("handles LF, CRLF, CR-only and mixed endings, at any chunk size", async () => {
    const text = "a,b\n1,2\r\n3,4\r5,6\n\r\n7,8";
    for (const chunk of [1, 2, 3, 5, 100]) {
      const { header, rows } = await run(text, { chunk });
      expect(header).toEqual(["a", "b"]);
      expect(rows).toEqual([
        [2, ["1", "2"]],
        [3, ["3", "4"]],
        [4, ["5", "6"]],
        [6, ["7", "8"]], // line 5 is empty and skipped, but still counted
      ]);
    }
  });

  it("CR-only file", async () => {
    const { rows } = await run("a,b\r1,2\r3,4\r");
    expect(rows).toEqual([
      [2, ["1", "2"]],
      [3, ["3", "4"]],
    ]);
  });

  it("counts physical lines inside quoted fields, keeping their line breaks as written", async () => {
    const text = 'id,note\n1,"two\r\nlines"\n2,"three\nlines\rhere"\n3,x\n';
    const { rows } = await run(text, { chunk: 1 });
    expect(rows).toEqual([
      [2, ["1", "two\r\nlines"]],
      [4, ["2", "three\nlines\rhere"]],
      [7, ["3", "x"]],
    ]);
  });

  it("quoted delimiters, escaped quotes and empty fields", async () => {
    const { rows } = await run('a,b,c\n"x,y","say ""hi""",\n,,\n"",""""," "\n', { chunk: 2 });
    expect(rows.map((r) => r[1])).toEqual([
      ["x,y", 'say "hi"', ""],
      ["", "", ""],
      ["", '"', " "],
    ]);
  });

  it("a quote that does not open a field is data", async () => {
    const { rows } = await run('a,b\n12" pizza,x"y\n');
    expect(rows[0][1]).toEqual(['12" pizza', 'x"y']);
  });

  it("no empty last row for a trailing newline, nor for trailing blank lines", async () => {
    for (const tail of ["", "\n", "\r\n", "\n\n\n", "\r\n\r\n"]) {
      const { rows } = await run(`a\n1\n2${tail}`);
      expect(rows.map((r) => r[1])).toEqual([["1"], ["2"]]);
    }
  });

  it("empty input", async () => {
    expect(await run("")).toMatchObject({ rows: [], header: null, skipped: [], result: { padded: 0, skippedCount: 0 } });
    expect(await run([])).toMatchObject({ header: null, rows: [], skipped: [] });
    expect(await run("\n\n")).toMatchObject({ header: null, rows: [] });
  });

  it("header only", async () => {
    for (const text of ["a,b,c", "a,b,c\n", "a,b,c\r\n"]) {
      const result = await run(text);
      expect(result.header).toEqual(["a", "b", "c"]);
      expect(result.rows).toEqual([]);
    }
  });

  it("without a header every record is a row, and the first sets the field count", async () => {
    const { header, rows } = await run("1,2\n3,4\n", { header: false });
    expect(header).toBeNull();
    expect(rows).toEqual([
      [1, ["1", "2"]],
      [2, ["3", "4"]],
    ]);
  });

  it("other delimiters", async () => {
    for (const delimiter of [";", "\t", "|"]) {
      const text = `a${delimiter}b\n"x${delimiter}y"${delimiter}2\n`;
      const { rows } = await run(text, { delimiter });
      expect(rows[0][1]).toEqual([`x${delimiter}y`, "2"]);
    }
  });

  it("drops a stray U+FEFF at the very start so it does not stick to the first header", async () => {
    const { header } = await run("\uFEFFid,name\n1,x\n");
    expect(header).toEqual(["id", "name"]);
  });
});

describe("parseCsvStream: errors", () => {
  it("ragged row names its line, counting quoted line breaks", async () => {
    const err = await failure(run('a,b,c\n1,2,3\n"multi\nline",2,3\n4,5\n6,7,8\n'));
    expect(err.code).toBe("ragged");
    expect(err.line).toBe(5);
    expect(err.message).toBe("Line 5: expected 3 fields, found 2.");
  });

  it("too many fields is ragged too", async () => {
    const err = await failure(run("a\n1\n2,3\n"));
    expect(err).toMatchObject({ code: "ragged", line: 3 });
    expect(err.message).toMatch(/^Line 3: expected 1 field, found 2\. The record has more fields than the header/);
  });

  it("pad mode gives short rows NULLs, counts them and names the first; a long row is still an error", async () => {
    const { rows, result } = await run("a,b,c\n1,2,3\n4,5\n6\n7,8,9\n", { badRows: { mode: "pad" } });
    expect(rows.map(([, fields]) => fields)).toEqual([
      ["1", "2", "3"],
      ["4", "5", ""],
      ["6", "", ""],
      ["7", "8", "9"],
    ]);
    expect(result).toMatchObject({ padded: 2, firstPaddedLine: 3, skippedCount: 0 });
    const err = await failure(run("a,b\n1,2\n3,4,5\n", { badRows: { mode: "pad" } }));
    expect(err).toMatchObject({ code: "ragged", line: 3 });
  });

  it("pad mode drops extra fields that are all empty; error mode does not", async () => {
    const { rows, result } = await run("a,b\n1,2,\n3,4,,\n", { badRows: { mode: "pad" } });
    expect(rows.map(([, fields]) => fields)).toEqual([
      ["1", "2"],
      ["3", "4"],
    ]);
    expect(result.padded).toBe(0);
    await expect(run("a,b\n1,2,\n", { badRows: { mode: "error" } })).rejects.toMatchObject({ code: "ragged", line: 2 });
  });

  it("a trailing delimiter on every line, the header's too, is a terminator and not a column", async () => {
    const { header, rows } = await run("a,b,c,\n1,2,3,\n4,,6,\n", { trailingDelimiter: true, header: true });
    expect(header).toEqual(["a", "b", "c"]);
    expect(rows.map(([, fields]) => fields)).toEqual([
      ["1", "2", "3"],
      ["4", "", "6"],
    ]);
  });

  it("a delimiter ending only the header line is dropped from it", async () => {
    const { header, rows } = await run("a,b,c,\n1,2,3\n", { trailingDelimiter: true, header: true });
    expect(header).toEqual(["a", "b", "c"]);
    expect(rows.map(([, fields]) => fields)).toEqual([["1", "2", "3"]]);
  });

  it("skip mode counts every skipped row but keeps only the first ones", async () => {
    const body = Array.from({ length: 150 }, (_, i) => `${i}`).join("\n");
    const { rows, result } = await run(`a,b\n1,2\n${body}\n`, { badRows: { mode: "skip", max: 1000 } });
    expect(rows).toHaveLength(1);
    expect(result.skippedCount).toBe(150);
    expect(result.skipped).toHaveLength(100);
  });

  it("firstLine numbers lines after a skipped preamble as the file does", async () => {
    const err = await failure(run("a,b\n1,2\n3\n", { firstLine: 5, badRows: { mode: "error" } }));
    expect(err).toMatchObject({ code: "ragged", line: 7 });
  });

  it("unterminated quote reports the line and column where the quote opened", async () => {
    const err = await failure(run('a,b\n1,2\n3,"never closed\n4,5\n6,7\n'));
    expect(err).toMatchObject({ code: "unterminated_quote", line: 3, column: 2 });
  });

  it("text after a closing quote is refused rather than guessed at", async () => {
    const err = await failure(run('a,b\n1,"x"y\n'));
    expect(err).toMatchObject({ code: "bad_quote", line: 2, column: 2 });
  });

  it("a ragged row before a bad quote in the same chunk is reported first", async () => {
    const err = await failure(run('a,b\n1\n2,"x"y\n', { chunk: 1000 }));
    expect(err).toMatchObject({ code: "ragged", line: 2 });
  });

  it("field_too_large without reading the rest of an endless field", async () => {
    let pulled = 0;
    async function* endless() {
      yield 'a,b\n1,"';
      for (;;) {
        pulled++;
        yield "x".repeat(1024);
      }
    }
    const err = await failure(parseCsvStream(endless(), { delimiter: ",", header: true, onRow: () => {}, maxFieldBytes: 64 * 1024 }));
    expect(err).toMatchObject({ code: "field_too_large", line: 2, column: 2 });
    expect(pulled).toBeLessThanOrEqual(65);
  });

  it("field_too_large counts UTF-8 bytes, not characters", async () => {
    const field = "é".repeat(600); // 1,200 bytes
    const ok = await run(`a\n${"e".repeat(1000)}\n`, { maxFieldBytes: 1000 });
    expect(ok.rows).toHaveLength(1);
    const err = await failure(run(`a\n${field}\n`, { maxFieldBytes: 1000, chunk: 5000 }));
    expect(err).toMatchObject({ code: "field_too_large", line: 2, column: 1 });
    const err2 = await failure(run(`a,b\n1,${field}\n`, { maxFieldBytes: 1000, chunk: 100 }));
    expect(err2).toMatchObject({ code: "field_too_large", line: 2, column: 2 });
  });

  it("record_too_large bounds a record of many fields each under the field limit", async () => {
    const header = Array.from({ length: 100 }, (_, i) => `c${i}`).join(",");
    const row = Array.from({ length: 100 }, () => "y".repeat(50)).join(",");
    const err = await failure(run(`${header}\n${row}\n`, { maxFieldBytes: 100, maxRecordBytes: 2000, chunk: 256 }));
    expect(err).toMatchObject({ code: "record_too_large", line: 2 });
  });

  it("refuses byte chunks: they may split characters", async () => {
    const err = await parseCsvStream(Readable.from([Buffer.from("a\n")]), {
      delimiter: ",",
      header: true,
      onRow: () => {},
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TypeError);
  });
});

describe("parseCsvStream: bad rows policy", () => {
  const text = "a,b\n1,2\n3\n4,5\n6,7,8\n9,10\n11\n";

  it("skip mode collects ragged rows with line, reason and raw text", async () => {
    const { rows, skipped } = await run(text, { badRows: { mode: "skip", max: 5 } });
    expect(rows.map((r) => r[0])).toEqual([2, 4, 6]);
    expect(skipped).toEqual([
      { line: 3, reason: "expected 2 fields, found 1", raw: "3" },
      { line: 5, reason: "expected 2 fields, found 3", raw: "6,7,8" },
      { line: 7, reason: "expected 2 fields, found 1", raw: "11" },
    ]);
  });

  it("skip mode fails once more than max rows are bad", async () => {
    const err = await failure(run(text, { badRows: { mode: "skip", max: 2 } }));
    expect(err.line).toBe(7);
    expect(err.message).toContain("Stopped after skipping 2 bad rows");
  });

  it("fail mode stops at the first", async () => {
    const err = await failure(run(text, { badRows: { mode: "fail" } }));
    expect(err.line).toBe(3);
  });
});

describe("parseCsvStream: back-pressure and abort", () => {
  it("does not read ahead of a slow consumer", async () => {
    let pulled = 0;
    let processed = 0;
    let maxAhead = 0;
    const total = 200;
    const source = new Readable({
      objectMode: true,
      highWaterMark: 2,
      read() {
        pulled++;
        this.push(pulled <= total ? `${pulled}\n` : null);
      },
    });
    await parseCsvStream(source, {
      delimiter: ",",
      header: false,
      onRow: async () => {
        await new Promise((r) => setTimeout(r, 0));
        processed++;
        maxAhead = Math.max(maxAhead, pulled - processed);
      },
    });
    expect(processed).toBe(total);
    // The stream buffers up to its highWaterMark plus the chunk in hand; never the whole file.
    expect(maxAhead).toBeLessThanOrEqual(5);
  });

  it("abort stops reading and rejects with the signal's reason", async () => {
    const controller = new AbortController();
    let seen = 0;
    const source = Readable.from(Array.from({ length: 1000 }, (_, i) => `${i}\n`));
    const err = await parseCsvStream(source, {
      delimiter: ",",
      header: false,
      signal: controller.signal,
      onRow: async () => {
        if (++seen === 10) controller.abort(new Error("cancelled"));
      },
    }).catch((e: unknown) => e);
    expect(err).toMatchObject({ message: "cancelled" });
    expect(seen).toBe(10);
    expect(source.destroyed).toBe(true);
  });
});
