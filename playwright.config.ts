import path from "node:path";
import { defineConfig } from "@playwright/test";

/**
 * End-to-end tests run the production build (web + worker through the launcher) with no
 * configuration at all: embedded Postgres and local storage under a fresh DATA_DIR.
 */
export const E2E_PORT = 3210;
export const E2E_DATA_DIR = path.join(__dirname, ".test-data", "e2e");

export default defineConfig({
  testDir: "e2e",
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [["list"]],
  use: {
    baseURL: `http://127.0.0.1:${E2E_PORT}`,
    trace: "off",
    screenshot: "only-on-failure",
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-quic",
        "--no-first-run",
      ],
    },
  },
  webServer: [
    {
      command: "node --import tsx e2e/stand-ins.ts",
      url: "http://127.0.0.1:3292/_sink/messages",
      reuseExistingServer: false,
      timeout: 60_000,
      stdout: "ignore",
      stderr: "pipe",
    },
    {
      command: "bash e2e/start-app.sh",
      url: `http://127.0.0.1:${E2E_PORT}/health`,
      reuseExistingServer: false,
      timeout: 300_000,
      stdout: "ignore",
      stderr: "pipe",
      gracefulShutdown: { signal: "SIGTERM", timeout: 40_000 },
      env: { E2E_PORT: String(E2E_PORT), E2E_DATA_DIR },
    },
  ],
});
