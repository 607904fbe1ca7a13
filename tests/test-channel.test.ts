import { afterAll, beforeAll, describe, expect, it } from "vitest";
import pino from "pino";
import { getSql } from "@/db";
import { getDatasetLoad, getDatasetByName } from "@/db/queries/datasets";
import { listDeliveriesForDestination, listDeliveryAttempts, listDestinations } from "@/db/queries/destinations";
import { createUser } from "@/lib/auth/users";
import { resetEnvForTests } from "@/lib/env";
import { UserError } from "@/lib/errors";
import { registerUrlDataset } from "@/lib/ingest/register";
import { runDatasetLoad } from "@/lib/ingest/run-load";
import { sendTestMessage } from "@/lib/slack/deliver";
import { createDestination, removeDestination, toPublicDestination } from "@/lib/slack/destinations";
import { ensureTestChannel, SAMPLE_RESPONSE, TEST_CHANNEL_NAME } from "@/lib/slack/sample-destination";
import { validateWebhookUrl } from "@/lib/slack/webhook-url";
import { startCsvHost } from "./helpers/csv-host";

// Every request here goes to 127.0.0.1 (the CSV stand-in) or nowhere: refused URLs never connect,
// and `localhost` is resolved by the system's own resolver (/etc/hosts), as the fetch would.

let host: Awaited<ReturnType<typeof startCsvHost>>;
let editor: { id: string; email: string };
const ctx = { log: pino({ level: "silent" }), isLastAttempt: true };

function setAllowList(value: string) {
  process.env.OUTBOUND_ALLOW_HOSTS = value;
  resetEnvForTests();
}

beforeAll(async () => {
  host = await startCsvHost();
  setAllowList("");
  editor = await createUser({ email: "test-channel@example.com", password: "long enough pw", role: "editor" });
});

afterAll(async () => {
  await host.close();
});

async function refusal(csvUrl: string, name = "refused_url"): Promise<UserError> {
  const err = await registerUrlDataset({ name, csvUrl }, editor).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err, csvUrl).toBeInstanceOf(UserError);
  return err as UserError;
}

describe("test channel", () => {
  it("is created once, is not the default, and posts nothing", async () => {
    expect(await listDestinations()).toEqual([]);
    // Two clicks at once end at one channel.
    const [a, b] = await Promise.all([ensureTestChannel(editor), ensureTestChannel(editor)]);
    expect(a.destination.id).toBe(b.destination.id);
    expect([a.created, b.created].sort()).toEqual([false, true]);
    const again = await ensureTestChannel(editor);
    expect(again).toMatchObject({ created: false, destination: { id: a.destination.id } });

    const rows = await listDestinations();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ name: TEST_CHANNEL_NAME, kind: "sample", isDefault: false });
    expect(toPublicDestination(rows[0]!).webhookUrlMasked).not.toMatch(/https?:/);

    const audits = await getSql()`select action, details from relayboard.audit_events where target_id = ${a.destination.id}`;
    expect(audits).toEqual([{ action: "destination.created", details: { kind: "sample", default: false } }]);
  });

  it("records a test message with its exact payload instead of posting it", async () => {
    const [channel] = await listDestinations();
    const outcome = await sendTestMessage(channel!.id, editor.email);
    expect(outcome.status).toBe("sent");
    const [delivery] = await listDeliveriesForDestination(channel!.id);
    expect(delivery).toMatchObject({ kind: "test", status: "sent", attempts: 1 });
    expect(JSON.stringify(delivery!.payload)).toContain("This is a test message from *Relayboard*");
    expect(await listDeliveryAttempts(delivery!.id)).toMatchObject([{ attempt: 1, statusCode: null, response: SAMPLE_RESPONSE }]);
    expect(host.requests).toEqual([]);
  });

  it("leaves the default to the first real webhook added after it", async () => {
    setAllowList(`127.0.0.1:${host.port}`);
    const real = await createDestination({ webhookUrl: host.url("/services/T/B/first"), name: "Real one" }, editor);
    expect(real.default).toBe(true);
    const second = await createDestination({ webhookUrl: host.url("/services/T/B/second"), name: "Second one" }, editor);
    expect(second.default).toBe(false);
    // Adding the test channel again reuses it and leaves the default alone.
    const again = await ensureTestChannel(editor);
    expect(again).toMatchObject({ created: false, destination: { isDefault: false } });
    expect((await listDestinations()).filter((d) => d.isDefault).map((d) => d.name)).toEqual(["Real one"]);
    await removeDestination(real.id, editor);
    await removeDestination(second.id, editor);
    setAllowList("");
  });

  it("is reused when the onboarding sample channel already records messages", async () => {
    const [channel] = await listDestinations();
    await getSql()`update relayboard.destinations set name = 'Sample channel' where id = ${channel!.id}`;
    const again = await ensureTestChannel(editor);
    expect(again).toMatchObject({ created: false, destination: { id: channel!.id, name: "Sample channel" } });
  });
});

