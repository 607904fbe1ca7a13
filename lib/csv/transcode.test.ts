import iconv from "iconv-lite";
import { describe, expect, it } from "vitest";
import { FastPathUnsupported } from "./copy-scan";
import { createUtf16leToUtf8, createUtf16ToUtf8, latin1ToUtf8, windows1252ToUtf8 } from "./transcode";

describe("windows1252ToUtf8", () => {
  it("gives what iconv-lite's windows-1252 decoder gives, for every defined byte", () => {
    const defined = Array.from({ length: 256 }, (_, b) => b).filter((b) => ![0x81, 0x8d, 0x8f, 0x90, 0x9d].includes(b));
    const bytes = Buffer.from(defined);
    expect(windows1252ToUtf8(bytes).toString("utf8")).toBe(iconv.decode(bytes, "windows-1252"));
    // a chunk without 0x80–0x9F takes the native transcode alone, ¡ (A1, C2 A1 in UTF-8) included
    const latin = Buffer.from("caf\xe9 \xa1s\xed! \xb0C", "latin1");
    expect(windows1252ToUtf8(latin).toString("utf8")).toBe("café ¡sí! °C");
    expect(latin1ToUtf8(latin).toString("utf8")).toBe("café ¡sí! °C");
  });

  it("refuses a byte windows-1252 leaves undefined", () => {
    for (const b of [0x81, 0x8d, 0x8f, 0x90, 0x9d]) {
      expect(() => windows1252ToUtf8(Buffer.from([0x41, 0x80, b]))).toThrow(FastPathUnsupported);
    }
  });
});

describe("UTF-16 to UTF-8 on the fast path", () => {
  const text = 'id,name\r\n1,"Zoë 😀🎉 東京"\r\n2,\uFEFFx\r\n';
  const le = Buffer.from(text, "utf16le");
  const be = Buffer.from(le).swap16();
  const cases = [
    ["LE, native transcode", () => createUtf16leToUtf8(), le],
    ["LE, TextDecoder", () => createUtf16ToUtf8("utf-16le"), le],
    ["BE, TextDecoder", () => createUtf16ToUtf8("utf-16be"), be],
  ] as const;

  it.each(cases)("%s: every split of the bytes into chunks gives the same UTF-8", (_label, make, bytes) => {
    for (let size = 1; size <= 9; size++) {
      const t = make();
      const out: Buffer[] = [];
      for (let i = 0; i < bytes.length; i += size) out.push(t.push(bytes.subarray(i, i + size)));
      out.push(t.end());
      expect(Buffer.concat(out).toString("utf8"), `chunks of ${size}`).toBe(text);
    }
  });

  it.each(cases)("%s: a lone surrogate or a missing last byte leaves the fast path", (_label, make, bytes) => {
    const lone = Buffer.from(bytes);
    // "Zoë 😀": replace the low half of the first surrogate pair by "A" (in the file's byte order).
    const at = text.indexOf("😀") * 2 + 2;
    lone.writeUInt16LE(0x0041, at);
    if (bytes === be) lone.writeUInt16BE(0x0041, at);
    expect(() => {
      const t = make();
      t.push(lone);
      t.end();
    }).toThrow(FastPathUnsupported);
    expect(() => {
      const t = make();
      t.push(bytes.subarray(0, bytes.length - 1));
      t.end();
    }).toThrow(FastPathUnsupported);
  });
});
