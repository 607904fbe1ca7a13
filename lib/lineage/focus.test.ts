import { describe, expect, it } from "vitest";
import { buildLineage, type Lineage } from "./graph";
import { lineageView, neighbourhood, parseDepth, parseFocus, pathThrough, searchLineage } from "./focus";

/**
 * raw → m1 → m2 → m3 → m4, m2 also read by side; a pipeline delivers m4 to #alerts.
 * other_raw → other_model stands apart.
 */
function chain(): Lineage {
  return buildLineage({
    graph: [
      { name: "raw", dependsOn: [] },
      { name: "other_raw", dependsOn: [] },
      { name: "m1", dependsOn: ["raw"] },
      { name: "m2", dependsOn: ["m1"] },
      { name: "m3", dependsOn: ["m2"] },
      { name: "m4", dependsOn: ["m3"] },
      { name: "side", dependsOn: ["m2"] },
      { name: "other_model", dependsOn: ["other_raw"] },
    ],
    datasets: [
      { id: "d1", name: "raw" },
      { id: "d2", name: "other_raw" },
    ],
    statuses: new Map(),
    pipelines: [{ id: "p1", name: "daily", datasetId: "d1", paused: false, deliveries: [{ destinationId: "c1", models: ["m4"] }] }],
    destinations: [{ id: "c1", name: "alerts", isDefault: false, isTestChannel: false }],
  });
}

const ids = (m: Map<string, unknown> | Set<string>) => [...m.keys()].sort();

describe("parseFocus / parseDepth", () => {
  it("takes <kind>:<name> with a known kind, names may hold colons", () => {
    expect(parseFocus("model:m2")).toBe("model:m2");
    expect(parseFocus("destination:team:alerts")).toBe("destination:team:alerts");
    expect(parseFocus(["pipeline:daily", "model:x"])).toBe("pipeline:daily");
    for (const bad of ["m2", "table:m2", "model:", ":m2", "", undefined, null]) expect(parseFocus(bad)).toBeNull();
  });

  it("takes 1 and more, or all; anything else is the default of 2", () => {
    expect(parseDepth("3")).toBe(3);
    expect(parseDepth("all")).toBe("all");
    expect(parseDepth("500")).toBe(50);
    for (const bad of ["0", "-1", "1.5", "x", undefined]) expect(parseDepth(bad)).toBe(2);
  });
});

describe("neighbourhood", () => {
  it("keeps n levels up and down of the focus, with signed levels, and not siblings' branches beyond", () => {
    const levels = neighbourhood(chain(), "model:m2", 1);
    expect(Object.fromEntries(levels)).toEqual({ "model:m2": 0, "model:m1": -1, "model:m3": 1, "model:side": 1 });
    const two = neighbourhood(chain(), "model:m2", 2);
    expect(ids(two)).toEqual(["dataset:raw", "model:m1", "model:m2", "model:m3", "model:m4", "model:side"]);
    expect(two.has("pipeline:daily")).toBe(false);
  });

  it("reaches the pipeline and its channel as the end nodes downstream", () => {
    const levels = neighbourhood(chain(), "model:m3", 3);
    expect(levels.get("pipeline:daily")).toBe(2);
    expect(levels.get("destination:alerts")).toBe(3);
    expect(levels.has("model:other_model")).toBe(false);
  });

  it("all follows every connected node and still leaves the unrelated part out", () => {
    const levels = neighbourhood(chain(), "destination:alerts", "all");
    expect(levels.get("dataset:raw")).toBe(-6);
    expect(levels.has("dataset:other_raw")).toBe(false);
  });

  it("without a focus, or with one not in the graph, shows everything", () => {
    expect(neighbourhood(chain(), null, 1).size).toBe(chain().nodes.length);
    expect(neighbourhood(chain(), "model:gone", 1).size).toBe(chain().nodes.length);
  });
});

describe("pathThrough", () => {
  it("is everything upstream and downstream of a node, not its siblings", () => {
    expect(ids(pathThrough(chain(), "model:m3"))).toEqual([
      "dataset:raw",
      "destination:alerts",
      "model:m1",
      "model:m2",
      "model:m3",
      "model:m4",
      "pipeline:daily",
    ]);
  });
});

describe("searchLineage", () => {
  const nodes = buildLineage({
    graph: ["orders", "orders_by_day", "daily_orders", "reorders", "customers"].map((name) => ({ name, dependsOn: [] })),
    datasets: [],
    statuses: new Map(),
  }).nodes;

  it("ranks exact, then prefix, then word prefix, then substring; case does not matter", () => {
    expect(searchLineage(nodes, "ORDERS").map((n) => n.name)).toEqual(["orders", "orders_by_day", "daily_orders", "reorders"]);
  });

  it("finds nothing for blank or unmatched text, and honours the limit", () => {
    expect(searchLineage(nodes, "  ")).toEqual([]);
    expect(searchLineage(nodes, "zzz")).toEqual([]);
    expect(searchLineage(nodes, "o", 2)).toHaveLength(2);
  });
});

describe("lineageView", () => {
  it("hides what is out of reach, counts it, and flags boundary nodes that have more beyond", () => {
    const view = lineageView(chain(), { focus: "model:m2", depth: 1 });
    expect(view.focus).toBe("model:m2");
    expect(view.nodes.map((n) => n.name).sort()).toEqual(["m1", "m2", "m3", "side"]);
    expect(view.hiddenCount).toBe(chain().nodes.length - 4);
    expect(view.state.get("model:m1")).toMatchObject({ hiddenUp: 1, hiddenDown: 0, level: -1 });
    expect(view.state.get("model:m3")).toMatchObject({ hiddenUp: 0, hiddenDown: 1 });
    expect(view.edges.map((e) => `${e.from}>${e.to}`).sort()).toEqual(["model:m1>model:m2", "model:m2>model:m3", "model:m2>model:side"]);
  });

  it("selecting dims what is off the selected node's path, within what is shown", () => {
    const view = lineageView(chain(), { focus: "model:m2", depth: 2, selected: "model:side" });
    const dimmed = view.nodes.filter((n) => view.state.get(n.id)!.dimmed).map((n) => n.name);
    expect(dimmed.sort()).toEqual(["m3", "m4"]);
    expect(view.state.get("model:side")).toMatchObject({ selected: true, onPath: true, dimmed: false });
    expect(view.edges.find((e) => e.to === "model:m3")).toMatchObject({ dimmed: true, onPath: false });
    expect(view.edges.find((e) => e.to === "model:side")).toMatchObject({ dimmed: false, onPath: true });
  });

  it("a search being typed dims the shown nodes it does not match", () => {
    const view = lineageView(chain(), { focus: null, depth: 2, query: "m" });
    const undimmed = view.nodes.filter((n) => !view.state.get(n.id)!.dimmed).map((n) => n.name);
    expect(undimmed.sort()).toEqual(["m1", "m2", "m3", "m4", "other_model"]);
  });

  it("a selection outside what is shown is ignored", () => {
    const view = lineageView(chain(), { focus: "model:m2", depth: 1, selected: "destination:alerts" });
    expect([...view.state.values()].some((s) => s.dimmed || s.selected)).toBe(false);
  });
});
