import type { TransactionSql } from "postgres";
import type { ModelTest, TestResult } from "@/db/schema/models";
import { quoteIdent } from "@/lib/csv/headers";
import { clipErrorText } from "@/lib/transform/error-text";
import { runUserSql } from "@/lib/transform/sandbox";
import { judgeFailingRows } from "@/lib/transform/test-severity";

export const FAILING_ROW_SAMPLE = 20;

export function testName(test: ModelTest): string {
  switch (test.type) {
    case "not_null":
    case "unique":
      return `${test.type}(${test.column})`;
    case "accepted_values":
      return `accepted_values(${test.column})`;
    case "relationships":
      return `relationships(${test.column} → ${test.to}.${test.field})`;
    case "row_count":
      return `row_count(${test.min ?? "…"}..${test.max ?? "…"})`;
    case "custom_sql":
      return test.name;
  }
}

/** A query that returns the failing rows of one test (none means it passed). */
export function failingRowsSql(model: string, test: ModelTest, compiledCustomSql?: string): { sql: string; params: unknown[] } {
  const t = `warehouse.${quoteIdent(model)}`;
  switch (test.type) {
    case "not_null":
      return { sql: `select * from ${t} where ${quoteIdent(test.column)} is null`, params: [] };
    case "unique": {
      const c = quoteIdent(test.column);
      return { sql: `select ${c}, count(*) as occurrences from ${t} where ${c} is not null group by ${c} having count(*) > 1`, params: [] };
    }
    case "accepted_values": {
      const c = quoteIdent(test.column);
      return { sql: `select * from ${t} where ${c} is not null and not (${c}::text = any($1::text[]))`, params: [test.values] };
    }
    case "relationships": {
      const c = quoteIdent(test.column);
      const parent = `warehouse.${quoteIdent(test.to)}`;
      const f = quoteIdent(test.field);
      return {
        sql: `select child.* from ${t} child where child.${c} is not null and not exists (select 1 from ${parent} parent where parent.${f} = child.${c})`,
        params: [],
      };
    }
    case "row_count": {
      const conditions = [
        test.min !== undefined ? `count(*) < ${Number(test.min)}` : null,
        test.max !== undefined ? `count(*) > ${Number(test.max)}` : null,
      ].filter(Boolean);
      return { sql: `select count(*) as row_count from ${t} having ${conditions.join(" or ") || "false"}`, params: [] };
    }
    case "custom_sql":
      return { sql: compiledCustomSql ?? "select 1 where false", params: [] };
  }
}

function plain(row: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(row).map(([k, v]) => [k, v instanceof Date ? v.toISOString() : typeof v === "bigint" ? String(v) : v]),
  );
}

/** Runs one test (inside a read-only sandbox transaction), counting failures, judging them by the test's severity and thresholds, and keeping a sample. */
export async function runDataTest(tx: TransactionSql, model: string, test: ModelTest, compiledCustomSql?: string): Promise<TestResult> {
  const name = testName(test);
  const { sql, params } = failingRowsSql(model, test, compiledCustomSql);
  const severity = test.severity ?? "error";
  try {
    const [{ n }] = (await tx.savepoint((sp) =>
      runUserSql(
        sp,
        `select count(*)::bigint as n from (
${sql}
) as failing`,
        params,
      ),
    )) as unknown as [{ n: string }];
    const failingRows = Number(n);
    const sample = failingRows
      ? (
          (await runUserSql(
            tx,
            `select * from (
${sql}
) as failing limit ${FAILING_ROW_SAMPLE}`,
            params,
          )) as unknown as Record<string, unknown>[]
        ).map(plain)
      : [];
    return { name, type: test.type, status: judgeFailingRows(test, failingRows), severity, failingRows, sample };
  } catch (err) {
    return {
      name,
      type: test.type,
      status: "error",
      severity,
      failingRows: 0,
      sample: [],
      error: clipErrorText((err as Error).message),
    };
  }
}