describe("dataset URLs on loopback are refused at once, whatever the spelling", () => {
  it("refuses localhost with the same message as 127.0.0.1, naming the host and the remedy", async () => {
    const byAddress = await refusal("http://127.0.0.1:9/x");
    const byName = await refusal("http://localhost:9/x");
    expect(byAddress.status).toBe(400);
    expect(byName.status).toBe(400);
    expect(byAddress.message).toBe(
      "127.0.0.1:9 is a loopback address (this server itself) and not allowed. Ask an admin to add the host to OUTBOUND_ALLOW_HOSTS, or upload the file instead.",
    );
    expect(byName.message.replace("localhost:9", "127.0.0.1:9")).toBe(byAddress.message);
    // Shown beside the URL field on the form.
    expect(byName.fieldErrors).toEqual({ csvUrl: [byName.message] });
    expect((await refusal("http://[::1]:9/x")).message).toMatch(/^\[::1\]:9 is a loopback address/);
    // Any spelling the resolver maps to loopback; the host is named as the URL gives it.
    expect((await refusal("http://LOCALHOST.:9/x")).message).toMatch(/^localhost\.:9 is a loopback address/);
    // Nothing was registered.
    expect(await getDatasetByName("refused_url")).toBeNull();
  });

  it("answers as the fetch would when OUTBOUND_ALLOW_HOSTS names the address", async () => {
    setAllowList(`127.0.0.1:${host.port}`);
    try {
      host.files.set("/allowed.csv", { body: "id,v\n1,a\n" });
      const { load } = await registerUrlDataset({ name: "allowed_by_ip", csvUrl: host.url("/allowed.csv") }, editor);
      await runDatasetLoad(load.id, ctx);
      expect((await getDatasetLoad(load.id))!.status).toBe("succeeded");
      // The entry opens 127.0.0.1:<port>, not the name: the fetch refuses localhost:<port> too, so
      // registration says so at once instead of failing the first load.
      const err = await refusal(`http://localhost:${host.port}/allowed.csv`, "by_name");
      expect(err.message).toMatch(new RegExp(`^localhost:${host.port} is a loopback address .* OUTBOUND_ALLOW_HOSTS`));
      // Another port on the same address stays refused, with the same words as before.
      expect((await refusal("http://localhost:9/x")).message.replace("localhost:9", "127.0.0.1:9")).toBe(
        (await refusal("http://127.0.0.1:9/x")).message,
      );
    } finally {
      setAllowList("");
    }
  });

  it("accepts localhost:<port> once that is what the allow list names", async () => {
    setAllowList(`localhost:${host.port}`);
    try {
      const { dataset } = await registerUrlDataset(
        { name: "allowed_by_name", csvUrl: `http://localhost:${host.port}/allowed.csv` },
        editor,
      );
      expect(dataset.sourceUrl).toBe(`http://localhost:${host.port}/allowed.csv`);
      // …and the address entry does not open the name, nor the name entry the address.
      await refusal(`http://127.0.0.1:${host.port}/allowed.csv`, "by_address");
    } finally {
      setAllowList("");
    }
  });

  it("webhook URLs on loopback point to the allow list or a test channel", () => {
    for (const url of ["http://127.0.0.1:9/services/T/B/X", "http://localhost:9/services/T/B/X"]) {
      const err = (() => {
        try {
          validateWebhookUrl(url);
          return null;
        } catch (e) {
          return e as UserError;
        }
      })();
      expect(err, url).toBeInstanceOf(UserError);
      expect(err!.message).toContain("Ask an admin to add the host to OUTBOUND_ALLOW_HOSTS, or use a test channel.");
      expect(err!.fieldErrors?.webhookUrl).toEqual([err!.message]);
    }
  });
});
