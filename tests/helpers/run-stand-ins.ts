import { closeDb } from "@/db";
import { resetEnvForTests } from "@/lib/env";
import { startSlackSink, type SlackSink } from "@/lib/slack/sink";
import { startCsvHost } from "./csv-host";
import { startWorker } from "./workers";

export type RunStandIns = {
  host: Awaited<ReturnType<typeof startCsvHost>>;
  sink: SlackSink;
  /** Stops the worker and both servers and closes the test's database clients. */
  close: () => Promise<void>;
};

/**
 * What a test of whole runs needs: the CSV host and the Slack stand-in on 127.0.0.1, allowed as
 * the only outbound hosts, and one real worker process on the test database.
 */
export async function startRunStandIns(): Promise<RunStandIns> {
  const host = await startCsvHost();
  const sink = await startSlackSink();
  process.env.OUTBOUND_ALLOW_HOSTS = `127.0.0.1:${host.port},127.0.0.1:${sink.port}`;
  resetEnvForTests();
  const worker = await startWorker({
    DATABASE_URL: process.env.DATABASE_URL!,
    DATA_DIR: process.env.DATA_DIR!,
    OUTBOUND_ALLOW_HOSTS: process.env.OUTBOUND_ALLOW_HOSTS,
  });
  return {
    host,
    sink,
    close: async () => {
      await worker.stop();
      await host.close();
      await sink.close();
      await closeDb();
    },
  };
}
