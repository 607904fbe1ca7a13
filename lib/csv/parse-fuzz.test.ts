import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { parseCsvStream } from "./parse";
import { createRng } from "@/bench/generate-csv";

/*
 * Round trip: random tables, written the RFC 4180 way with random line endings (quoting only
 * where needed, or sometimes for no reason), read back in random-sized pieces. Values and
 * physical line numbers must come back exactly. Catches chunk-boundary bugs no hand-picked
 * case would.
 */

const ALPHABET = ["a", "b", "1", " ", '"', ",", ";", "\t", "|", "\n", "\r", "\r\n", "é", "😀", "ß"];
const ENDINGS = ["\n", "\r\n", "\r"];

function countBreaks(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === "\n") n++;
    else if (c === "\r" && s[i + 1] !== "\n") n++;
  }
  return n;
}

describe("parseCsvStream round trip", () => {
  it("returns what was written, with line numbers, for 300 random files", async () => {
    const rand = createRng(42);
    const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)];
    for (let file = 0; file < 300; file++) {
      const delimiter = pick([",", ";", "\t", "|"]);
      const cols = 1 + Math.floor(rand() * 4);
      const table: string[][] = [];
      for (let r = 0, n = 1 + Math.floor(rand() * 8); r < n; r++) {
        table.push(Array.from({ length: cols }, () => Array.from({ length: Math.floor(rand() * 6) }, () => pick(ALPHABET)).join("")));
      }
      let text = "";
      const lines: number[] = [];
      table.forEach((row, r) => {
        lines.push(1 + countBreaks(text));
        text += row
          .map((v) => {
            // A lone empty field would be an empty line, which readers skip: quote it.
            const must = /["\r\n]/.test(v) || v.includes(delimiter) || (cols === 1 && v === "");
            return must || rand() < 0.1 ? `"${v.replace(/"/g, '""')}"` : v;
          })
          .join(delimiter);
        if (r < table.length - 1 || rand() < 0.5) text += pick(ENDINGS);
      });

      const pieces: string[] = [];
      for (let i = 0; i < text.length;) {
        const size = 1 + Math.floor(rand() * 12);
        pieces.push(text.slice(i, i + size));
        i += size;
      }
      const got: [number, string[]][] = [];
      await parseCsvStream(Readable.from(pieces), {
        delimiter,
        header: false,
        onRow: (fields, line) => {
          got.push([line, fields]);
        },
      });
      expect(got, JSON.stringify(text)).toEqual(table.map((row, r) => [lines[r], row]));
    }
  });
});
