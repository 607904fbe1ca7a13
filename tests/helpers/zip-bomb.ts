import { Zip, ZipDeflate } from "fflate";

/**
 * A zip whose one entry inflates to `inflatedBytes` of zeros (level 9: ~1 KiB per MiB), built by
 * streaming one reused 1 MiB chunk through fflate's Zip, so making it never holds the inflated size.
 */
export function zipBomb(path: string, inflatedBytes: number, extra: Record<string, string> = {}): Uint8Array<ArrayBuffer> {
  const parts: Uint8Array[] = [];
  let failed: Error | null = null;
  const zip = new Zip((err, chunk) => {
    if (err) failed = err;
    else parts.push(chunk);
  });
  for (const [name, text] of Object.entries(extra)) {
    const file = new ZipDeflate(name, { level: 6 });
    zip.add(file);
    file.push(new TextEncoder().encode(text), true);
  }
  const bomb = new ZipDeflate(path, { level: 9 });
  zip.add(bomb);
  const zeros = new Uint8Array(1024 * 1024);
  let left = inflatedBytes;
  do {
    const size = Math.min(left, zeros.byteLength);
    bomb.push(size === zeros.byteLength ? zeros : zeros.subarray(0, size), left <= zeros.byteLength);
    left -= size;
  } while (left > 0);
  zip.end();
  if (failed) throw failed;
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}
