import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import { startSlackSink } from "../lib/slack/sink";
import { PORTS } from "./ports";

/**
 * Stand-ins for the outside world during end-to-end tests, on loopback only: a CSV host serving
 * e2e/fixtures, and the Slack stand-in. The app under test allows exactly these two ports.
 */
export const CSV_HOST_PORT = PORTS.csvHost;
export const SLACK_SINK_PORT = PORTS.slackSink;

async function main() {
  const fixtures = path.join(__dirname, "fixtures");
  const csvHost = http.createServer((req, res) => {
    const name = path.basename(decodeURIComponent((req.url ?? "/").split("?")[0]!));
    const file = path.join(fixtures, name);
    if (!name.endsWith(".csv") || !fs.existsSync(file)) {
      res.writeHead(404).end("not found");
      return;
    }
    res.writeHead(200, { "content-type": "text/csv" });
    fs.createReadStream(file).pipe(res);
  });
  await new Promise<void>((resolve) => csvHost.listen(CSV_HOST_PORT, "127.0.0.1", resolve));
  await startSlackSink({ port: SLACK_SINK_PORT });
  console.log(`stand-ins ready: csv http://127.0.0.1:${CSV_HOST_PORT}, slack http://127.0.0.1:${SLACK_SINK_PORT}`);
}

void main();
