import { classify, isNextControlFlow, zodFieldErrors, type FieldErrors } from "@/lib/errors";
import { getLogger } from "@/lib/log";

/** The one shape every server action returns. */
export type ActionResult<T = undefined> =
  { ok: true; data: T } | { ok: false; status?: number; formError?: string; fieldErrors?: FieldErrors };

export const initialActionState: ActionResult<never> = { ok: false };

/** zod issues as an action's fieldErrors (the same mapping as every other answer). */
export const toFieldErrors = zodFieldErrors;

/**
 * A failure as an action's answer, from classify(): user errors and validation are shown as they
 * are; anything else is logged with context and answered with a generic message.
 */
export function actionFailure(
  err: unknown,
  context: { action: string } & Record<string, unknown>,
): { ok: false; status: number; formError: string; fieldErrors?: FieldErrors } {
  const c = classify(err);
  if (c.kind === "internal") getLogger().error({ err, ...context }, "server action failed");
  return { ok: false, status: c.status, formError: c.message, ...(c.fieldErrors ? { fieldErrors: c.fieldErrors } : {}) };
}

/** Runs an action body and maps failures to the result shape (see actionFailure). */
export async function runAction<T>(name: string, body: () => Promise<T>): Promise<ActionResult<T>> {
  try {
    return { ok: true, data: await body() };
  } catch (err) {
    if (isNextControlFlow(err)) throw err;
    return actionFailure(err, { action: name });
  }
}
