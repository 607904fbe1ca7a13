import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getSql } from "@/db";
import { getRunById } from "@/db/queries/pipelines";
import type { PipelineDelivery } from "@/db/schema/pipelines";
import { createUser } from "@/lib/auth/users";
import { registerUrlDataset } from "@/lib/ingest/register";
import { createPipeline, editPipeline, removePipeline } from "@/lib/pipeline/pipelines";
import { requestRun } from "@/lib/pipeline/runs";
import { createDestination } from "@/lib/slack/destinations";
import { waitFor } from "./helpers/processes";
import { runEnded } from "./helpers/run-state";
import { startRunStandIns, type RunStandIns } from "./helpers/run-stand-ins";

/** "What changed" deliveries through real runs: a worker, Postgres, the CSV host and the Slack stand-in. */
let host: RunStandIns["host"];
let sink: RunStandIns["sink"];
let actor: Awaited<ReturnType<typeof createUser>>;
let destinationId: string;
let standIns: RunStandIns;

beforeAll(async () => {
  standIns = await startRunStandIns();
  ({ host, sink } = standIns);
  actor = await createUser({ email: "differ@example.com", password: "long enough pw", role: "editor" });
  destinationId = (await createDestination({ webhookUrl: sink.webhookUrl("/services/T7/B7/digest"), name: "digest sink" }, actor)).id;
}, 120_000);

afterAll(async () => {
  await standIns.close();
}, 60_000);

async function run(pipelineId: string) {
  const { id } = await requestRun(pipelineId, { trigger: "manual", actor, force: true });
  return runEnded(id, 90_000);
}

const messagesOf = (runId: string) => sink.messages.filter((m) => JSON.stringify(m.body).includes(runId));
const textOf = (message: { body: unknown }) =>
  ((message.body as { blocks: { text?: { text: string }; elements?: { text: string }[] }[] }).blocks ?? [])
    .map((b) => b.text?.text ?? b.elements?.map((e) => e.text).join(" ") ?? "")
    .join("\n");

type Row = { id: number; label: string; amount: string };
const toCsv = (rows: Row[]) => ["id,label,amount", ...rows.map((r) => `${r.id},${r.label},${r.amount}`)].join("\n") + "\n";

function digestDelivery(model: string, digest: PipelineDelivery["digest"], text = "Orders changed"): PipelineDelivery {
  return { destinationId, condition: "always", template: { header: "{{pipeline.name}}", text, table: { model } }, digest };
}

