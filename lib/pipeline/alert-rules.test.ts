import { describe, expect, it } from "vitest";
import { compare, decideFiring, describeCondition, normalizeCondition } from "./alert-rules";

describe("decideFiring", () => {
  it("every_run sends whenever the condition holds", () => {
    expect(decideFiring("every_run", true, true).send).toBe("message");
    expect(decideFiring("every_run", false, true).send).toBeNull();
  });

  it("on_change sends only when it becomes true, the first run counting as a change", () => {
    expect(decideFiring("on_change", true, null).send).toBe("message");
    expect(decideFiring("on_change", true, false).send).toBe("message");
    expect(decideFiring("on_change", true, true).send).toBeNull();
    expect(decideFiring("on_change", false, true).send).toBeNull();
  });

  it("on_change_and_recovery also says when it stops holding, never on a first false", () => {
    expect(decideFiring("on_change_and_recovery", false, true).send).toBe("recovery");
    expect(decideFiring("on_change_and_recovery", false, null).send).toBeNull();
    expect(decideFiring("on_change_and_recovery", false, false).send).toBeNull();
  });
});

it("compares at equality as the operator says", () => {
  expect([
    compare(5, ">", 5),
    compare(5, ">=", 5),
    compare(5, "<", 5),
    compare(5, "<=", 5),
    compare(5, "=", 5),
    compare(5, "!=", 5),
  ]).toEqual([false, true, false, true, true, false]);
});

it("reads old and new conditions alike, and says them in words", () => {
  expect(normalizeCondition("has_rows")).toEqual({ kind: "rowCount", op: ">", value: 0 });
  expect(describeCondition("has_rows")).toBe("when the result has rows");
  expect(
    describeCondition({ kind: "percentChange", expression: "sum(revenue)", direction: "down", percent: 20 }, "on_change_and_recovery"),
  ).toBe("when sum(revenue) dropped more than 20 % since the last successful run, once each time it becomes true, and when it recovers");
  expect(describeCondition({ kind: "aggregate", expression: "max(latency_ms)", op: ">=", value: 500, model: "api_calls" })).toBe(
    "when max(latency_ms) of api_calls is at least 500",
  );
});
