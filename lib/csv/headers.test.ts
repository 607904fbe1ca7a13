import { describe, expect, it } from "vitest";
import { CsvFormatError } from "./errors";
import { MAX_FILE_COLUMNS, normalizeHeaders, quoteIdent, RESERVED_COLUMNS } from "./headers";

const names = (raw: string[]) => normalizeHeaders(raw).map((h) => h.name);
const bytes = (s: string) => Buffer.byteLength(s, "utf8");

describe("normalizeHeaders", () => {
  it("snake_cases and ASCII-folds", () => {
    expect(names(["First Name", "E-mail Address", "Prix (€)", "Straße", "Ærø Ø", "Crème Brûlée", "ﬁle №1", "  x  "])).toEqual([
      "first_name",
      "e_mail_address",
      "prix",
      "strasse",
      "aero_o",
      "creme_brulee",
      "file_no1",
      "x",
    ]);
  });

  it("keeps the original header for display", () => {
    expect(normalizeHeaders(["Crème Brûlée"])).toEqual([{ name: "creme_brulee", header: "Crème Brûlée" }]);
  });

  it("prefixes a leading digit and names empty headers by position", () => {
    expect(names(["2023 total", "", "!!!", "日本語", "ok"])).toEqual(["c_2023_total", "column_2", "column_3", "column_4", "ok"]);
  });

  it("de-duplicates in order, without taking a name that appears later in the file", () => {
    expect(names(["a", "A", "a ", "a_2"])).toEqual(["a", "a_3", "a_4", "a_2"]);
    expect(names(["", "column_1"])).toEqual(["column_1_2", "column_1"]);
  });

  it("keywords are fine: every identifier is quoted", () => {
    expect(names(["select", "order", "from", "user"])).toEqual(["select", "order", "from", "user"]);
  });

  it("injection-like headers come out inert", () => {
    const out = names(['"; drop table x; --', "a'b", 'x"y', "Robert'); DROP TABLE students;--", "\0nul"]);
    expect(out).toEqual(["drop_table_x", "a_b", "x_y", "robert_drop_table_students", "nul"]);
    for (const n of out) expect(n).toMatch(/^[a-z][a-z0-9_]*$/);
  });

  it("cannot produce the loader's reserved names", () => {
    const raw = [...RESERVED_COLUMNS, "_RB_LINE", "__rb_version__", " _rb_loaded_at"];
    const out = names(raw);
    for (const r of RESERVED_COLUMNS) expect(out).not.toContain(r);
    for (const n of out) expect(n.startsWith("_")).toBe(false);
    expect(out).toEqual(["rb_line", "rb_version", "rb_loaded_at", "rb_line_2", "rb_version_2", "rb_loaded_at_2"]);
  });

  it("very long headers fit in 63 bytes, and their duplicates stay distinct", () => {
    const long = "x".repeat(200);
    const out = names([long, long, long, `${"x".repeat(61)}_2`]);
    for (const n of out) expect(bytes(n)).toBeLessThanOrEqual(63);
    expect(new Set(out).size).toBe(4);
    expect(out[0]).toBe("x".repeat(63));
    expect(out[1]).toBe(`${"x".repeat(61)}_3`); // x…x_2 is taken by the fourth header
    expect(out[2]).toBe(`${"x".repeat(61)}_4`);
    expect(out[3]).toBe(`${"x".repeat(61)}_2`);
  });

  it("multibyte headers are folded and measured in bytes", () => {
    const out = names(["é".repeat(200), "日".repeat(100) + "a", "ü".repeat(100), "ü".repeat(100)]);
    expect(out[0]).toBe("e".repeat(63));
    expect(out[1]).toBe("a");
    expect(out[2]).toBe("u".repeat(63));
    expect(out[3]).toBe(`${"u".repeat(61)}_2`);
    for (const n of out) expect(bytes(n)).toBeLessThanOrEqual(63);
  });

  it("a long name truncated onto an underscore does not end in one", () => {
    const out = names([`${"a".repeat(62)} b`]);
    expect(out[0]).toBe("a".repeat(62));
  });

  it("refuses more columns than fit next to the reserved ones", () => {
    expect(MAX_FILE_COLUMNS).toBe(1597);
    expect(() => normalizeHeaders(Array.from({ length: 1597 }, (_, i) => `c${i}`))).not.toThrow();
    for (const n of [1598, 1601]) {
      let err: unknown;
      try {
        normalizeHeaders(Array.from({ length: n }, (_, i) => `c${i}`));
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(CsvFormatError);
      expect(err).toMatchObject({ code: "too_many_columns" });
      expect((err as Error).message).toContain(`This file has ${n.toLocaleString("en-US")} columns; PostgreSQL allows at most 1,600`);
    }
  });

  it("every name is unique across a large messy header", () => {
    const raw = Array.from({ length: 1500 }, (_, i) => ["a", "A", "a_2", "", "1", "x".repeat(100)][i % 6]);
    const out = names(raw);
    expect(new Set(out).size).toBe(raw.length);
    for (const n of out) {
      expect(n).toMatch(/^[a-z][a-z0-9_]*$/);
      expect(bytes(n)).toBeLessThanOrEqual(63);
    }
  });
});

describe("quoteIdent", () => {
  it("double-quotes and doubles embedded quotes", () => {
    expect(quoteIdent("select")).toBe('"select"');
    expect(quoteIdent('a"b')).toBe('"a""b"');
    expect(quoteIdent('"; drop table x; --')).toBe('"""; drop table x; --"');
  });

  it("refuses what PostgreSQL would mangle", () => {
    expect(() => quoteIdent("")).toThrow();
    expect(() => quoteIdent("a\0b")).toThrow(/NUL/);
    expect(() => quoteIdent("a\uD800")).toThrow();
    expect(() => quoteIdent("x".repeat(64))).toThrow(/63 bytes/);
    expect(() => quoteIdent("é".repeat(32))).toThrow(/63 bytes/); // 64 bytes in 32 characters
    expect(quoteIdent("é".repeat(31))).toBe(`"${"é".repeat(31)}"`);
  });
});
