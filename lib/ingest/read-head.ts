import { Readable } from "node:stream";

/**
 * Reads at least `bytes` from the start of a stream (or all of it, if shorter) and returns them
 * with a stream that replays the whole input, head included, so sniffing never loses bytes.
 */
export async function readHead(source: Readable, bytes: number): Promise<{ head: Buffer; whole: Readable }> {
  const chunks: Buffer[] = [];
  let size = 0;
  const iterator = source[Symbol.asyncIterator]();
  let done = false;
  while (size < bytes) {
    const next = await iterator.next();
    if (next.done) {
      done = true;
      break;
    }
    const chunk = Buffer.isBuffer(next.value) ? next.value : Buffer.from(next.value);
    chunks.push(chunk);
    size += chunk.length;
  }
  async function* replay() {
    for (const chunk of chunks) yield chunk;
    if (done) return;
    for (;;) {
      const next = await iterator.next();
      if (next.done) return;
      yield next.value as Buffer;
    }
  }
  const whole = Readable.from(replay(), { objectMode: false });
  whole.on("close", () => {
    if (!source.destroyed) source.destroy();
  });
  return { head: Buffer.concat(chunks), whole };
}
