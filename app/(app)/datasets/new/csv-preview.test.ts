import { describe, expect, it } from "vitest";
import { sniffBytes } from "@/lib/csv/sniff";
import { parsePreview, PREVIEW_BYTES, readHeadText } from "./csv-preview";

const utf8 = (s: string) => Buffer.from(s, "utf8");
const BOM8 = Buffer.from([0xef, 0xbb, 0xbf]);
const utf16le = (s: string) => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(s, "utf16le")]);
const utf16be = (s: string) => Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(s, "utf16le").swap16()]);

/** Many rows, so the file is longer than the preview's head and is cut mid-row. */
const long = (header: string, row: (i: number) => string) => {
  let s = header + "\n";
  for (let i = 0; s.length < PREVIEW_BYTES * 2; i++) s += row(i) + "\n";
  return s;
};

const samples: [string, Buffer, string][] = [
  ["UTF-8 BOM, comma, quoted semicolons", Buffer.concat([BOM8, utf8('city,note\nZürich,"a; b; c"\nBern,"x;y"\n')]), ","],
  ["semicolon with decimal commas", utf8("a;b;c\n1,5;2,5;3,5\n4;5;6\n"), ";"],
  ["tab with a quoted comma", utf8('name\tvalue\n"x, y"\t1\nz\t2\n'), "\t"],
  ["pipe with commas and semicolons in fields", utf8("id|label\n1|a,b\n2|c;d\n3|e\n"), "|"],
  ["UTF-16LE BOM, semicolon", utf16le("stadt;zahl\nKöln;1\nMünchen;2\n"), ";"],
  ["UTF-16BE BOM, tab", utf16be("a\tb\n1\t2\n"), "\t"],
  ["CRLF, comma, one column with quoted line breaks", utf8('a,b\r\n"x\r\ny",1\r\nz,2\r\n'), ","],
  ["longer than the head, semicolon, cut mid-row", utf8(long("id;name;amount", (i) => `${i};name ${i};${i},25`)), ";"],
  ["a single column", utf8("only\n1\n2\n"), ","],
  ["undeclared latin1, semicolon", Buffer.from("nom;ville\nRen\xe9;Orl\xe9ans\nJos\xe9;M\xe1laga\n", "latin1"), ";"],
  ["undeclared windows-1252 with curly quotes and euros", Buffer.from("item,price\n\x93Caf\xe9\x94,5 \x80\n", "latin1"), ","],
  ["UTF-16LE without a BOM, tab", Buffer.from("a\tb\n1\t2\n3\t4\n", "utf16le"), "\t"],
];

