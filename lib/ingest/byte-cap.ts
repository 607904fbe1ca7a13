import { Transform } from "node:stream";
import { UserError } from "@/lib/errors";
import { formatBytes } from "@/lib/format";

/** Passes bytes through until `limit`, then fails the stream (and so the upload) with a 413. */
export function createByteCap(limit: number, onBytes?: (total: number) => void): Transform {
  let total = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      total += chunk.length;
      if (total > limit) {
        done(new UserError(`The file is larger than the ${formatBytes(limit)} limit (MAX_SOURCE_BYTES)`, 413));
        return;
      }
      onBytes?.(total);
      done(null, chunk);
    },
  });
}
