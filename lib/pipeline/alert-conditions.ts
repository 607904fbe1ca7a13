import type { TransactionSql } from "postgres";
import type { AlertCondition } from "@/db/schema/pipelines";
import { compare } from "@/lib/pipeline/alert-rules";
import { quoteIdent } from "@/lib/csv/headers";
import { UserError } from "@/lib/errors";
import { inSandbox, runUserSql } from "@/lib/transform/sandbox";

export type Evaluation = {
  holds: boolean;
  /** The measured number (row count, aggregate, matching rows): kept for the next run's percent change. */
  value: number | null;
  /** Why it holds or not, in words ("sum(amount) is 120 (> 100)"). */
  reason: string;
};

function asNumber(value: unknown): number | null {
  if (value === null || value === undefined) return null;
  const n = Number(value);
  return Number.isFinite(n) ? n : null;
}

/** Reads one number from the model with user SQL, in the read-only sandbox; a bad expression says so plainly. */
async function measure(tx: TransactionSql, query: string, what: string): Promise<number | null> {
  try {
    const [row] = (await runUserSql(tx, query)) as unknown as [{ v: unknown }];
    return asNumber(row?.v);
  } catch (err) {
    throw new UserError(`The condition's ${what} could not be evaluated: ${(err as Error).message}`, 400);
  }
}

/**
 * Evaluates a condition on a model's result, in SQL on the sandbox role's own read-only
 * connection (the expressions are user SQL). `previous` is the value measured by the last
 * successful run, for a percent change.
 */
export async function evaluateCondition(condition: AlertCondition, model: string | null, previous: number | null): Promise<Evaluation> {
  if (condition.kind === "always") return { holds: true, value: null, reason: "sent on every run" };
  const target = condition.model ?? model;
  if (!target) throw new UserError("The condition needs a model: give the message a table or name the model in the condition", 400);
  const relation = `warehouse.${quoteIdent(target)}`;
  return inSandbox(
    async (tx) => {
      const [exists] = await tx`select to_regclass(${relation}) is not null as ok`;
      const aggregate = (expression: string) => measure(tx, `select (\n${expression}\n)::float8 as v from ${relation}`, "expression");
      if (!exists?.ok) throw new UserError(`The model ${target} has not been built yet`, 409);
      switch (condition.kind) {
        case "rowCount": {
          const n = (await measure(tx, `select count(*)::bigint as v from ${relation}`, "row count")) ?? 0;
          const holds = compare(n, condition.op, condition.value);
          return { holds, value: n, reason: `the result has ${n} ${n === 1 ? "row" : "rows"} (wanted ${condition.op} ${condition.value})` };
        }
        case "anyRow": {
          const n = (await measure(tx, `select count(*)::bigint as v from ${relation} where (\n${condition.where}\n)`, "row filter")) ?? 0;
          return { holds: n > 0, value: n, reason: n > 0 ? `${n} rows match` : "no row matches" };
        }
        case "allRows": {
          const n =
            (await measure(tx, `select count(*)::bigint as v from ${relation} where (\n${condition.where}\n) is not true`, "row filter")) ??
            0;
          return { holds: n === 0, value: n, reason: n === 0 ? "every row matches" : `${n} rows do not match` };
        }
        case "aggregate": {
          const v = await aggregate(condition.expression);
          if (v === null) return { holds: false, value: null, reason: `${condition.expression} is null` };
          const holds = compare(v, condition.op, condition.value);
          return {
            holds,
            value: v,
            reason: `${condition.expression} is ${v} (wanted ${condition.op} ${condition.value})`,
          };
        }
        case "percentChange": {
          const v = await aggregate(condition.expression);
          if (v === null) return { holds: false, value: null, reason: `${condition.expression} is null` };
          if (previous === null)
            return { holds: false, value: v, reason: `${condition.expression} is ${v}; no earlier value to compare with` };
          if (previous === 0) return { holds: false, value: v, reason: `${condition.expression} was 0 last time: no percent change` };
          // Floating point must not decide a boundary: 7 → 8.4 is 20 %, not 20.000000000000004 %.
          const change = Math.round(((v - previous) / Math.abs(previous)) * 100 * 1e9) / 1e9;
          const holds =
            condition.direction === "down"
              ? change < -condition.percent
              : condition.direction === "up"
                ? change > condition.percent
                : Math.abs(change) > condition.percent;
          const rounded = Math.round(change * 10) / 10;
          return {
            holds,
            value: v,
            reason: `${condition.expression} went from ${previous} to ${v} (${rounded > 0 ? "+" : ""}${rounded} %)`,
          };
        }
      }
    },
    { readOnly: true },
  );
}
