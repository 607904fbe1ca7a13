import type { TestConfig, TestResult } from "@/db/schema/models";

/** A comparison on a test's failing-row count, written as dbt writes it: ">10", ">= 1", "!=0", "=0". */
export const THRESHOLD_PATTERN = /^\s*(==|=|!=|<>|>=|<=|>|<)\s*(\d{1,15})\s*$/;

export const DEFAULT_THRESHOLD = "!=0";

type Comparison = (count: number) => boolean;

export function parseThreshold(text: string): Comparison {
  const match = THRESHOLD_PATTERN.exec(text);
  if (!match) throw new Error(`"${text}" is not a threshold: write an operator and a number, e.g. ">10" or "!=0"`);
  const limit = Number(match[2]);
  switch (match[1]) {
    case "=":
    case "==":
      return (n) => n === limit;
    case "!=":
    case "<>":
      return (n) => n !== limit;
    case ">":
      return (n) => n > limit;
    case ">=":
      return (n) => n >= limit;
    case "<":
      return (n) => n < limit;
    default:
      return (n) => n <= limit;
  }
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

/** The config in words for lists and messages ("warn if > 10"), empty for the plain default. */
export function describeTestConfig(config: TestConfig): string {
  const parts: string[] = [];
  if (config.severity === "warn") parts.push("warn only");
  if (config.error_if && config.severity !== "warn") parts.push(`error if ${config.error_if.replace(/\s+/g, " ").trim()}`);
  if (config.warn_if) parts.push(`warn if ${config.warn_if.replace(/\s+/g, " ").trim()}`);
  return parts.join(", ");
}

export type TestCounts = { passed: number; warned: number; failed: number };

/** Tests by outcome; a test whose SQL could not run counts as failed (it blocks delivery). */
export function testCounts(results: readonly Pick<TestResult, "status">[]): TestCounts {
  const counts: TestCounts = { passed: 0, warned: 0, failed: 0 };
  for (const r of results) {
    if (r.status === "passed") counts.passed++;
    else if (r.status === "warned") counts.warned++;
    else counts.failed++;
  }
  return counts;
}
