import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ensureBundle as ensure } from "./bundle.mjs";

let root = "";
afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

/** A tiny project: an entry importing a second module, with the files the freshness check reads. */
function project(): string {
  root = fs.mkdtempSync(path.join(os.tmpdir(), "rb-bundle-"));
  fs.mkdirSync(path.join(root, "jobs"));
  fs.writeFileSync(path.join(root, "package.json"), "{}");
  fs.writeFileSync(path.join(root, "tsconfig.json"), "{}");
  fs.writeFileSync(path.join(root, "jobs", "part.ts"), "export const answer: number = 41;\n");
  fs.writeFileSync(path.join(root, "jobs", "main.ts"), 'import { answer } from "./part";\nconsole.log(answer + 1);\n');
  return root;
}

const later = (file: string) => {
  const t = new Date(Date.now() + 5_000);
  fs.utimesSync(file, t, t);
};

describe("worker bundle (jobs/bundle.mjs)", () => {
  it("builds a runnable bundle, reuses it while no source changed, rebuilds when one did", () => {
    const dir = project();
    const first = ensure({ root: dir, entry: "jobs/main.ts" });
    expect(first.built).toBe(true);
    const code = fs.readFileSync(first.bundle, "utf8");
    expect(code).toContain("41");
    expect(code).toContain("sourceMappingURL=worker.cjs.map");
    expect(fs.existsSync(`${first.bundle}.map`)).toBe(true);
    // No temporary files left beside it.
    expect(fs.readdirSync(path.dirname(first.bundle)).sort()).toEqual(["worker.cjs", "worker.cjs.map", "worker.meta.json"]);

    expect(ensure({ root: dir, entry: "jobs/main.ts" }).built).toBe(false);

    // An imported module (not only the entry) changes.
    fs.writeFileSync(path.join(dir, "jobs", "part.ts"), "export const answer: number = 99;\n");
    later(path.join(dir, "jobs", "part.ts"));
    expect(ensure({ root: dir, entry: "jobs/main.ts" }).built).toBe(true);
    expect(fs.readFileSync(first.bundle, "utf8")).toContain("99");

    later(path.join(dir, "tsconfig.json"));
    expect(ensure({ root: dir, entry: "jobs/main.ts" }).built).toBe(true);
  });

  it("refuses a source that does not compile and keeps no half-written file", () => {
    const dir = project();
    fs.writeFileSync(path.join(dir, "jobs", "main.ts"), "import { nothing } from './missing';\nconsole.log(nothing);\n");
    expect(() => ensure({ root: dir, entry: "jobs/main.ts" })).toThrow(
      /could not bundle jobs\/main.ts[\s\S]*Could not resolve "\.\/missing"/,
    );
    expect(fs.readdirSync(path.join(dir, ".build"))).toEqual([]);
  });
});
