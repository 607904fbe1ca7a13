import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { closeDb, getSql } from "@/db";
import { getDestinationById } from "@/db/queries/destinations";
import { resetEnvForTests } from "@/lib/env";
import { createUser } from "@/lib/auth/users";
import { createDestination, revealWebhookUrl } from "@/lib/slack/destinations";
import { deliver, hashContent, sendTestMessage } from "@/lib/slack/deliver";
import { DecryptionError } from "@/lib/crypto/secret-box";
import { validateWebhookUrl } from "@/lib/slack/webhook-url";
import { startSlackSink, type SlackSink } from "@/lib/slack/sink";
import { cleanEnv, runTs } from "./helpers/processes";

let sink: SlackSink;
let actor: { id: string; email: string };
let counter = 0;
const fast = { baseDelayMs: 50 };

async function newDestination(path = `/services/T1/B${++counter}/secretToken${counter}`) {
  const dest = await createDestination({ webhookUrl: sink.webhookUrl(path), name: `dest ${counter}` }, actor);
  return { dest, path };
}

beforeAll(async () => {
  sink = await startSlackSink();
  process.env.OUTBOUND_ALLOW_HOSTS = `127.0.0.1:${sink.port}`;
  resetEnvForTests();
  actor = {
    ...(await createUser({ email: "slacker@example.com", password: "long enough pw", role: "editor" })),
    email: "slacker@example.com",
  };
});

beforeEach(() => {
  sink.messages.length = 0;
  sink.script([]);
});

afterAll(async () => {
  await sink.close();
  await closeDb();
});

