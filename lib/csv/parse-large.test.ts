import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createDecoderStream } from "./decode";
import { createTypeInferrer } from "./infer";
import { parseCsvStream } from "./parse";

/**
 * A throughput check on a generated 200k-row file (8 columns, ~15 MB, some quoted fields with
 * delimiters, escaped quotes and line breaks), from bytes through decoder, parser and type
 * inference, in 64 KiB chunks as the loader will read it. Prints rows/s; the floor is set far
 * below what a laptop does so that only a real regression (e.g. going quadratic) fails.
 */
function generate(rows: number): Buffer {
  const out: string[] = ["id,name,amount,ratio,created,active,code,comment\n"];
  for (let i = 1; i <= rows; i++) {
    const name = i % 10 === 0 ? `"Smith, John ""JJ"" ${i}"` : `user${i}`;
    const comment = i % 50 === 0 ? `"line one\nline two"` : `plain comment number ${i}`;
    const day = String((i % 28) + 1).padStart(2, "0");
    out.push(
      `${i},${name},${(i * 37) % 100000},${(i % 1000) / 7},2023-03-${day},${i % 2 === 0},` +
        `${String(i % 99999).padStart(5, "0")},${comment}\n`,
    );
  }
  return Buffer.from(out.join(""));
}

describe("streaming a large file", () => {
  it("parses and infers a 200k-row file chunk by chunk (speed is measured by npm run bench)", async () => {
    const bytes = generate(200_000);
    const chunks: Buffer[] = [];
    for (let i = 0; i < bytes.length; i += 65536) chunks.push(bytes.subarray(i, i + 65536));
    const inferrer = createTypeInferrer(8);

    const result = await parseCsvStream(Readable.from(chunks).pipe(createDecoderStream("utf-8", 0)), {
      delimiter: ",",
      header: true,
      onRow: (fields) => inferrer.observe(fields),
    });

    expect(result.rows).toBe(200_000);
    expect(inferrer.result()).toEqual(["bigint", "text", "bigint", "numeric", "date", "boolean", "text", "text"]);
  });
});
