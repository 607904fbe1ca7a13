import { insertAuditEvent } from "@/db/queries/audit";
import { getLogger } from "@/lib/log";

export const AUDIT_ACTIONS = [
  "login.succeeded",
  "login.failed",
  "user.created",
  "user.role_changed",
  "user.deactivated",
  "user.reactivated",
  "token.created",
  "token.revoked",
  "dataset.created",
  "dataset.deleted",
  "dataset.column_type_changed",
  "dataset.read_options_changed",
  "dataset.settings_changed",
  "model.saved",
  "model.restored",
  "model.deleted",
  "destination.created",
  "destination.updated",
  "destination.deleted",
  "pipeline.created",
  "pipeline.updated",
  "pipeline.deleted",
  "pipeline.paused",
  "pipeline.resumed",
  "run.requested",
  "run.cancelled",
  "run.retried",
  "sample_data.started",
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export type AuditActor = { id?: string | null; email?: string | null } | null | undefined;

/**
 * Records who did what. Best effort on purpose: an audit write that fails is logged loudly but
 * does not undo the action the user already completed. Never pass secrets in details.
 */
export async function audit(
  action: AuditAction,
  actor: AuditActor,
  target?: { type: string; id?: string | null; name?: string | null },
  details: Record<string, unknown> = {},
  ip?: string | null,
): Promise<void> {
  try {
    await insertAuditEvent({
      action,
      actorId: actor?.id ?? null,
      actorEmail: actor?.email?.toLowerCase() ?? null,
      targetType: target?.type ?? null,
      targetId: target?.id ?? null,
      targetName: target?.name ?? null,
      details,
      ip: ip ?? null,
    });
  } catch (err) {
    getLogger().error({ err, action }, "audit event not recorded");
  }
}