describe("webhook URLs", () => {
  it("accepts Slack's webhook and workflow URLs and allow-listed hosts only", () => {
    expect(validateWebhookUrl("https://hooks.slack.com/services/T000/B000/XXXX").host).toBe("hooks.slack.com");
    expect(validateWebhookUrl("https://hooks.slack.com/triggers/T000/123/abc").pathname).toMatch(/^\/triggers\//);
    expect(validateWebhookUrl(sink.webhookUrl()).port).toBe(String(sink.port));
    for (const bad of [
      "http://hooks.slack.com/services/T/B/X",
      "https://hooks.slack.com/api/other",
      "https://example.com/services/T/B/X",
      "https://hooks.slack.com.evil.example/services/T/B/X",
      "https://user:pw@hooks.slack.com/services/T/B/X",
      "ftp://hooks.slack.com/services/T/B/X",
      "http://10.0.0.1/services/T/B/X",
    ]) {
      expect(() => validateWebhookUrl(bad), bad).toThrow();
    }
  });

  it("stores only ciphertext, masks the URL, and refuses a tampered ciphertext", async () => {
    const { dest, path } = await newDestination();
    expect(dest.webhookUrlMasked).toBe(`http://127.0.0.1:${sink.port}/…/${path.slice(-4)}`);
    expect(JSON.stringify(dest)).not.toContain("secretToken");
    const [row] = await getSql()`select * from relayboard.destinations where id = ${dest.id}`;
    expect(JSON.stringify(row)).not.toContain("secretToken");
    expect(revealWebhookUrl((await getDestinationById(dest.id))!)).toBe(sink.webhookUrl(path));
    const sealed = row!.webhook_ciphertext as string;
    const raw = Buffer.from(sealed.slice(3), "base64");
    raw[20] ^= 0xff;
    await getSql()`update relayboard.destinations set webhook_ciphertext = ${"v1:" + raw.toString("base64")} where id = ${dest.id}`;
    const tampered = (await getDestinationById(dest.id))!;
    expect(() => revealWebhookUrl(tampered)).toThrow(DecryptionError);
  });

  it("makes the first destination the default", async () => {
    const [first] = await getSql()`select count(*)::int as n from relayboard.destinations where is_default`;
    expect(first!.n).toBe(1);
  });
});

describe("delivery", () => {
  it("waits for Retry-After on 429, then succeeds", async () => {
    const { dest } = await newDestination();
    sink.script([{ status: 429, retryAfter: 2 }]);
    const started = Date.now();
    const outcome = await deliver({ deliveryKey: "r429", destinationId: dest.id, payload: { text: "hello" }, send: fast });
    expect(outcome.status).toBe("sent");
    expect(Date.now() - started).toBeGreaterThanOrEqual(2000);
    expect(sink.messages).toHaveLength(1);
    const attempts =
      await getSql()`select status_code from relayboard.delivery_attempts where delivery_id = ${outcome.delivery.id} order by attempt`;
    expect(attempts.map((a) => a.status_code)).toEqual([429, 200]);
  });

  it("retries 500s with backoff, then succeeds", async () => {
    const { dest } = await newDestination();
    sink.script([{ status: 500 }, { status: 500 }]);
    const outcome = await deliver({ deliveryKey: "r500", destinationId: dest.id, payload: { text: "hello" }, send: fast });
    expect(outcome.status).toBe("sent");
    expect(sink.messages).toHaveLength(1);
  });

  it("does not retry no_service and flags the destination with Slack's answer", async () => {
    const { dest } = await newDestination();
    sink.script([{ status: 404, body: "no_service" }]);
    const before = sink.requests();
    const outcome = await deliver({ deliveryKey: "r404", destinationId: dest.id, payload: { text: "hello" }, send: fast });
    expect(outcome).toMatchObject({ status: "failed", permanent: true });
    expect(sink.requests() - before).toBe(1);
    const flagged = await getDestinationById(dest.id);
    expect(flagged).toMatchObject({ status: "needs_attention", attentionReason: "Slack answered 404 no_service" });
  });

  it("never posts twice for one delivery key (a retried job after Slack accepted)", async () => {
    const { dest } = await newDestination();
    const first = await deliver({ deliveryKey: "run-123", destinationId: dest.id, payload: { text: "once" } });
    const again = await deliver({ deliveryKey: "run-123", destinationId: dest.id, payload: { text: "once" } });
    expect([first.status, again.status, again.alreadySent]).toEqual(["sent", "sent", true]);
    expect(sink.messages).toHaveLength(1);
  });

  it("sends only when the result changed", async () => {
    const { dest } = await newDestination();
    const send = (key: string, rows: unknown) =>
      deliver({
        deliveryKey: key,
        destinationId: dest.id,
        payload: { text: "report" },
        sourceKey: "pipeline-x:0",
        contentHash: hashContent(rows),
        onlyWhenChanged: true,
      });
    expect((await send("c1", [[1, "a"]])).status).toBe("sent");
    expect((await send("c2", [[1, "a"]])).status).toBe("skipped");
    expect((await send("c3", [[1, "b"]])).status).toBe("sent");
    expect(sink.messages).toHaveLength(2);
  });

  it("sends a test message and shows Slack's answer", async () => {
    const { dest } = await newDestination();
    const outcome = await sendTestMessage(dest.id, "slacker@example.com");
    expect(outcome).toMatchObject({ status: "sent", slackResponse: "ok" });
    expect(JSON.stringify(sink.messages[0]!.body)).toContain("test message");
  });

  it("paces a burst of 20 from 2 worker processes to at most one per second, all arriving once", async () => {
    const { dest, path } = await newDestination();
    const env = cleanEnv({
      DATABASE_URL: process.env.DATABASE_URL,
      DATA_DIR: process.env.DATA_DIR!,
      OUTBOUND_ALLOW_HOSTS: `127.0.0.1:${sink.port}`,
      LOG_LEVEL: "warn",
    });
    const [a, b] = await Promise.all([
      runTs("tests/helpers/deliver-burst.ts", [dest.id, "w1", "10"], env, 90_000),
      runTs("tests/helpers/deliver-burst.ts", [dest.id, "w2", "10"], env, 90_000),
    ]);
    expect(a.stderr + b.stderr).toBe("");
    const received = sink.messages
      .filter((m) => m.path === path)
      .map((m) => m.receivedAt)
      .sort((x, y) => x - y);
    expect(received).toHaveLength(20);
    const texts = new Set(sink.messages.map((m) => (m.body as { text: string }).text));
    expect(texts.size).toBe(20);
    for (let i = 1; i < received.length; i++) {
      // Slots are 1000 ms apart on the database clock; allow for delivery jitter.
      expect(received[i]! - received[i - 1]!).toBeGreaterThanOrEqual(900);
    }
  }, 120_000);
});
