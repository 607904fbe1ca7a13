import { Readable } from "node:stream";
import iconv from "iconv-lite";
import { describe, expect, it } from "vitest";
import { createDecoderStream } from "./decode";
import { CsvFormatError } from "./errors";

/** Decodes `bytes` fed `size` bytes at a time; returns the output chunks. */
async function decode(bytes: Buffer, encoding: string, bomLength: number, size: number): Promise<string[]> {
  const pieces: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += size) pieces.push(bytes.subarray(i, i + size));
  const out: string[] = [];
  for await (const s of Readable.from(pieces).pipe(createDecoderStream(encoding, bomLength))) {
    expect(typeof s).toBe("string");
    out.push(s as string);
  }
  return out;
}

async function decodeError(bytes: Buffer, encoding: string, bomLength: number, size: number) {
  const err = await decode(bytes, encoding, bomLength, size).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(CsvFormatError);
  return err as CsvFormatError;
}

const SAMPLE = "id,name\n1,café\n2,naïve 😀 €\n";

describe("createDecoderStream: UTF-8", () => {
  it("never splits a character, whatever the chunk size", async () => {
    const bytes = Buffer.from(SAMPLE);
    for (const size of [1, 2, 3, 5, 64]) {
      const out = await decode(bytes, "utf-8", 0, size);
      expect(out.join("")).toBe(SAMPLE);
      for (const s of out) expect(s).not.toMatch(/\uFFFD|\p{Cs}/u); // no replacement char, no lone surrogate
    }
  });

  it("strips the BOM, even when it arrives a byte at a time", async () => {
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(SAMPLE)]);
    expect((await decode(bytes, "utf-8", 3, 1)).join("")).toBe(SAMPLE);
  });

  it("stops at the first invalid byte with its absolute offset (counting the BOM)", async () => {
    const good = Buffer.from("\uFEFFid,name\n1,ok\n");
    const bytes = Buffer.concat([good, Buffer.from("2,caf"), Buffer.from([0xe9]), Buffer.from("\n")]);
    for (const size of [1, 4, 7, 1000]) {
      const err = await decodeError(bytes, "utf-8", 3, size);
      expect(err).toMatchObject({ code: "encoding", byteOffset: good.length + 5 });
      expect(err.message).toContain(`offset ${good.length + 5}`);
    }
  });

  it("refuses overlong encodings and surrogates that a lenient decoder would let through", async () => {
    expect((await decodeError(Buffer.from([0x61, 0xc0, 0xaf]), "utf-8", 0, 10)).byteOffset).toBe(1);
    expect((await decodeError(Buffer.from([0x61, 0x62, 0xed, 0xa0, 0x80]), "utf-8", 0, 1)).byteOffset).toBe(2);
  });

  it("a character cut off by the end of the file is an error, not dropped", async () => {
    const bytes = Buffer.from("a\n€").subarray(0, 4);
    expect(await decodeError(bytes, "utf-8", 0, 2)).toMatchObject({ code: "encoding", byteOffset: 2 });
  });

  it("refuses a NUL byte with its offset", async () => {
    const bytes = Buffer.from("a,b\n1,\0\n");
    expect(await decodeError(bytes, "utf-8", 0, 3)).toMatchObject({ code: "binary", byteOffset: 6 });
  });

  it("accepts any spelling of UTF-8", async () => {
    expect((await decode(Buffer.from("é"), "UTF8", 0, 1)).join("")).toBe("é");
  });

  it("rejects an unknown encoding up front", () => {
    expect(() => createDecoderStream("nope", 0)).toThrow(CsvFormatError);
  });
});

describe("createDecoderStream: other encodings", () => {
  it("latin1 and windows-1252", async () => {
    const bytes = iconv.encode("drink,price\ncafé,2\n", "latin1");
    expect((await decode(bytes, "latin1", 0, 3)).join("")).toBe("drink,price\ncafé,2\n");
    expect((await decode(bytes, "windows-1252", 0, 3)).join("")).toBe("drink,price\ncafé,2\n");
    // windows-1252 differs from latin1 in 0x80-0x9F: 0x80 is the euro sign.
    expect((await decode(Buffer.from([0x80]), "windows-1252", 0, 1)).join("")).toBe("€");
  });

  it("UTF-16LE and UTF-16BE with BOM, split at odd byte boundaries", async () => {
    for (const enc of ["utf-16le", "utf-16be"] as const) {
      const bom = Buffer.from(enc === "utf-16le" ? [0xff, 0xfe] : [0xfe, 0xff]);
      const bytes = Buffer.concat([bom, iconv.encode(SAMPLE, enc)]);
      for (const size of [1, 3, 5, 4096]) {
        const out = await decode(bytes, enc, 2, size);
        expect(out.join(""), `${enc} / ${size}`).toBe(SAMPLE);
        for (const s of out) expect(s).not.toMatch(/\p{Cs}/u);
      }
    }
  });

  it("UTF-16 with an odd trailing byte is a truncated file", async () => {
    const bytes = Buffer.concat([Buffer.from([0xff, 0xfe]), iconv.encode("ab", "utf-16le"), Buffer.from([0x61])]);
    expect(await decodeError(bytes, "utf-16le", 2, 2)).toMatchObject({ code: "encoding", byteOffset: 6 });
  });

  it("refuses NUL in UTF-16 text, with the byte offset", async () => {
    const bytes = Buffer.concat([Buffer.from([0xff, 0xfe]), iconv.encode("a,\0", "utf-16le")]);
    expect(await decodeError(bytes, "utf-16le", 2, 64)).toMatchObject({ code: "binary", byteOffset: 6 });
  });

  it("refuses NUL bytes in single-byte encodings", async () => {
    expect(await decodeError(Buffer.from("ab\0"), "latin1", 0, 1)).toMatchObject({ code: "binary", byteOffset: 2 });
  });
});

describe("createDecoderStream: invalid UTF-16", () => {
  it("a lone surrogate fails instead of becoming U+FFFD in the database", async () => {
    const bytes = Buffer.concat([Buffer.from([0xff, 0xfe]), iconv.encode("ab", "utf-16le"), Buffer.from([0x00, 0xd8, 0x61, 0x00])]);
    expect(await decodeError(bytes, "utf-16le", 2, 3)).toMatchObject({ code: "encoding", byteOffset: 6 });
  });
});

describe("createDecoderStream: single-byte encodings", () => {
  it("refuses a byte windows-1252 does not define, with its offset, instead of writing U+FFFD", async () => {
    const bytes = Buffer.from("id,v\n1,ok\n2,\x81x\n", "latin1");
    for (const size of [1, 3, 64]) {
      const err = await decodeError(bytes, "windows-1252", 0, size);
      expect(err).toMatchObject({ code: "encoding", byteOffset: bytes.indexOf(0x81) });
    }
  });

  it("counts offsets from the file's start when a preamble was skipped", async () => {
    const bytes = Buffer.from("title\nid,v\n1,\x8d\n", "latin1");
    const err = await decodeError(bytes, "windows-1252", 6, 4);
    expect(err.byteOffset).toBe(bytes.indexOf(0x8d));
  });
});
