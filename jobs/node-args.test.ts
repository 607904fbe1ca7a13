import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { WEB_NODE_ARGS, WORKER_ENTRY, WORKER_NODE_ARGS } from "@/jobs/node-args";

describe("worker node arguments", () => {
  it("are the ones `npm run worker` uses too", () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "package.json"), "utf8")) as { scripts: Record<string, string> };
    expect(pkg.scripts.worker).toBe(["node", ...WORKER_NODE_ARGS, WORKER_ENTRY].join(" "));
  });

  it("the web process's are the ones `npm run bench` uses (its process hosts the upload route it measures)", () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "package.json"), "utf8")) as { scripts: Record<string, string> };
    expect(pkg.scripts.bench).toBe(["node", ...WEB_NODE_ARGS, "--import tsx bench/run.ts"].join(" "));
  });
});
