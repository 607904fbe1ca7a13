import { closeDb } from "@/db";
import { deliver } from "@/lib/slack/deliver";

/** A separate process that delivers a batch of messages, as a second worker would. */
async function main() {
  const [destinationId, prefix, count] = process.argv.slice(2);
  const tasks = Array.from({ length: Number(count) }, (_, i) =>
    deliver({ deliveryKey: `${prefix}-${i}`, destinationId: destinationId!, payload: { text: `${prefix} message ${i}` } }),
  );
  const results = await Promise.all(tasks);
  console.log(JSON.stringify(results.map((r) => r.status)));
  await closeDb();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
