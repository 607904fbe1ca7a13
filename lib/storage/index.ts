import path from "node:path";
import { getEnv, type S3Config } from "@/lib/env";
import { createLocalStore } from "@/lib/storage/local";
import type { ObjectStore } from "@/lib/storage/types";

export type ObjectStoreConfig = { kind: "local"; dir: string } | ({ kind: "s3" } & S3Config);

export function createObjectStore(config: ObjectStoreConfig): ObjectStore {
  if (config.kind === "local") return createLocalStore(config.dir);
  return lazyS3Store(config);
}

/**
 * The AWS SDK costs a process about 45 MiB of memory once loaded, so it is loaded on the first
 * storage call, and only when S3 is configured: a worker on local storage never pays for it.
 */
function lazyS3Store(config: S3Config): ObjectStore {
  let store: Promise<ObjectStore> | null = null;
  const real = () => (store ??= import("@/lib/storage/s3").then((m) => m.createS3Store(config)));
  return {
    kind: "s3",
    put: async (key, body, opts) => (await real()).put(key, body, opts),
    get: async (key) => (await real()).get(key),
    head: async (key) => (await real()).head(key),
    delete: async (key) => (await real()).delete(key),
    list: async (prefix) => (await real()).list(prefix),
    check: async () => (await real()).check(),
  };
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
