import { CompileError, lineAndColumn, renderTemplate, sourceOffset, type Catalog } from "@/lib/transform/template";
import { validateModelSql } from "@/lib/transform/validate-sql";

export type CompiledModel = {
  sql: string;
  refs: string[];
  sources: string[];
  /** Line and column in the user's text of an offset in `sql` (for errors the database reports). */
  locate: (offset: number) => { line: number; column: number };
};

/**
 * Template → SQL → parser checks. Every error names what is wrong and where, in the user's
 * own text (positions in the compiled SQL are mapped back through the template's replacements).
 */
export async function compileModel(
  source: string,
  opts: { modelName: string; catalog: Catalog; isIncremental?: boolean },
): Promise<CompiledModel> {
  const rendered = renderTemplate(source, { ...opts, isIncremental: opts.isIncremental ?? false });
  const sql = rendered.sql.trim().replace(/;\s*$/, "");
  const leading = rendered.sql.length - rendered.sql.trimStart().length;
  const locate = (offset: number) => lineAndColumn(source, sourceOffset(rendered.spans, offset + leading));
  const problem = await validateModelSql(sql);
  if (problem) {
    if (problem.offset === undefined) throw new CompileError(problem.message);
    const { line, column } = locate(problem.offset);
    throw new CompileError(`${problem.message} (line ${line}, column ${column})`, line, column);
  }
  return { sql, refs: rendered.refs, sources: rendered.sources, locate };
}

export { CompileError };
