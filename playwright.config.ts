import path from "node:path";
import { defineConfig } from "@playwright/test";
import { PORTS, TEST_DATA } from "./e2e/ports";

/**
 * End-to-end tests run the production build (web + worker through the launcher) with no
 * configuration at all: embedded Postgres and local storage under a fresh DATA_DIR.
 * Every spec stands alone (`npx playwright test e2e/09-pipelines.spec.ts`): the "setup" project
 * (e2e/auth.setup.ts) runs first either way, seeds the users through the admin CLI and signs each
 * in once; specs reuse those sessions and seed the rest through the CLI or /v1 (e2e/seed.ts).
 */
export const E2E_PORT = PORTS.app;
export const E2E_DATA_DIR = path.join(TEST_DATA, "e2e");

export default defineConfig({
  testDir: "e2e",
  timeout: 60_000,
  expect: { timeout: 10_000 },
  // A second run in this checkout (E2E_PORT_OFFSET) keeps its results apart too.
  ...(TEST_DATA.endsWith(".test-data") ? {} : { outputDir: path.join(TEST_DATA, "test-results") }),
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
  projects: [
    { name: "setup", testMatch: /auth\.setup\.ts$/ },
    { name: "e2e", testMatch: /\.spec\.ts$/, dependencies: ["setup"] },
  ],
  webServer: [
    {
      command: "node --import tsx e2e/stand-ins.ts",
      url: `http://127.0.0.1:${PORTS.slackSink}/_sink/messages`,
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
      env: {
        E2E_PORT: String(E2E_PORT),
        E2E_DATA_DIR,
        E2E_OUTBOUND_ALLOW_HOSTS: `127.0.0.1:${PORTS.csvHost},127.0.0.1:${PORTS.slackSink}`,
      },
    },
  ],
});
