import { expect, test } from "@playwright/test";
import { ADMIN, CSV_HOST, runAdmin, sinkMessages, SLACK_SINK } from "./helpers";

/** The product brief's flow through the REST API alone, against the running app and worker. */
test("token from the CLI → register CSV → Slack destination → run → rows → message", async ({ request }) => {
  test.setTimeout(120_000);
  const out = runAdmin(["token", "create", "--email", ADMIN.email, "--name", "e2e-script", "--role", "editor"]);
  const token = out.trim().split("\n").at(-1)!;
  expect(token).toMatch(/^rb_/);
  const headers = { authorization: `Bearer ${token}` };

  const created = await request.post("/v1/datasets/csv", { headers, data: { name: "api_flow_sales", csvUrl: `${CSV_HOST}/sales.csv` } });
  expect(created.status()).toBe(201);
  const { dataset } = await created.json();
  expect(dataset.latestRunId).toBeTruthy();

  const destination = await request.post("/v1/destinations/slack", {
    headers,
    data: { webhookUrl: `${SLACK_SINK}/services/TE2E/BE2E/apiflowsecret`, name: "e2e api flow", default: true },
  });
  expect(destination.status()).toBe(201);
  expect(JSON.stringify(await destination.json())).not.toContain("apiflowsecret");

  // Wait for the first run (started by registration), then run the pipeline through the API.
  const poll = async (id: string) => {
    for (let i = 0; i < 120; i++) {
      const { run } = await (await request.get(`/v1/runs/${id}`, { headers })).json();
      if (["succeeded", "failed", "cancelled"].includes(run.status)) return run;
      await new Promise((r) => setTimeout(r, 500));
    }
    throw new Error("run did not finish in 60 s");
  };
  await poll(dataset.latestRunId);
  const started = await request.post("/v1/pipelines/run", { headers, data: { datasetName: "api_flow_sales", force: true } });
  expect(started.status()).toBe(202);
  const { run } = await started.json();
  const finished = await poll(run.id);
  expect(finished.status).toBe("succeeded");
  expect(finished.steps.map((s: { name: string; status: string }) => `${s.name}:${s.status}`)).toEqual([
    "fetch:succeeded",
    "load:succeeded",
    "transform:succeeded",
    "test:succeeded",
    "deliver:succeeded",
  ]);

  const rows = await (await request.get("/v1/datasets/api_flow_sales/rows?limit=5", { headers })).json();
  expect(rows.total).toBe(60);
  expect(rows.columns).toEqual(["order_id", "region", "amount", "ordered_on", "paid"]);
  expect(rows.rows).toHaveLength(5);

  const messages = (await sinkMessages()).filter((m) => JSON.stringify(m.body).includes(run.id));
  expect(messages).toHaveLength(1);
  expect(messages[0]!.path).toBe("/services/TE2E/BE2E/apiflowsecret");
});
