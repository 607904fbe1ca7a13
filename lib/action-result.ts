import { z } from "zod";
import { UserError } from "@/lib/errors";
import { getLogger } from "@/lib/log";

/** The one shape every server action returns. */
export type ActionResult<T = undefined> =
  | { ok: true; data: T }
  | { ok: false; status?: number; formError?: string; fieldErrors?: Record<string, string[]> };

export const initialActionState: ActionResult<never> = { ok: false };

export function toFieldErrors(error: z.ZodError): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const issue of error.issues) {
    const key = issue.path.join(".") || "_form";
    (out[key] ??= []).push(issue.message);
  }
  return out;
}

/**
 * Runs an action body and maps failures to the result shape: UserErrors (and zod errors) are shown,
 * anything else is logged with context and answered with a generic message.
 */
export async function runAction<T>(name: string, body: () => Promise<T>): Promise<ActionResult<T>> {
  try {
    return { ok: true, data: await body() };
  } catch (err) {
    if (err instanceof UserError) {
      return { ok: false, status: err.status, formError: err.message, fieldErrors: err.fieldErrors };
    }
    if (err instanceof z.ZodError) {
      return { ok: false, status: 400, formError: "Please correct the highlighted fields", fieldErrors: toFieldErrors(err) };
    }
    // Next's redirect()/notFound() work by throwing; let them through.
    if (err && typeof err === "object" && "digest" in err && String((err as { digest: unknown }).digest).startsWith("NEXT_")) {
      throw err;
    }
    getLogger().error({ err, action: name }, "server action failed");
    return { ok: false, status: 500, formError: "Something went wrong on our side. The error was logged; please try again." };
  }
}
