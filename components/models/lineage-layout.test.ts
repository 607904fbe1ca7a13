import { describe, expect, it } from "vitest";
import { initialViewport, NODE_HEIGHT, NODE_WIDTH, READABLE_ZOOM } from "./lineage-layout";

const row = (n: number) => Array.from({ length: n }, (_, i) => ({ id: `model:m${i}`, position: { x: i * (NODE_WIDTH + 40), y: 0 } }));
const size = { width: 1000, height: 500 };

describe("initialViewport", () => {
  it("fits a small graph whole, centred", () => {
    const v = initialViewport(row(3), size, null);
    expect(v.zoom).toBeGreaterThan(READABLE_ZOOM);
    const centreX = (3 * NODE_WIDTH + 2 * 40) / 2;
    expect(v.x + centreX * v.zoom).toBeCloseTo(size.width / 2);
    expect(v.y + (NODE_HEIGHT / 2) * v.zoom).toBeCloseTo(size.height / 2);
  });

  it("keeps a big graph readable and centres the focused node", () => {
    const nodes = row(30);
    const v = initialViewport(nodes, size, "model:m20");
    expect(v.zoom).toBe(READABLE_ZOOM);
    const focusX = nodes[20]!.position.x + NODE_WIDTH / 2;
    expect(v.x + focusX * v.zoom).toBeCloseTo(size.width / 2);
  });

  it("without a focus starts a big graph at its left edge", () => {
    const v = initialViewport(row(30), size, null);
    expect(v.zoom).toBe(READABLE_ZOOM);
    expect(v.x).toBeGreaterThan(0);
    expect(v.x).toBeLessThan(50);
  });
});
