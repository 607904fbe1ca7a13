import { describe, expect, it } from "vitest";
import { buildLineage } from "./graph";

const graph = [
  { name: "sales", dependsOn: [] },
  { name: "stock", dependsOn: [] },
  { name: "by_region", dependsOn: ["sales"] },
  { name: "broken", dependsOn: ["gone"] },
];
const datasets = [
  { id: "ds-sales", name: "sales" },
  { id: "ds-stock", name: "stock" },
];
const destinations = [
  { id: "c-default", name: "general", isDefault: true, isTestChannel: false },
  { id: "c-test", name: "Test channel", isDefault: false, isTestChannel: true },
];
const edges = (l: ReturnType<typeof buildLineage>) => l.edges.map((e) => `${e.from} > ${e.to}`).sort();

describe("buildLineage", () => {
  it("draws datasets into models, with a missing node for a ref to nothing and model build statuses", () => {
    const l = buildLineage({ graph, datasets, statuses: new Map([["by_region", "failed"]]) });
    expect(l.nodes.find((n) => n.id === "model:by_region")).toMatchObject({ href: "/models/by_region", status: "failed" });
    expect(l.nodes.find((n) => n.id === "dataset:sales")).toMatchObject({ kind: "dataset", href: "/datasets/sales" });
    expect(l.nodes.find((n) => n.id === "missing:gone")).toMatchObject({ kind: "missing" });
    expect(l.nodes.find((n) => n.id === "missing:gone")?.href).toBeUndefined();
    expect(edges(l)).toEqual(["dataset:sales > model:by_region", "missing:gone > model:broken"]);
  });

  it("hangs each pipeline off what its messages read and each channel off the pipeline; the default channel for null", () => {
    const l = buildLineage({
      graph,
      datasets,
      statuses: new Map(),
      destinations,
      pipelines: [
        { id: "p1", name: "sales", datasetId: "ds-sales", paused: false, deliveries: [{ destinationId: null, models: ["sales"] }] },
        {
          id: "p2",
          name: "regions",
          datasetId: "ds-sales",
          paused: true,
          deliveries: [
            { destinationId: "c-test", models: ["by_region"] },
            { destinationId: null, models: ["by_region"] },
          ],
        },
      ],
    });
    expect(edges(l)).toEqual([
      "dataset:sales > model:by_region",
      "dataset:sales > pipeline:sales",
      "missing:gone > model:broken",
      // Its own dataset is upstream of what it reads: no second, redundant edge from it.
      "model:by_region > pipeline:regions",
      "pipeline:regions > destination:Test channel",
      "pipeline:regions > destination:general",
      "pipeline:sales > destination:general",
    ]);
    expect(l.nodes.filter((n) => n.kind === "destination")).toHaveLength(2);
    expect(l.nodes.find((n) => n.id === "pipeline:regions")).toMatchObject({ href: "/pipelines/p2", note: "paused" });
    expect(l.nodes.find((n) => n.id === "destination:Test channel")).toMatchObject({ href: "/destinations/c-test", note: "test channel" });
  });

  it("ties a pipeline that reads nothing (or only another dataset's models) to its own dataset, and skips a channel it cannot resolve", () => {
    const l = buildLineage({
      graph,
      datasets,
      statuses: new Map(),
      destinations: [],
      pipelines: [
        { id: "p3", name: "stock watch", datasetId: "ds-stock", paused: false, deliveries: [{ destinationId: null, models: [] }] },
        { id: "p4", name: "cross", datasetId: "ds-stock", paused: false, deliveries: [{ destinationId: "c-gone", models: ["by_region"] }] },
      ],
    });
    expect(edges(l).filter((e) => e.includes("pipeline"))).toEqual([
      "dataset:stock > pipeline:cross",
      "dataset:stock > pipeline:stock watch",
      "model:by_region > pipeline:cross",
    ]);
    expect(l.nodes.some((n) => n.kind === "destination")).toBe(false);
  });
});
