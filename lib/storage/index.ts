import path from "node:path";
import { getEnv, type S3Config } from "@/lib/env";
import { createLocalStore } from "@/lib/storage/local";
import { createS3Store } from "@/lib/storage/s3";
import type { ObjectStore } from "@/lib/storage/types";

export type ObjectStoreConfig = { kind: "local"; dir: string } | ({ kind: "s3" } & S3Config);

export function createObjectStore(config: ObjectStoreConfig): ObjectStore {
  if (config.kind === "local") return createLocalStore(config.dir);
  return createS3Store(config);
}

// On globalThis rather than in module scope: Next's dev server re-evaluates modules on every
// reload, and each new S3 client would keep its own pool of sockets open.
const globalCache = globalThis as typeof globalThis & { __relayboardObjectStore?: ObjectStore };

export function getObjectStore(): ObjectStore {
  globalCache.__relayboardObjectStore ??= createObjectStore(storeConfigFromEnv());
  return globalCache.__relayboardObjectStore;
}

/** For tests that change configuration between cases. */
export function resetObjectStoreForTests(): void {
  globalCache.__relayboardObjectStore = undefined;
}

function storeConfigFromEnv(): ObjectStoreConfig {
  const env = getEnv();
  if (env.s3) return { kind: "s3", ...env.s3 };
  return { kind: "local", dir: path.join(env.dataDir, "objects") };
}
