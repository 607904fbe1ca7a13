import { parseArgs } from "node:util";
import { startSlackSink } from "@/lib/slack/sink";

/**
 * `npm run slack-sink [-- --port N]`: a local Slack stand-in for demos (port 3999 by default). Point a destination at
 * http://127.0.0.1:<port>/services/T000/B000/demo (add 127.0.0.1:<port> to OUTBOUND_ALLOW_HOSTS)
 * and read what arrived at GET /_sink/messages.
 */
async function main() {
  const { values } = parseArgs({ options: { port: { type: "string", default: "3999" } } });
  const port = Number(values.port);
  const sink = await startSlackSink({ port });
  console.log(`Slack stand-in listening on ${sink.url}`);
  console.log(`  webhook URL:  ${sink.webhookUrl("/services/T000/B000/demo")}`);
  console.log(`  allow it:     OUTBOUND_ALLOW_HOSTS=127.0.0.1:${sink.port}`);
  console.log(`  messages:     curl ${sink.url}/_sink/messages`);
  let seen = 0;
  setInterval(() => {
    for (const message of sink.messages.slice(seen)) {
      console.log(`${new Date(message.receivedAt).toISOString()} ${message.path} ${JSON.stringify(message.body).slice(0, 200)}`);
    }
    seen = sink.messages.length;
  }, 500);
  const stop = () => void sink.close().then(() => process.exit(0));
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

void main();
