import { describe, expect, it } from "vitest";
import { CLASSIFICATION_VECTORS } from "./classification-vectors";
import { castCheck, createTypeInferrer, typeOfMask, type ColumnType } from "./infer";

/** Infers one column from the given values. */
function infer(...values: string[]): ColumnType {
  const inferrer = createTypeInferrer(1);
  for (const v of values) inferrer.observe([v]);
  return inferrer.result()[0];
}

describe("type inference", () => {
  it("booleans: true/false, t/f, yes/no, y/n in any case, but not 0/1", () => {
    expect(infer("true", "false", "TRUE", "False")).toBe("boolean");
    expect(infer("t", "F", "yes", "No", "Y", "n")).toBe("boolean");
    expect(infer("0", "1", "1")).toBe("bigint");
    expect(infer("true", "1")).toBe("text");
    expect(infer("truee")).toBe("text");
  });

  it("integers, with int64 bounds; overflow widens to numeric", () => {
    expect(infer("0", "-0", "42", "+7", "-12")).toBe("bigint");
    expect(infer("9223372036854775807", "-9223372036854775808")).toBe("bigint");
    expect(infer("9223372036854775808")).toBe("numeric");
    expect(infer("-9223372036854775809")).toBe("numeric");
    expect(infer("12345678901234567890123")).toBe("numeric");
  });

  it("leading zeros stay text (zip codes, IDs)", () => {
    expect(infer("00501", "12345")).toBe("text");
    expect(infer("007.5")).toBe("text");
    expect(infer("-01")).toBe("text");
    expect(infer("0.5", "0")).toBe("numeric");
  });

  it("decimals and exponents; bigint + numeric is numeric", () => {
    expect(infer("1.5", "-0.25", "3")).toBe("numeric");
    expect(infer("1e5", "2.5E-3", "-1e+10")).toBe("numeric");
    expect(infer("1e1000")).toBe("text"); // PostgreSQL refuses exponents beyond 1000
  });

  it("refuses what is not plainly a number", () => {
    for (const v of ["1,000", "1 000", ".5", "5.", "NaN", "Infinity", "-Infinity", "1e", "0x1F", "1.2.3", "+", "-", " 1", "1 "]) {
      expect(infer(v), v).toBe("text");
    }
  });

  it("one non-numeric value makes a numeric column text", () => {
    const values = Array.from({ length: 10_000 }, (_, i) => String(i * 1.5));
    values.push("n/a");
    expect(infer(...values)).toBe("text");
  });

  it("ISO dates with a real calendar check", () => {
    expect(infer("2023-01-31", "2024-02-29", "1999-12-31")).toBe("date");
    expect(infer("2023-02-30")).toBe("text");
    expect(infer("2023-02-29")).toBe("text"); // not a leap year
    expect(infer("1900-02-29")).toBe("text"); // divisible by 100
    expect(infer("2000-02-29")).toBe("date"); // divisible by 400
    expect(infer("2023-13-01")).toBe("text");
    expect(infer("2023-1-01")).toBe("text");
    expect(infer("0000-01-01")).toBe("text");
    expect(infer("01/02/2023")).toBe("text");
  });

  it("timestamps without and with an offset", () => {
    expect(infer("2023-05-01T10:00", "2023-05-01 10:00:59", "2023-05-01T23:59:59.123456")).toBe("timestamp");
    expect(infer("2023-05-01T10:00:00Z", "2023-05-01 10:00:00+02", "2023-05-01T10:00-05:30", "2023-05-01T10:00:00.5+0100")).toBe(
      "timestamptz",
    );
    for (const v of [
      "2023-05-01T24:00",
      "2023-05-01T10:60",
      "2023-05-01T10",
      "2023-05-01T10:00:00.1234567",
      "2023-05-01T10:00+16",
      "2023-05-01T10:00 +02",
    ]) {
      expect(infer(v), v).toBe("text");
    }
  });

  it("mixes: date + timestamp and timestamp + timestamptz stay text", () => {
    expect(infer("2023-05-01", "2023-05-01T10:00")).toBe("text");
    expect(infer("2023-05-01T10:00", "2023-05-01T10:00Z")).toBe("text");
    expect(infer("2023-05-01", "42")).toBe("text");
  });

  it("empty strings are NULL; a column of only NULLs is text", () => {
    expect(infer("", "1", "", "2")).toBe("bigint");
    expect(infer("", "")).toBe("text");
    expect(infer()).toBe("text");
    expect(infer(" ")).toBe("text");
  });

  it("works column by column over whole rows, incrementally", () => {
    const inferrer = createTypeInferrer(4);
    inferrer.observe(["1", "true", "2023-01-01", "x"]);
    expect(inferrer.result()).toEqual(["bigint", "boolean", "date", "text"]);
    inferrer.observe(["1.5", "", "2023-01-02", "1"]);
    inferrer.observe(["2", "no"]); // short row: missing values are NULL
    expect(inferrer.result()).toEqual(["numeric", "boolean", "date", "text"]);
    inferrer.observe(["oops", "yes", "2023-01-03", "2"]);
    expect(inferrer.result()).toEqual(["text", "boolean", "date", "text"]);
  });
});

