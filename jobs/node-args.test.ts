import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { WORKER_ENTRY, WORKER_NODE_ARGS } from "@/jobs/node-args";

describe("worker node arguments", () => {
  it("are the ones `npm run worker` uses too", () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "package.json"), "utf8")) as { scripts: Record<string, string> };
    expect(pkg.scripts.worker).toBe(["node", ...WORKER_NODE_ARGS, WORKER_ENTRY].join(" "));
  });
});
