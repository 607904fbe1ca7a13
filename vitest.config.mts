import path from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const root = path.dirname(fileURLToPath(import.meta.url));
const alias = { "@": root };

export default defineConfig({
  resolve: { alias },
  test: {
    maxWorkers: 2,
    projects: [
      {
        resolve: { alias },
        test: {
          name: "unit",
          include: ["lib/**/*.test.ts", "jobs/**/*.test.ts", "db/**/*.test.ts", "components/**/*.test.ts", "app/**/*.test.ts"],
          environment: "node",
        },
      },
      {
        resolve: { alias },
        test: {
          name: "integration",
          include: ["tests/**/*.test.ts"],
          environment: "node",
          globalSetup: ["tests/setup/global-setup.ts"],
          setupFiles: ["tests/setup/env.ts"],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          // Each file has a database of its own (tests/setup/env.ts), so files run side by side:
          // they mostly wait (on Postgres, child workers, timers), and two at a time halve the
          // suite's time on a 2-core machine with every per-file time unchanged.
          fileParallelism: true,
        },
      },
    ],
  },
});
