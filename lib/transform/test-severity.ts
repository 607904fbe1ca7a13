import type { TestConfig, TestResult } from "@/db/schema/models";
import type { Comparison } from "@/db/schema/pipelines";
import { compare } from "@/lib/pipeline/alert-rules";

/** A comparison on a test's failing-row count, written as dbt writes it: ">10", ">= 1", "!=0", "=0". */
export const THRESHOLD_PATTERN = /^\s*(==|=|!=|<>|>=|<=|>|<)\s*(\d{1,15})\s*$/;

export const DEFAULT_THRESHOLD = "!=0";

/** dbt's spellings that alert conditions write another way. */
const SYNONYMS: Record<string, Comparison> = { "==": "=", "<>": "!=" };

export function parseThreshold(text: string): (count: number) => boolean {
  const match = THRESHOLD_PATTERN.exec(text);
  if (!match) throw new Error(`"${text}" is not a threshold: write an operator and a number, e.g. ">10" or "!=0"`);
  const op = SYNONYMS[match[1]!] ?? (match[1] as Comparison);
  const limit = Number(match[2]);
  return (n) => compare(n, op, limit);
}

/**
 * What a test's failing-row count means, as dbt judges it: an `error` test is failed when the count
 * meets `error_if`, else warned when it meets `warn_if`; a `warn` test is only ever warned.
 */
export function judgeFailingRows(config: TestConfig, failingRows: number): Exclude<TestResult["status"], "error"> {
  const severity = config.severity ?? "error";
  if (severity === "error" && parseThreshold(config.error_if ?? DEFAULT_THRESHOLD)(failingRows)) return "failed";
  if (parseThreshold(config.warn_if ?? DEFAULT_THRESHOLD)(failingRows)) return "warned";
  return "passed";
}

/**
 * Blocks delivery and fails the run: a failed test, or an `error` test whose SQL could not run. A
 * `warn` test that cannot run only warns (tests saved before severities became `warn` and never
 * blocked a delivery, broken or not).
 */
export function isBlockingResult(result: Pick<TestResult, "status" | "severity">): boolean {
  return result.status === "failed" || (result.status === "error" && result.severity !== "warn");
}

export type TestCounts = { passed: number; warned: number; failed: number };

/** Tests by outcome, counted as the run judges them: what blocks delivery is failed, the rest of what did not pass warned. */
export function testCounts(results: readonly Pick<TestResult, "status" | "severity">[]): TestCounts {
  const counts: TestCounts = { passed: 0, warned: 0, failed: 0 };
  for (const r of results) {
    if (r.status === "passed") counts.passed++;
    else if (isBlockingResult(r)) counts.failed++;
    else counts.warned++;
  }
  return counts;
}
