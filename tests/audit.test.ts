import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeDb, getSql } from "@/db";
import { getEnv, resetEnvForTests } from "@/lib/env";
import { stampPeer } from "@/lib/auth/client-address";
import { changeUserRole, createUser, setUserActive } from "@/lib/auth/users";
import { createApiToken, revokeToken } from "@/lib/api/tokens";
import { getAuthOptions } from "@/lib/auth/options";
import { registerUrlDataset } from "@/lib/ingest/register";
import { removeDataset } from "@/lib/ingest/manage";
import { createPipeline, editPipeline, setPipelinePaused } from "@/lib/pipeline/pipelines";
import { cancelRun, requestRun } from "@/lib/pipeline/runs";
import { createDestination, editDestination, removeDestination } from "@/lib/slack/destinations";
import { removeModel, restoreModelRevision, saveModel } from "@/lib/transform/models";
import { startCsvHost } from "./helpers/csv-host";

let host: Awaited<ReturnType<typeof startCsvHost>>;

beforeAll(async () => {
  host = await startCsvHost();
  process.env.OUTBOUND_ALLOW_HOSTS = `127.0.0.1:${host.port}`;
  resetEnvForTests();
});

afterAll(async () => {
  await host.close();
  await closeDb();
});

async function events() {
  return getSql()`select action, actor_id, actor_email, target_type, target_name, details, ip from relayboard.audit_events order by id`;
}

describe("audit log", () => {
  it("records every listed event, and cannot be edited", async () => {
    const admin = await createUser({ email: "auditor@example.com", password: "long enough pw", role: "admin" });
    const actor = { id: admin.id, email: admin.email };
    const bob = await createUser({ email: "bob@example.com", password: "long enough pw", role: "viewer" }, actor);
    await changeUserRole(bob.id, "editor", actor);
    await setUserActive(admin.id, bob.id, false);
    await setUserActive(admin.id, bob.id, true);

    // Sign-ins go through the credentials provider's authorize().
    const provider = getAuthOptions().providers[0] as unknown as { options: { authorize: (c: unknown, r: unknown) => Promise<unknown> } };
    // The launcher's web server stamps the connection's peer; X-Forwarded-For alone is not believed.
    const req = { headers: {} as Record<string, string | string[] | undefined> };
    stampPeer(req.headers, "203.0.113.5", getEnv().authSecret);
    expect(await provider.options.authorize({ email: "bob@example.com", password: "wrong password!" }, req)).toBeNull();
    expect(await provider.options.authorize({ email: "bob@example.com", password: "long enough pw" }, req)).toBeTruthy();

    const token = await createApiToken(admin, { name: "audit-token", role: "viewer" });
    await revokeToken(token.id, admin.id, actor);

    host.files.set("/audited.csv", { body: "a,b\n1,2\n" });
    const { dataset, run } = await registerUrlDataset({ name: "audited", csvUrl: host.url("/audited.csv") }, actor);
    await cancelRun(run.id, actor);
    const second = await requestRun(run.pipelineId, { trigger: "manual", actor });
    await cancelRun(second.id, actor);

    await saveModel({ name: "audited_model", sql: "select 1 as one" }, actor);
    await saveModel({ name: "audited_model", sql: "select 2 as two" }, actor);
    await restoreModelRevision("audited_model", 1, actor);
    await removeModel("audited_model", actor);

    const dest = await createDestination({ webhookUrl: "https://hooks.slack.com/services/T0/B0/auditSecret" }, actor);
    await editDestination({ id: dest.id, name: "renamed", webhookUrl: "https://hooks.slack.com/services/T0/B0/otherSecret" }, actor);
    await removeDestination(dest.id, actor);

    const pipeline = await createPipeline({ name: "audited pipeline", datasetId: dataset.id }, actor);
    await editPipeline({ id: pipeline.id, scheduleCron: "0 6 * * *" }, actor);
    await setPipelinePaused(pipeline.id, true, actor);
    await setPipelinePaused(pipeline.id, false, actor);
    // No worker runs in this test, so nothing finishes the cancelled runs' loads; a worker would.
    await getSql()`update relayboard.dataset_loads set status = 'cancelled' where dataset_id = ${dataset.id}`;
    await removeDataset(dataset.id, actor);

    const rows = await events();
    const actions = rows.map((r) => r.action);
    for (const expected of [
      "user.created",
      "user.role_changed",
      "user.deactivated",
      "user.reactivated",
      "login.failed",
      "login.succeeded",
      "token.created",
      "token.revoked",
      "dataset.created",
      "run.requested",
      "run.cancelled",
      "model.saved",
      "model.restored",
      "model.deleted",
      "destination.created",
      "destination.updated",
      "destination.deleted",
      "pipeline.created",
      "pipeline.updated",
      "pipeline.paused",
      "pipeline.resumed",
      "dataset.deleted",
    ]) {
      expect(actions, expected).toContain(expected);
    }
    const failed = rows.find((r) => r.action === "login.failed")!;
    expect(failed).toMatchObject({ actor_email: "bob@example.com", ip: "203.0.113.5" });
    const role = rows.find((r) => r.action === "user.role_changed")!;
    expect(role).toMatchObject({ actor_id: admin.id, target_name: "bob@example.com", details: { role: "editor" } });
    // Secrets never reach the log.
    expect(JSON.stringify(rows)).not.toMatch(/auditSecret|otherSecret|wrong password|long enough pw|rb_/);

    await expect(getSql()`update relayboard.audit_events set action = 'x'`).rejects.toThrow(/cannot be changed/);
    await expect(getSql()`delete from relayboard.audit_events`).rejects.toThrow(/cannot be changed/);
  });
});