describe("the shared classification vectors (lib/csv/classification-vectors.json, also run through native/copy_scan.c)", () => {
  it("has cases of every type and group", () => {
    const types = new Set(CLASSIFICATION_VECTORS.map((v) => v.type));
    expect([...types].sort()).toEqual(["bigint", "boolean", "date", "numeric", "text", "timestamp", "timestamptz", null].sort());
    expect(CLASSIFICATION_VECTORS.length).toBeGreaterThan(200);
    expect(CLASSIFICATION_VECTORS.some((v) => v.value.length > 1000)).toBe(true);
  });

  it.each(CLASSIFICATION_VECTORS.map((v) => [v.group, v.label, v] as const))("%s: %s", (_group, _label, { value, type }) => {
    // The string path (the exact parser's records).
    const strings = createTypeInferrer(1);
    strings.observe([value]);
    expect(strings.result()[0]).toBe(type ?? "text");
    expect(strings.masks[0] === 0).toBe(type === null);
    if (value === "") return; // NULL: the byte path never sees it

    // The byte path (the fast load), with the value inside a record of other bytes: the
    // classifier may look one byte past a value, and must not read more into it.
    for (const [before, after] of [
      ["", ""],
      ["x,", "\n"],
      ['"', '"'],
      ["9,", "e5,1"],
    ]) {
      const bytes = Buffer.from(before + value + after, "utf8");
      const s = Buffer.byteLength(before);
      const e = s + Buffer.byteLength(value);
      const inferrer = createTypeInferrer(1);
      expect(inferrer.observeBytes(0, bytes, s, e)).toBe(type !== "text");
      expect(typeOfMask(inferrer.masks[0]!), JSON.stringify([before, after])).toBe(type);
    }
  });
});

describe("castCheck (user-forced types)", () => {
  it("empty is NULL and fits anything; text takes everything", () => {
    for (const t of ["boolean", "bigint", "numeric", "date", "timestamp", "timestamptz", "text"] as const) {
      expect(castCheck("", t)).toBe(true);
    }
    expect(castCheck("anything at all", "text")).toBe(true);
  });

  it("accepts what PostgreSQL reads the same way, with surrounding spaces", () => {
    expect(castCheck("00501", "bigint")).toBe(true);
    expect(castCheck(" 42 ", "bigint")).toBe(true);
    expect(castCheck("007.5", "numeric")).toBe(true);
    expect(castCheck(".5", "numeric")).toBe(true);
    expect(castCheck("1", "boolean")).toBe(true);
    expect(castCheck("off", "boolean")).toBe(true);
    expect(castCheck("2023-05-01", "timestamp")).toBe(true);
    expect(castCheck("2023-05-01T10:00", "timestamptz")).toBe(true);
    expect(castCheck("9223372036854775808", "numeric")).toBe(true);
  });

  it("refuses values that would fail or silently change", () => {
    expect(castCheck("9223372036854775808", "bigint")).toBe(false);
    expect(castCheck("1.5", "bigint")).toBe(false);
    expect(castCheck("abc", "numeric")).toBe(false);
    expect(castCheck("NaN", "numeric")).toBe(false);
    expect(castCheck("2", "boolean")).toBe(false);
    expect(castCheck("2023-02-30", "date")).toBe(false);
    expect(castCheck("2023-05-01T10:00", "date")).toBe(false); // would drop the time
    expect(castCheck("2023-05-01T10:00Z", "timestamp")).toBe(false); // would drop the offset
    expect(castCheck("  ", "bigint")).toBe(false);
  });
});
