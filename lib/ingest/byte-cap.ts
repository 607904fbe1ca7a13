import { Transform } from "node:stream";
import { UserError } from "@/lib/errors";

export function formatBytes(bytes: number): string {
  const units = ["bytes", "KiB", "MiB", "GiB", "TiB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${bytes} bytes` : `${value.toFixed(value >= 10 ? 0 : 1)} ${units[unit]}`;
}

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
