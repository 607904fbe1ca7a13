import { isUtf8 } from "node:buffer";
import { describe, expect, it } from "vitest";
import { detectBom } from "./dialect";
import { findInvalidUtf8, incompleteUtf8Tail, isWideEncoding, resolveEncodingLabel } from "./encoding";

describe("findInvalidUtf8", () => {
  it("agrees with Node's native validator on random byte strings", () => {
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff);
    // Bias towards bytes that make multi-byte sequences, where validators differ.
    const pool = [0x41, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc2, 0xdf, 0xe0, 0xed, 0xef, 0xf0, 0xf4, 0xf5, 0xff];
    for (let t = 0; t < 20_000; t++) {
      const bytes = Buffer.from(Array.from({ length: 1 + (next() % 8) }, () => pool[next() % pool.length]));
      const at = findInvalidUtf8(bytes);
      expect(at === -1, bytes.toString("hex")).toBe(isUtf8(bytes));
      if (at !== -1) expect(isUtf8(bytes.subarray(0, at)), bytes.toString("hex")).toBe(true);
    }
  });

  it("tolerates a sequence cut by the end only when asked", () => {
    const cut = Buffer.from("a€").subarray(0, 3);
    expect(findInvalidUtf8(cut)).toBe(1);
    expect(findInvalidUtf8(cut, 0, cut.length, true)).toBe(-1);
    expect(findInvalidUtf8(Buffer.from([0x61, 0xe2, 0x41]), 0, 3, true)).toBe(1);
  });
});

describe("incompleteUtf8Tail", () => {
  it("measures a character cut off at the end", () => {
    const euro = Buffer.from("€"); // 3 bytes
    const emoji = Buffer.from("😀"); // 4 bytes
    expect(incompleteUtf8Tail(Buffer.from("ab"))).toBe(0);
    expect(incompleteUtf8Tail(euro)).toBe(0);
    expect(incompleteUtf8Tail(euro.subarray(0, 1))).toBe(1);
    expect(incompleteUtf8Tail(euro.subarray(0, 2))).toBe(2);
    expect(incompleteUtf8Tail(emoji.subarray(0, 3))).toBe(3);
    expect(incompleteUtf8Tail(Buffer.from([0x61, 0xff]))).toBe(0); // invalid, not incomplete
  });
});

describe("labels and BOMs", () => {
  it("resolves labels", () => {
    expect(resolveEncodingLabel("UTF8")).toBe("utf-8");
    expect(resolveEncodingLabel("unicode-1-1-utf-8")).toBe("utf-8");
    expect(resolveEncodingLabel("Windows-1252")).toBe("windows-1252");
    expect(() => resolveEncodingLabel("")).toThrow();
    expect(isWideEncoding("UTF-16LE")).toBe(true);
    expect(isWideEncoding("latin1")).toBe(false);
  });

  it("detects BOMs, UTF-32LE before UTF-16LE", () => {
    expect(detectBom(Buffer.from([0xef, 0xbb, 0xbf, 0x61]))).toEqual({ encoding: "utf-8", length: 3 });
    expect(detectBom(Buffer.from([0xff, 0xfe, 0x61, 0x00]))).toEqual({ encoding: "utf-16le", length: 2 });
    expect(detectBom(Buffer.from([0xfe, 0xff, 0x00, 0x61]))).toEqual({ encoding: "utf-16be", length: 2 });
    expect(detectBom(Buffer.from([0xff, 0xfe, 0x00, 0x00]))).toEqual({ encoding: "utf-32le", length: 4 });
    expect(detectBom(Buffer.from("abc"))).toBeNull();
  });
});
