import { describeBuildError } from "@/lib/transform/build";
import { inSandbox } from "@/lib/transform/sandbox";

/**
 * Compile-time check of a model's compiled SQL against the real catalog: PostgreSQL parses and
 * analyses the statement (Parse + Describe of the extended protocol, no Bind, no Execute), so every
 * column, relation, function and type the query names is resolved by the server itself, and
 * nothing runs — not even the planner's constant folding. It happens on the sandbox's own login,
 * in a read-only transaction with the sandbox's timeouts, never on the app's connection.
 */
export type PlanProblem = { message: string; detail?: string; offset?: number };

export type PlanCheck =
  | { ok: true; columns: { name: string; typeOid: number }[] }
  | { ok: false; problem: PlanProblem }
  /** A relation it reads has not been built yet: the columns could not be checked. */
  | { ok: "unchecked"; missing: string };

/** `relation "warehouse.x" does not exist` → "x" when x is one of the names the model refs. */
function unbuiltRef(message: string, reads: readonly string[]): string | null {
  const name = /relation "(?:warehouse\.|staging\.)?([^"]+)" does not exist/.exec(message)?.[1];
  return name && reads.includes(name) ? name : null;
}

/**
 * Asks the sandbox to analyse `sql` without running it. `reads` are the models and datasets it
 * refs (and the model itself, for {{ this }}): one of those not built yet is "unchecked", not an error.
 */
export async function checkPlan(sql: string, reads: readonly string[], opts: { timeoutMs?: number } = {}): Promise<PlanCheck> {
  try {
    const statement = await inSandbox(
      // prepare: false keeps it the unnamed statement; describe() sends Parse + Describe + Sync only.
      (tx) => tx.unsafe(sql, [], { prepare: false }).describe(),
      { readOnly: true, timeoutMs: opts.timeoutMs },
    );
    return { ok: true, columns: (statement.columns ?? []).map((c) => ({ name: c.name, typeOid: c.type })) };
  } catch (err) {
    const pg = err as { code?: unknown; message?: string; position?: string };
    if (typeof pg?.code !== "string" || !/^[0-9A-Z]{5}$/.test(pg.code)) throw err;
    if (pg.code === "42P01") {
      const missing = unbuiltRef(pg.message ?? "", reads);
      if (missing) return { ok: "unchecked", missing };
    }
    const described = describeBuildError(err);
    // Postgres counts characters from 1; offsets here count from 0.
    const position = Number(pg.position);
    return {
      ok: false,
      problem: { message: described.message, detail: described.detail, offset: position > 0 ? position - 1 : undefined },
    };
  }
}
