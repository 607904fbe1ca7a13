import iconv from "iconv-lite";
import { describe, expect, it } from "vitest";
import { CsvFormatError } from "./errors";
import { detectDelimiter, detectLineEnding } from "./dialect";
import { sniffBytes, type SniffOptions } from "./sniff";

function sniffError(head: Buffer, opts?: SniffOptions): CsvFormatError {
  try {
    sniffBytes(head, opts);
  } catch (e) {
    expect(e).toBeInstanceOf(CsvFormatError);
    return e as CsvFormatError;
  }
  throw new Error("expected sniffBytes to throw");
}

describe("sniffBytes: binary files", () => {
  const csvTail = Buffer.from("a,b,c\n1,2,3\n");

  it.each([
    ["PNG", Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), csvTail]), "PNG image"],
    ["JPEG", Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), csvTail]), "JPEG image"],
    ["GIF", Buffer.from("GIF89a......"), "GIF image"],
    ["PDF", Buffer.from("%PDF-1.7\n%âãÏÓ\n"), "PDF document"],
    ["xlsx", Buffer.concat([Buffer.from("PK\x03\x04", "latin1"), csvTail]), "ZIP archive"],
    ["xls", Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0]), "legacy Office document"],
  ])("refuses %s by its signature", (_name, bytes, what) => {
    const err = sniffError(bytes);
    expect(err.code).toBe("binary");
    expect(err.message).toContain(`This file looks binary (${what}`);
  });

  it("the PNG message reads as the product asks", () => {
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d]);
    expect(sniffError(png).message).toBe("This file looks binary (PNG image), not CSV.");
  });

  it("refuses NUL bytes and gives their offset", () => {
    const err = sniffError(Buffer.from("a,b\n1,\0\n"));
    expect(err).toMatchObject({ code: "binary", byteOffset: 6 });
  });

  it("reads UTF-16 without a BOM by where its NUL bytes fall, little- and big-endian", () => {
    const text = "name\tage\nAnn\t3\nBéa\t4\n";
    expect(sniffBytes(iconv.encode(text, "utf-16le"), { complete: true })).toMatchObject({
      encoding: "utf-16le",
      encodingSource: "detected",
      delimiter: "\t",
      text,
    });
    expect(sniffBytes(iconv.encode(text, "utf-16be"), { complete: true })).toMatchObject({ encoding: "utf-16be", text });
  });

  it("refuses a high share of control characters", () => {
    const bytes = Buffer.alloc(400, 0x41);
    for (let i = 0; i < 400; i += 10) bytes[i] = 0x01;
    expect(sniffError(bytes).code).toBe("binary");
  });

  it("tolerates a stray control character", () => {
    const text = `a,b\n${"x,y\n".repeat(100)}\x1b,z\n`;
    expect(sniffBytes(Buffer.from(text)).delimiter).toBe(",");
  });

  it("reports binary before encoding: random bytes are binary, not bad UTF-8", () => {
    const bytes = Buffer.from(Array.from({ length: 2000 }, (_, i) => (i * 131 + 7) % 256));
    expect(sniffError(bytes).code).toBe("binary");
  });
});

describe("sniffBytes: encoding", () => {
  it("UTF-8 BOM", () => {
    const r = sniffBytes(Buffer.from("\uFEFFid;name\n1;café\n"));
    expect(r).toMatchObject({ encoding: "utf-8", encodingSource: "bom", bomLength: 3, delimiter: ";" });
    expect(r.text).toBe("id;name\n1;café\n");
  });

  it("UTF-16LE and UTF-16BE with BOM, NULs and all", () => {
    for (const [enc, name] of [
      ["utf-16le", "utf16-le"],
      ["utf-16be", "utf16-be"],
    ] as const) {
      const body = iconv.encode("id\tname\n1\tcafé\n", enc);
      const bom = enc === "utf-16le" ? [0xff, 0xfe] : [0xfe, 0xff];
      const r = sniffBytes(Buffer.concat([Buffer.from(bom), body]));
      expect(r, name).toMatchObject({ encoding: enc, bomLength: 2, delimiter: "\t", text: "id\tname\n1\tcafé\n" });
    }
  });

  it("UTF-16 without a BOM reads once the user chooses it", () => {
    const r = sniffBytes(iconv.encode("a,b\n1,2\n", "utf-16le"), { encoding: "UTF-16LE" });
    expect(r).toMatchObject({ encoding: "utf-16le", encodingSource: "option", bomLength: 0, text: "a,b\n1,2\n" });
  });

  it("plain UTF-8 without BOM is detected", () => {
    expect(sniffBytes(Buffer.from("a,b\nü,😀\n"))).toMatchObject({ encoding: "utf-8", encodingSource: "detected" });
  });

  it("ignores a character cut off by the end of the head", () => {
    const full = Buffer.from("a,b\n1,€");
    const r = sniffBytes(full.subarray(0, full.length - 1));
    expect(r.encoding).toBe("utf-8");
    expect(r.text).toBe("a,b\n1,");
  });

  it("a Western single-byte file is read as windows-1252 (as browsers do), Latin-1 bytes included", () => {
    const latin = iconv.encode("name,city\nRené,Paris\nJosé,Málaga\n", "latin1");
    expect(sniffBytes(latin, { complete: true })).toMatchObject({ encoding: "windows-1252", encodingSource: "detected" });
    const windows = iconv.encode("name,note\nRené,“5 €” – paid\n", "windows-1252");
    const r = sniffBytes(windows, { complete: true });
    expect(r).toMatchObject({ encoding: "windows-1252", encodingSource: "detected" });
    expect(r.text).toContain("“5 €” – paid");
    // "Fuß“" holds one accidental valid UTF-8 pair (DF 93) among other bytes: still windows-1252
    const german = iconv.encode("Straße;Größe\nFuß“;Öl\nMaß;Übel\n", "windows-1252");
    expect(sniffBytes(german, { complete: true }).encoding).toBe("windows-1252");
  });

  it("a head mixing UTF-8 and other bytes is an error naming the line and column of the first bad byte", () => {
    const bytes = Buffer.concat([
      Buffer.from("name,city\nZoë,Köln\n"),
      Buffer.from("Ann,Par", "latin1"),
      Buffer.from([0xed]),
      Buffer.from("s\n"),
    ]);
    const err = sniffError(bytes);
    expect(err).toMatchObject({ code: "encoding", line: 3, column: 2, byteOffset: bytes.indexOf(0xed) });
    expect(err.message).toContain("line 3, column 2");
    expect(err.message).toContain("mixes two encodings");
  });

  it("with encoding latin1 or windows-1252 the same bytes read correctly", () => {
    const bytes = iconv.encode("drink,price\ncafé,2\n", "latin1");
    for (const encoding of ["latin1", "windows-1252", "ISO-8859-1"]) {
      const r = sniffBytes(bytes, { encoding });
      expect(r.encodingSource).toBe("option");
      expect(r.text).toBe("drink,price\ncafé,2\n");
    }
  });

  it("an explicit utf-8 on invalid bytes still fails", () => {
    expect(sniffError(Buffer.from([0x61, 0x0a, 0xe9, 0x0a]), { encoding: "UTF-8" }).code).toBe("encoding");
  });

  it("rejects unknown encoding labels", () => {
    const err = sniffError(Buffer.from("a\n"), { encoding: "klingon" });
    expect(err.code).toBe("encoding");
    expect(err.message).toContain('Unknown text encoding "klingon"');
  });

  it("a BOM beats the chosen encoding", () => {
    const r = sniffBytes(Buffer.from("\uFEFFa,b\n"), { encoding: "latin1" });
    expect(r).toMatchObject({ encoding: "utf-8", encodingSource: "bom", text: "a,b\n" });
  });

  it("empty input gives defaults", () => {
    expect(sniffBytes(Buffer.alloc(0))).toMatchObject({
      encoding: "utf-8",
      bomLength: 0,
      delimiter: ",",
      lineEnding: "\n",
      text: "",
    });
  });
});

