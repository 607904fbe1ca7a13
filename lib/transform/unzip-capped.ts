import { Unzip, UnzipInflate } from "fflate";
import { UserError } from "@/lib/errors";
import { formatBytes } from "@/lib/format";

export type UnzipLimits = {
  /** Inflated bytes one entry may have. */
  maxFileBytes: number;
  /** Inflated bytes of every wanted entry together. */
  maxTotalBytes: number;
  /** Entries the archive may list, wanted or not. */
  maxEntries: number;
};

// Deflate expands at most ~1032:1, so one step of compressed input inflates to at most ~4 MiB
// before the count below sees it: that, not the archive's size, bounds the overshoot past a cap.
const INPUT_STEP = 4 * 1024;

const NOT_A_ZIP = "This is not a readable zip file";

/**
 * Unzips the entries `want` picks, counting inflated bytes as fflate's streaming inflater emits
 * them and stopping at the first chunk past a limit, so a zip bomb costs a few MiB, never its
 * inflated size (unzipSync would inflate every entry whole, to whatever size it claims or not).
 * Entries not wanted are never inflated. Throws UserError 400 (not a zip, corrupt data) or 413.
 */
export function unzipCapped(zip: Uint8Array, want: (path: string) => boolean, limits: UnzipLimits): Map<string, Uint8Array> {
  if (!hasEndOfCentralDirectory(zip)) throw new UserError(NOT_A_ZIP, 400);
  const files = new Map<string, Uint8Array>();
  let total = 0;
  let entries = 0;
  let failure: UserError | undefined;
  const tooLarge = (what: string, limit: number) =>
    new UserError(`The zip is too large once unpacked: ${what} more than ${formatBytes(limit)}`, 413, {
      file: [
        `Unpacked, a project zip may hold at most ${formatBytes(limits.maxTotalBytes)}, and ${formatBytes(limits.maxFileBytes)} per file`,
      ],
    });

  const unzip = new Unzip((file) => {
    if (failure) return;
    if (++entries > limits.maxEntries) {
      failure = new UserError(`The zip has more than ${limits.maxEntries} files`, 413);
      return;
    }
    // Not started, an entry's compressed bytes are passed over (as views of `zip`, not copies).
    if (!want(file.name)) return;
    // The declared size can lie (the count below is what holds), but when it admits a bomb, believe it.
    if (file.originalSize !== undefined && file.originalSize > limits.maxFileBytes) {
      failure = tooLarge(`${file.name} would be`, limits.maxFileBytes);
      return;
    }
    const chunks: Uint8Array[] = [];
    let size = 0;
    file.ondata = (err, chunk, final) => {
      if (failure) return;
      if (err) {
        failure = new UserError(NOT_A_ZIP, 400);
        return;
      }
      size += chunk.byteLength;
      total += chunk.byteLength;
      if (size > limits.maxFileBytes) failure = tooLarge(`${file.name} is`, limits.maxFileBytes);
      else if (total > limits.maxTotalBytes) failure = tooLarge("its files are", limits.maxTotalBytes);
      else {
        chunks.push(chunk);
        if (final) files.set(file.name, concat(chunks, size));
      }
    };
    file.start();
  });
  unzip.register(UnzipInflate);

  try {
    for (let at = 0; at < zip.byteLength && !failure; at += INPUT_STEP) {
      const end = Math.min(at + INPUT_STEP, zip.byteLength);
      unzip.push(zip.subarray(at, end), end === zip.byteLength);
    }
  } catch {
    throw new UserError(NOT_A_ZIP, 400);
  }
  if (failure) throw failure;
  return files;
}

function concat(chunks: Uint8Array[], size: number): Uint8Array {
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.byteLength;
  }
  return out;
}

/** A zip ends with the end-of-central-directory record (22 bytes plus a comment of up to 64 KiB). */
function hasEndOfCentralDirectory(zip: Uint8Array): boolean {
  const stop = Math.max(0, zip.byteLength - 22 - 0xffff);
  for (let i = zip.byteLength - 22; i >= stop; i--) {
    if (zip[i] === 0x50 && zip[i + 1] === 0x4b && zip[i + 2] === 0x05 && zip[i + 3] === 0x06) return true;
  }
  return false;
}
