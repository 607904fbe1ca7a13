import { getEnv } from "@/lib/env";
import { getLogger, redactUrl } from "@/lib/log";
import { prepareDatabase } from "@/lib/database/prepare";

async function main() {
  const log = getLogger();
  getEnv();
  const db = await prepareDatabase({ log });
  log.info({ database: redactUrl(db.url) }, "migrations applied");
  await db.stop();
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
