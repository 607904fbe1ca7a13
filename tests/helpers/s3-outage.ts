import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Server } from "node:http";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";

// s3rver ships no type declarations; this is the slice of its API used here.
type S3rverOptions = { address: string; port: number; silent: boolean; directory: string; configureBuckets: { name: string }[] };
type S3rverServer = { run(): Promise<AddressInfo>; close(): Promise<void>; httpServer: Server };
const S3rver = createRequire(__filename)("s3rver") as new (options: S3rverOptions) => S3rverServer;

export type S3Outage = {
  endpoint: string;
  /** The worker's S3_* variables for this server (s3rver takes its fixed S3RVER key pair). */
  env: Record<string, string>;
  /** Takes the server down: open connections are cut, the port refuses new ones. */
  stop: () => Promise<void>;
  /** Brings it back on the same port, with the objects it held. */
  start: () => Promise<void>;
  close: () => Promise<void>;
};

/** A real S3-API server on 127.0.0.1 that a test can take down and bring back, for outage tests. */
export async function startS3WithOutages(bucket: string): Promise<S3Outage> {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), "rb-s3-outage-"));
  let server: S3rverServer | null = null;
  let port = 0;
  const start = async () => {
    const next = new S3rver({ address: "127.0.0.1", port, silent: true, directory, configureBuckets: [{ name: bucket }] });
    port = (await next.run()).port;
    server = next;
  };
  const stop = async () => {
    const running = server;
    server = null;
    if (!running) return;
    running.httpServer.closeAllConnections();
    await running.close();
  };
  await start();
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    env: {
      S3_ENDPOINT: endpoint,
      S3_BUCKET: bucket,
      S3_REGION: "us-east-1",
      S3_ACCESS_KEY_ID: "S3RVER",
      S3_SECRET_ACCESS_KEY: "S3RVER",
      S3_FORCE_PATH_STYLE: "true",
    },
    stop,
    start,
    close: async () => {
      await stop();
      fs.rmSync(directory, { recursive: true, force: true });
    },
  };
}
