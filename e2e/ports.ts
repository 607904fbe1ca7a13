import path from "node:path";

/**
 * Where an end-to-end run listens and keeps its data. E2E_PORT_OFFSET (default 0) moves every port
 * and the data directories, so two runs in one checkout (two people, or a loop of single specs
 * beside the whole suite) do not meet: `E2E_PORT_OFFSET=1000 npx playwright test`.
 */
const offset = Number(process.env.E2E_PORT_OFFSET ?? 0);
if (!Number.isInteger(offset) || offset < 0 || offset > 30_000)
  throw new Error(`E2E_PORT_OFFSET must be a whole number 0-30000, not ${process.env.E2E_PORT_OFFSET}`);

export const PORTS = {
  /** The shared app (web + worker) every spec talks to. */
  app: 3210 + offset,
  /** 04-external-services: the app against DATABASE_URL and an S3 server. */
  external: 3211 + offset,
  /** 13-sample-data: a fresh install. */
  sample: 3212 + offset,
  /** 01-setup-and-login: a fresh install. */
  setup: 3213 + offset,
  csvHost: 3291 + offset,
  slackSink: 3292 + offset,
};

/** .test-data, or .test-data/port-offset-N when the ports are moved. */
export const TEST_DATA = path.join(__dirname, "..", ".test-data", ...(offset ? [`port-offset-${offset}`] : []));
