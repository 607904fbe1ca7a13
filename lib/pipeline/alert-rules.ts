import type { AlertCondition, Comparison, DeliveryCondition, FireMode } from "@/db/schema/pipelines";

// The pure half of delivery conditions (words, comparisons, firing): shared by the worker, the
// pipeline pages and the form in the browser. Evaluation in SQL is in alert-conditions.ts.

/** The saved forms of a condition, old strings included, as one shape. `changed` is left to the content hash. */
export function normalizeCondition(condition: DeliveryCondition | AlertCondition): AlertCondition {
  if (condition === "has_rows") return { kind: "rowCount", op: ">", value: 0 };
  if (condition === "always" || condition === "changed") return { kind: "always" };
  return condition;
}

export function compare(left: number, op: Comparison, right: number): boolean {
  switch (op) {
    case ">":
      return left > right;
    case ">=":
      return left >= right;
    case "<":
      return left < right;
    case "<=":
      return left <= right;
    case "=":
      return left === right;
    case "!=":
      return left !== right;
  }
}

/** Every comparison with its words; its keys are the comparisons a form offers. */
export const OP_WORDS: Record<Comparison, string> = {
  ">": "is more than",
  ">=": "is at least",
  "<": "is less than",
  "<=": "is at most",
  "=": "is",
  "!=": "is not",
};

/** The condition in plain words, for the UI, the API and the messages ("sum(amount) dropped more than 20 %"). */
export function describeCondition(condition: DeliveryCondition | AlertCondition, fire: FireMode = "every_run"): string {
  if (condition === "changed") return "when the result changed since the last message";
  const c = normalizeCondition(condition);
  const of = c.model ? ` of ${c.model}` : "";
  const what = ((): string => {
    switch (c.kind) {
      case "always":
        return "every run";
      case "rowCount":
        if (c.op === ">" && c.value === 0) return `when the result${of} has rows`;
        if (c.op === "=" && c.value === 0) return `when the result${of} is empty`;
        return `when the row count${of} ${OP_WORDS[c.op]} ${c.value}`;
      case "anyRow":
        return `when any row${of} matches ${c.where}`;
      case "allRows":
        return `when every row${of} matches ${c.where}`;
      case "aggregate":
        return `when ${c.expression}${of} ${OP_WORDS[c.op]} ${c.value}`;
      case "percentChange": {
        const verb = c.direction === "down" ? "dropped" : c.direction === "up" ? "rose" : "changed";
        return `when ${c.expression}${of} ${verb} more than ${c.percent} % since the last successful run`;
      }
    }
  })();
  if (c.kind === "always" || fire === "every_run") return what;
  return fire === "on_change" ? `${what}, once each time it becomes true` : `${what}, once each time it becomes true, and when it recovers`;
}

export type FireDecision = { send: "message" | "recovery" | null; why: string };

/** Whether this run sends, given the verdict, the previous run's verdict and the firing mode. */
export function decideFiring(fire: FireMode, holds: boolean, previouslyHeld: boolean | null): FireDecision {
  if (fire === "every_run") return holds ? { send: "message", why: "the condition holds" } : { send: null, why: "the condition is false" };
  if (holds) {
    return previouslyHeld
      ? { send: null, why: "the condition still holds (sent when it became true)" }
      : { send: "message", why: "the condition became true" };
  }
  if (fire === "on_change_and_recovery" && previouslyHeld) return { send: "recovery", why: "the condition no longer holds" };
  return { send: null, why: "the condition is false" };
}