describe("what changed digests", () => {
  it("a 100,000-row result: baseline first, then one message with 10 added, 7 changed and 3 removed, then nothing", async () => {
    const rows: Row[] = Array.from({ length: 100_000 }, (_, i) => ({
      id: i + 1,
      label: `item-${i + 1}`,
      amount: ((i % 997) * 1.5).toFixed(2),
    }));
    host.files.set("/d_big.csv", { body: toCsv(rows) });
    const { run: load, dataset } = await registerUrlDataset({ name: "d_big", csvUrl: host.url("/d_big.csv") }, actor);
    expect(
      (await waitFor(async () => ((await getRunById(load.id))?.status === "succeeded" ? true : null), 120_000, "first load")) ?? false,
    ).toBe(true);
    const pipeline = await createPipeline(
      {
        name: "d_big changes",
        datasetId: dataset.id,
        deliveries: [digestDelivery("d_big", { key: ["id"], mode: "digest", baselineMessage: true }, "{{digest.added}} new orders")],
      },
      actor,
    );

    const baseline = await run(pipeline.id);
    expect(baseline.outcome).toBe("succeeded");
    const [note, ...others] = messagesOf(baseline.id);
    expect(others).toHaveLength(0);
    expect(textOf(note!)).toMatch(/Baseline taken: 100,000 rows of `d_big` by id/);

    // 3 removed (ids 1-3), 7 changed (labels of ids 50..56), 10 added (ids 100001-100010).
    const next = rows.slice(3).map((r) => (r.id >= 50 && r.id < 57 ? { ...r, label: `renamed-${r.id}` } : r));
    for (let i = 1; i <= 10; i++) next.push({ id: 100_000 + i, label: `new-${i}`, amount: "9.99" });
    host.files.set("/d_big.csv", { body: toCsv(next) });
    const changed = await run(pipeline.id);
    expect(changed.status).toBe("succeeded");
    const messages = messagesOf(changed.id);
    expect(messages).toHaveLength(1);
    const text = textOf(messages[0]!);
    expect(text).toContain("10 new orders");
    expect(text).toContain("What changed in d_big:* 10 added · 7 changed · 3 removed");
    for (let i = 1; i <= 10; i++) expect(text).toContain(`new-${i}`);
    for (let id = 50; id < 57; id++) expect(text).toContain(`id ${id}: label: item-${id} → renamed-${id}`);
    const removed = text.slice(text.indexOf("*Removed* (3)"));
    expect(removed).toMatch(/^\*Removed\* \(3\)\n```\nid\s+label\s+amount\n/);
    for (let id = 1; id <= 3; id++) expect(removed).toMatch(new RegExp(`\\n\\s*${id}\\s+item-${id}\\s`));
    const [digest] = await getSql()`select status, counts from relayboard.delivery_digests where run_id = ${changed.id}`;
    expect(digest).toMatchObject({ status: "delivered", counts: { added: 10, changed: 7, removed: 3, rows: 100_007 } });

    const again = await run(pipeline.id);
    expect(messagesOf(again.id)).toHaveLength(0);
    expect(again.outcome).toBe("succeeded_with_warnings");
    expect(again.warnings).toEqual(["No message was sent: message 1: nothing changed since the last delivered result"]);
  }, 240_000);

  it("per row up to a cap, then one message with the rest; a new key starts a new baseline; a refused post loses nothing", async () => {
    const rows: Row[] = Array.from({ length: 20 }, (_, i) => ({ id: i + 1, label: `r-${i + 1}`, amount: "1.00" }));
    host.files.set("/d_rows.csv", { body: toCsv(rows) });
    const { run: load, dataset } = await registerUrlDataset({ name: "d_rows", csvUrl: host.url("/d_rows.csv") }, actor);
    await waitFor(async () => ((await getRunById(load.id))?.status === "succeeded" ? true : null), 60_000, "first load");
    const perRow = digestDelivery("d_rows", { key: ["id"], mode: "per_row", maxRows: 2 }, "Row news");
    const pipeline = await createPipeline({ name: "d_rows changes", datasetId: dataset.id, deliveries: [perRow] }, actor);
    const baseline = await run(pipeline.id);
    expect(messagesOf(baseline.id)).toHaveLength(0);
    expect(baseline.warnings).toEqual([expect.stringMatching(/message 1: baseline taken \(20 rows\)/)]);

    host.files.set("/d_rows.csv", {
      body: toCsv([...rows.slice(1), { id: 21, label: "r-21", amount: "2.00" }, { id: 22, label: "r-22", amount: "2.00" }]),
    });
    const three = await run(pipeline.id);
    const texts = messagesOf(three.id).map(textOf);
    expect(texts).toHaveLength(3);
    expect(texts[0]).toMatch(/\*Added\* id 21/);
    expect(texts[1]).toMatch(/\*Added\* id 22/);
    expect(texts[2]).toMatch(/…and 1 more change in d_rows \(2 added · 0 changed · 1 removed in all\)/);

    // Slack refuses the next message: the run says so, the snapshot stays, the change comes again.
    host.files.set("/d_rows.csv", { body: toCsv([...rows.slice(1), { id: 22, label: "r-22 fixed", amount: "2.00" }]) });
    sink.script([{ status: 400, body: "invalid_blocks" }]);
    const refused = await run(pipeline.id);
    expect(refused.outcome).toBe("succeeded_with_warnings");
    expect(refused.warnings).toEqual([expect.stringMatching(/^Message 1 \(what changed\) to digest sink was refused: .*invalid_blocks/)]);
    expect(messagesOf(refused.id)).toHaveLength(0);
    const retried = await run(pipeline.id);
    expect(retried.status).toBe("succeeded");
    // Added, changed, removed: in that order.
    expect(messagesOf(retried.id).map(textOf)).toEqual([
      expect.stringMatching(/\*Changed\* id 22: label: r-22 → r-22 fixed/),
      expect.stringMatching(/\*Removed\* id 21/),
    ]);
    const [abandoned] = await getSql()`select status from relayboard.delivery_digests where run_id = ${refused.id}`;
    expect(abandoned?.status).toBe("abandoned");

    // Another key is another snapshot: a fresh baseline, nothing sent.
    await editPipeline({ id: pipeline.id, deliveries: [{ ...perRow, digest: { key: ["id", "label"], mode: "per_row", maxRows: 2 } }] });
    const rekeyed = await run(pipeline.id);
    expect(messagesOf(rekeyed.id)).toHaveLength(0);
    expect(rekeyed.warnings.join()).toMatch(/baseline taken \(20 rows\)/);

    const snapshots = async () =>
      (
        await getSql()`select tablename from pg_tables where schemaname = 'warehouse' and tablename like ${`\\_rb\\_digest\\_${pipeline.id.replace(/-/g, "")}%`}`
      ).map((t) => t.tablename as string);
    expect(await snapshots()).toEqual([expect.stringMatching(/_0$/)]);
    // A message that stops being "what changed" takes its snapshot with it.
    await editPipeline({ id: pipeline.id, deliveries: [{ ...perRow, digest: null }] });
    expect(await snapshots()).toEqual([]);
    await editPipeline({ id: pipeline.id, deliveries: [perRow] });
    await run(pipeline.id);
    expect(await snapshots()).toHaveLength(1);
    await removePipeline(pipeline.id, actor);
    expect(await snapshots()).toEqual([]);
  }, 240_000);

  it("a key that is not unique or not a column fails the delivery, saying which", async () => {
    host.files.set("/d_dupes.csv", { body: "id,label\n1,a\n1,b\n2,c\n" });
    const { run: load, dataset } = await registerUrlDataset({ name: "d_dupes", csvUrl: host.url("/d_dupes.csv") }, actor);
    await waitFor(async () => ((await getRunById(load.id))?.status === "succeeded" ? true : null), 60_000, "first load");
    const pipeline = await createPipeline(
      { name: "d_dupes changes", datasetId: dataset.id, deliveries: [digestDelivery("d_dupes", { key: ["id"], mode: "digest" })] },
      actor,
    );
    const dupes = await run(pipeline.id);
    expect(dupes.status).toBe("failed");
    expect(dupes.error?.message).toMatch(/The digest key \(id\) is not unique in d_dupes: \[1\] appears 2 times/);
    await editPipeline({ id: pipeline.id, deliveries: [digestDelivery("d_dupes", { key: ["order_id"], mode: "digest" })] });
    const missing = await run(pipeline.id);
    expect(missing.error?.message).toMatch(/The digest's column order_id is not in d_dupes/);
  }, 120_000);
});