describe("the browser preview reads a file as the server's sniff does", () => {
  it.each(samples)("%s", async (_name, bytes, expected) => {
    const head = await readHeadText(new File([new Uint8Array(bytes)], "sample.csv"));
    const preview = parsePreview(head, { header: true });
    // The server sniffs the head it reads; here the same bytes the browser reads.
    const server = sniffBytes(bytes.subarray(0, PREVIEW_BYTES), { complete: bytes.length <= PREVIEW_BYTES });
    expect(preview.delimiter).toBe(expected);
    expect(preview.headerLine).toBe(server.startLine);
    expect(preview.header).toBe(server.header);
    expect(preview.trailingDelimiter).toBe(server.trailingDelimiter);
    expect(preview.delimiter).toBe(server.delimiter);
    expect(head.encoding).toBe(server.encoding);
    expect(head.text).toBe(server.text);
    expect(preview.detected).toBe(true);
  });

  it("skips a preamble, drops a trailing delimiter and detects a missing header as the server does", async () => {
    const cases: [string, Partial<ReturnType<typeof parsePreview>>][] = [
      [
        "Table 1: sales\nSource: office\n\nregion,q1\nN,1\nS,2\n",
        {
          headerLine: 4,
          headers: ["region", "q1"],
          rows: [
            ["N", "1"],
            ["S", "2"],
          ],
        },
      ],
      [
        "a,b,\n1,2,\n3,4,\n",
        {
          trailingDelimiter: true,
          headers: ["a", "b"],
          rows: [
            ["1", "2"],
            ["3", "4"],
          ],
        },
      ],
      [
        "1,2.5\n3,4.5\n",
        {
          header: false,
          headers: ["column_1", "column_2"],
          rows: [
            ["1", "2.5"],
            ["3", "4.5"],
          ],
        },
      ],
    ];
    for (const [text, expected] of cases) {
      const head = await readHeadText(new File([text], "s.csv"));
      const preview = parsePreview(head, {});
      expect(preview).toMatchObject(expected);
      const server = sniffBytes(Buffer.from(text), { complete: true });
      expect([preview.headerLine, preview.header, preview.trailingDelimiter]).toEqual([
        server.startLine,
        server.header,
        server.trailingDelimiter,
      ]);
    }
  });

  it("splits the rows with that delimiter and names the columns as the loader will", async () => {
    const head = await readHeadText(
      new File([new Uint8Array(Buffer.concat([BOM8, utf8("Stadt Name;Betrag (€)\nZürich;1,5\n")]))], "s.csv"),
    );
    const preview = parsePreview(head, { header: true });
    expect(preview.headers).toEqual(["Stadt Name", "Betrag (€)"]);
    expect(preview.rows).toEqual([["Zürich", "1,5"]]);
    expect(preview.names[0]).toBe("stadt_name");
  });

  it("a chosen delimiter and encoding win over detection, a BOM over the chosen encoding", async () => {
    const latin = new File([new Uint8Array(Buffer.from("a;b\nK\xf6ln;1\n", "latin1"))], "l.csv");
    const head = await readHeadText(latin, "windows-1252");
    expect(head.text).toBe("a;b\nKöln;1\n");
    expect(parsePreview(head, { delimiter: ",", header: true })).toMatchObject({ delimiter: ",", detected: false });
    const withBom = await readHeadText(new File([new Uint8Array(utf16le("a,b\n"))], "u.csv"), "windows-1252");
    expect(withBom).toMatchObject({ encoding: "utf-16le", text: "a,b\n" });
  });
});

describe("the browser refuses binary files with the server's rule", () => {
  const head = (bytes: Buffer, encoding?: string) => readHeadText(new File([new Uint8Array(bytes)], "f.csv"), encoding);
  const serverMessage = (bytes: Buffer, encoding?: string) => {
    try {
      sniffBytes(bytes, { encoding, complete: true });
      return undefined;
    } catch (err) {
      return (err as Error).message;
    }
  };

  it.each<[string, Buffer, string?]>([
    ["NUL bytes", Buffer.from("id,v\n1,a\0b\n")],
    ["a PNG image", Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(64, 1)])],
    ["an .xlsx workbook", Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(64, 0)])],
    ["a SQLite database", Buffer.concat([Buffer.from("SQLite format 3\0", "latin1"), Buffer.alloc(64, 0)])],
    ["control characters", Buffer.from("a,b\n" + "\x01\x02\x03,x\n".repeat(20), "latin1")],
  ])("%s: the same message as the server", async (_what, bytes) => {
    const expected = serverMessage(bytes);
    expect(expected).toMatch(/^This file looks binary/);
    expect((await head(bytes)).binary).toBe(expected);
  });

  it("names NUL bytes as the upload form says", async () => {
    expect((await head(Buffer.from("a\0b")))!.binary).toBe("This file looks binary (it contains NUL bytes), not CSV.");
  });

  it("accepts text, also UTF-16 whose NUL bytes are ordinary", async () => {
    for (const bytes of [utf8("a,b\n1,2\n"), utf16le("a;b\n1;2\n"), Buffer.from("a\tb\n1\t2\n3\t4\n", "utf16le")]) {
      expect(serverMessage(bytes)).toBeUndefined();
      expect((await head(bytes)).binary).toBeUndefined();
    }
  });
});
