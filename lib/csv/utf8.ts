// UTF-8 validity at the byte level. No Node APIs and no iconv-lite: the browser's upload preview
// detects encodings with these too (lib/csv/detect-encoding.ts).

/**
 * Length of a UTF-8 sequence cut off by the end of the buffer (0 when the buffer ends on a
 * character boundary or ends in bytes that are invalid anyway). Streams arrive in arbitrary
 * slices, so the tail is held back for the next chunk rather than judged now.
 */
export function incompleteUtf8Tail(buf: Uint8Array, end: number = buf.length): number {
  for (let back = 1; back <= 3 && back <= end; back++) {
    const b = buf[end - back];
    if ((b & 0xc0) === 0x80) continue; // continuation byte: keep looking for the lead
    const need = b >= 0xf0 && b <= 0xf4 ? 4 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xc2 && b <= 0xdf ? 2 : 1;
    return need > back ? back : 0;
  }
  return 0;
}

/**
 * Offset of the first byte that cannot start or continue a valid UTF-8 sequence, or -1.
 * Follows the Unicode well-formedness table (no overlongs, no surrogates, nothing above
 * U+10FFFF), which is what PostgreSQL enforces, so a file passing here loads there.
 * A sequence cut off by `end` counts as valid when `allowTruncatedEnd` is set.
 */
export function findInvalidUtf8(buf: Uint8Array, start = 0, end: number = buf.length, allowTruncatedEnd = false): number {
  let i = start;
  while (i < end) {
    const b = buf[i];
    if (b < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) need = 1;
    else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      if (b === 0xe0) lo = 0xa0; // overlong
      if (b === 0xed) hi = 0x9f; // surrogates
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      if (b === 0xf0) lo = 0x90; // overlong
      if (b === 0xf4) hi = 0x8f; // above U+10FFFF
    } else return i;
    for (let k = 1; k <= need; k++) {
      if (i + k >= end) return allowTruncatedEnd ? -1 : i;
      const c = buf[i + k];
      if (c < (k === 1 ? lo : 0x80) || c > (k === 1 ? hi : 0xbf)) return i;
    }
    i += need + 1;
  }
  return -1;
}
