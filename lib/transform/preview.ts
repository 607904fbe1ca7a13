import { inSandbox, runUserSql } from "@/lib/transform/sandbox";
import { compileForModel } from "@/lib/transform/models";

export const PREVIEW_ROWS = 100;

export type Preview = { columns: string[]; rows: (string | null)[][]; compiledSql: string };

function asText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value.toISOString();
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

/** The first rows of a model's query, read-only under the sandbox role and its timeout. */
const PREFIX = "select * from (\n";

/** A database error of the preview, with where it points in the user's text when it points anywhere. */
export type PositionedError = Error & { code?: string; sourcePosition?: { line: number; column: number } };

export async function previewModel(name: string, sql: string, opts: { timeoutMs?: number } = {}): Promise<Preview> {
  const compiled = await compileForModel(name, sql);
  return inSandbox(
    async (tx) => {
      const result = await runUserSql(tx, `${PREFIX}${compiled.sql}\n) as preview limit ${PREVIEW_ROWS}`).catch((err: PositionedError) => {
        // Postgres counts from 1 in the statement sent; map that back past the wrapper and the template.
        const position = Number((err as { position?: string }).position) - 1 - PREFIX.length;
        if (position >= 0 && position <= compiled.sql.length) err.sourcePosition = compiled.locate(position);
        throw err;
      });
      const columns = result.columns.map((c) => c.name);
      return { columns, rows: result.map((row) => columns.map((c) => asText(row[c]))), compiledSql: compiled.sql };
    },
    { readOnly: true, timeoutMs: opts.timeoutMs },
  );
}
