import path from "node:path";
import { ESLint } from "eslint";
import { describe, expect, it } from "vitest";

/**
 * The lint configuration itself: a scratch file with a wrong import must fail `npm run lint`,
 * and a right one must not, so the layer rules cannot quietly stop matching.
 */
const eslint = new ESLint({ cwd: path.resolve(__dirname, "..") });

async function ruleIds(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return result!.messages.filter((m) => m.severity === 2).map((m) => m.ruleId ?? "parse");
}

// The first lintText loads the whole configuration (typescript-eslint, Next's plugins): seconds on
// a busy 2-core machine, more than the default 5 s per test.
describe("the house rules in eslint.config.mjs", { timeout: 60_000 }, () => {
  it("refuses lib/ importing jobs/, scripts/ or app/", async () => {
    expect(
      await ruleIds("lib/scratch-wrong.ts", 'import { jobRegistry } from "@/jobs/registry";\nexport const n = jobRegistry.length;\n'),
    ).toContain("no-restricted-imports");
    expect(await ruleIds("lib/scratch-wrong.ts", 'import { main } from "@/scripts/admin";\nexport const m = main;\n')).toContain(
      "no-restricted-imports",
    );
  });

  it("refuses db/ importing lib/", async () => {
    expect(await ruleIds("db/scratch-wrong.ts", 'import { getEnv } from "@/lib/env";\nexport const e = getEnv;\n')).toContain(
      "no-restricted-imports",
    );
  });

  it("refuses process.env outside lib/env.ts", async () => {
    expect(await ruleIds("lib/scratch-wrong.ts", "export const port = process.env.PORT;\n")).toContain("no-restricted-properties");
    expect(await ruleIds("lib/env.ts", "export const port = process.env.PORT;\n")).not.toContain("no-restricted-properties");
  });

  it("accepts the imports the layers allow", async () => {
    expect(await ruleIds("lib/scratch-right.ts", 'import { getDb } from "@/db";\nexport const d = getDb;\n')).toEqual([]);
    expect(await ruleIds("jobs/scratch-right.ts", 'import { getEnv } from "@/lib/env";\nexport const e = getEnv;\n')).toEqual([]);
  });
});
