import { describe, expect, it } from "vitest";
import { modelTestInput } from "@/lib/validation/models";
import { isBlockingResult, judgeFailingRows, parseThreshold, testCounts } from "./test-severity";

describe("parseThreshold", () => {
  it.each([
    [">10", 10, false],
    [">10", 11, true],
    [">=10", 10, true],
    [">=10", 9, false],
    ["<3", 2, true],
    ["<=3", 3, true],
    ["=0", 0, true],
    ["==0", 1, false],
    ["!=0", 0, false],
    ["<>0", 4, true],
    ["  >  5 ", 6, true],
  ])("%s on %i failing rows is %s", (text, count, expected) => {
    expect(parseThreshold(text)(count)).toBe(expected);
  });

  it("refuses text that is not an operator and a number", () => {
    for (const text of ["10", "> ten", ">-1", "=> 3", "", ">1; drop table x"])
      expect(() => parseThreshold(text)).toThrow(/not a threshold/);
  });
});

describe("judgeFailingRows", () => {
  it("is dbt's order: error_if first for an error test, then warn_if", () => {
    expect(judgeFailingRows({}, 0)).toBe("passed");
    expect(judgeFailingRows({}, 1)).toBe("failed");
    expect(judgeFailingRows({ severity: "error", error_if: ">5" }, 5)).toBe("warned");
    expect(judgeFailingRows({ severity: "error", error_if: ">5" }, 6)).toBe("failed");
    expect(judgeFailingRows({ error_if: ">5", warn_if: ">2" }, 2)).toBe("passed");
    expect(judgeFailingRows({ error_if: ">5", warn_if: ">2" }, 3)).toBe("warned");
  });

  it("never fails a warn test, whatever error_if says", () => {
    expect(judgeFailingRows({ severity: "warn" }, 1000)).toBe("warned");
    expect(judgeFailingRows({ severity: "warn", error_if: ">0" }, 1000)).toBe("warned");
    expect(judgeFailingRows({ severity: "warn", warn_if: ">10" }, 10)).toBe("passed");
  });
});

describe("test config input", () => {
  it("takes severity and thresholds on every test type, normalising spaces", () => {
    const parsed = modelTestInput.parse({ type: "row_count", min: 1, severity: "warn", warn_if: " >= 1 " });
    expect(parsed).toEqual({ type: "row_count", min: 1, severity: "warn", warn_if: ">=1" });
    expect(modelTestInput.parse({ type: "unique", column: "id", error_if: "!=0" })).toMatchObject({ error_if: "!=0" });
  });

  it("refuses an unknown severity or a threshold that is not one", () => {
    expect(modelTestInput.safeParse({ type: "not_null", column: "id", severity: "info" }).success).toBe(false);
    const bad = modelTestInput.safeParse({ type: "not_null", column: "id", warn_if: "more than 3" });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]).toMatchObject({ path: ["warn_if"], message: expect.stringMatching(/operator and a number/) });
  });
});

it("counts tests by outcome, an erroring test as failed", () => {
  expect(testCounts([{ status: "passed" }, { status: "warned" }, { status: "failed" }, { status: "error" }])).toEqual({
    passed: 1,
    warned: 1,
    failed: 2,
  });
});

it("blocks on a failed test and on an error test that could not run, never on a warn test", () => {
  expect(isBlockingResult({ status: "failed", severity: "error" })).toBe(true);
  expect(isBlockingResult({ status: "error", severity: "error" })).toBe(true);
  expect(isBlockingResult({ status: "error" })).toBe(true);
  expect(isBlockingResult({ status: "error", severity: "warn" })).toBe(false);
  expect(isBlockingResult({ status: "warned", severity: "error" })).toBe(false);
});
