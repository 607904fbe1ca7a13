import iconv from "iconv-lite";
import { describe, expect, it } from "vitest";
import { FastPathUnsupported } from "./copy-scan";
import { latin1ToUtf8, windows1252ToUtf8 } from "./transcode";

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