describe("detectDelimiter", () => {
  it("picks each candidate", () => {
    expect(detectDelimiter("a,b,c\n1,2,3\n")).toBe(",");
    expect(detectDelimiter("a;b;c\n1;2;3\n")).toBe(";");
    expect(detectDelimiter("a\tb\tc\n1\t2\t3\n")).toBe("\t");
    expect(detectDelimiter("a|b|c\n1|2|3\n")).toBe("|");
  });

  it("ignores delimiters inside quotes", () => {
    const text = 'name;note\n"Smith, J";"a, b, c"\n"Doe, K";"d, e"\n';
    expect(detectDelimiter(text)).toBe(";");
  });

  it("prefers consistency over frequency: European decimals with ;", () => {
    expect(detectDelimiter("item;price\napple;1,5\npear;2,25\nplum;3\n")).toBe(";");
  });

  it("quoted line breaks do not count as records", () => {
    const text = 'a|b\n"x\ny,z,w"|2\n3|4\n';
    expect(detectDelimiter(text)).toBe("|");
  });

  it("single column and empty text fall back to comma", () => {
    expect(detectDelimiter("name\nAnn\nBob\n")).toBe(",");
    expect(detectDelimiter("")).toBe(",");
  });

  it("a head cut mid-record does not skew the count", () => {
    const text = `a,b,c\n${"1,2,3\n".repeat(3)}4,"5,5,5,5,5`;
    expect(detectDelimiter(text)).toBe(",");
  });
});

describe("detectLineEnding", () => {
  it("finds CRLF, LF and CR, outside quotes", () => {
    expect(detectLineEnding("a,b\r\n1,2\r\n")).toBe("\r\n");
    expect(detectLineEnding("a,b\n1,2\n")).toBe("\n");
    expect(detectLineEnding("a,b\r1,2\r")).toBe("\r");
    expect(detectLineEnding('a,b\n"x\r\ny\r\nz",2\n')).toBe("\n");
    expect(detectLineEnding("a,b")).toBe("\n");
  });

  it("sniffBytes reports it", () => {
    expect(sniffBytes(Buffer.from("a,b\r\n1,2\r\n")).lineEnding).toBe("\r\n");
  });
});

describe("sniffBytes: where the table starts", () => {
  it("a header line the user sets decides the header and trailing delimiter from that line on", () => {
    const r = sniffBytes(Buffer.from("2021,1,2\n\nregion,q1,q2,\nN,1,2,\nS,3,4,\n"), { headerLine: 3, complete: true });
    expect(r).toMatchObject({ startLine: 3, header: true, trailingDelimiter: true, startOffset: "2021,1,2\n\n".length });
  });

  it("a header line past the start of the file is an error saying how many lines there are", () => {
    const err = sniffError(Buffer.from("a,b\r\n1,2\r\n"), { headerLine: 9, complete: true });
    expect(err).toMatchObject({ code: "header_line" });
    expect(err.message).toBe("The header line is set to 9, but the start of the file has only 3 lines.");
  });

  it("counts no byte-order mark a UTF-16 file lacks when skipping to its header", () => {
    const bytes = iconv.encode("title\nid\tname\n1\tx\n2\ty\n", "utf-16le");
    const r = sniffBytes(bytes, { encoding: "utf-16", headerLine: 2, complete: true });
    expect(r.startOffset).toBe(Buffer.byteLength("title\n") * 2);
  });
});
