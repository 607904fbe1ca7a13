import { closest, distance } from "fastest-levenshtein";
import { quoteIdent } from "@/lib/csv/headers";

/**
 * The dbt-style template language of models, deliberately small:
 *   {{ ref('name') }}      → warehouse."name" (a model, or a dataset's typed table)
 *   {{ source('dataset') }} → staging."dataset" (the raw, all-text load)
 *   {{ this }}             → the model's own relation
 *   {% if is_incremental() %} … {% else %} … {% endif %}  (incremental models only)
 * Hand-written rather than a Jinja engine: users get precise line/column errors, and nothing
 * else (loops, arbitrary expressions, filters) can run.
 */
export class CompileError extends Error {
  override name = "CompileError";
  constructor(
    message: string,
    readonly line?: number,
    readonly column?: number,
  ) {
    super(message);
  }
}

export type Catalog = { models: ReadonlySet<string>; datasets: ReadonlySet<string> };

/** Source offsets of one replaced span, so positions in the compiled SQL map back to the user's text. */
type Span = { srcStart: number; srcEnd: number; outStart: number; outEnd: number };

export type Templated = { sql: string; refs: string[]; sources: string[]; spans: Span[] };

export function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

/** Maps an offset in the compiled SQL back to the source text. */
export function sourceOffset(spans: readonly Span[], outOffset: number): number {
  let delta = 0;
  for (const span of spans) {
    if (outOffset < span.outStart) break;
    if (outOffset < span.outEnd) return span.srcStart;
    delta = span.srcEnd - span.outEnd;
  }
  return outOffset + delta;
}

export function suggestName(name: string, candidates: Iterable<string>): string | null {
  const list = [...candidates];
  if (list.length === 0) return null;
  const best = closest(name, list);
  return distance(name, best) <= Math.max(2, Math.floor(name.length / 3)) ? best : null;
}

const TAG = /\{\{\s*([\s\S]*?)\s*\}\}|\{%\s*([\s\S]*?)\s*%\}|\{#[\s\S]*?#\}/g;
const REF = /^(ref|source)\s*\(\s*(['"])([^'"]+)\2\s*\)$/;

export function renderTemplate(source: string, opts: { modelName: string; catalog: Catalog; isIncremental: boolean }): Templated {
  const refs = new Set<string>();
  const sources = new Set<string>();
  const spans: Span[] = [];
  let out = "";
  let cursor = 0;
  // Stack of open {% if %} blocks: whether the current branch is emitted.
  const blocks: { emitting: boolean; sawElse: boolean; openedAt: number }[] = [];
  const emitting = () => blocks.every((b) => b.emitting);
  const fail = (message: string, offset: number): never => {
    const { line, column } = lineAndColumn(source, offset);
    throw new CompileError(`${message} (line ${line}, column ${column})`, line, column);
  };

  for (const match of source.matchAll(TAG)) {
    const start = match.index!;
    const end = start + match[0].length;
    if (emitting()) out += source.slice(cursor, start);
    cursor = end;
    const outStart = out.length;
    if (match[0].startsWith("{#")) {
      spans.push({ srcStart: start, srcEnd: end, outStart, outEnd: out.length });
      continue;
    }
    if (match[1] !== undefined) {
      const expr = match[1];
      let replacement: string;
      const ref = REF.exec(expr);
      if (expr === "this") {
        replacement = `warehouse.${quoteIdent(opts.modelName)}`;
      } else if (ref) {
        const [, kind, , name] = ref;
        if (kind === "ref") {
          if (!opts.catalog.models.has(name!) && !opts.catalog.datasets.has(name!)) {
            const suggestion = suggestName(name!, [...opts.catalog.models, ...opts.catalog.datasets]);
            fail(`Unknown ref '${name}'${suggestion ? `; did you mean '${suggestion}'?` : ""}`, start);
          }
          if (name === opts.modelName) fail(`A model cannot ref itself; use {{ this }}`, start);
          refs.add(name!);
          replacement = `warehouse.${quoteIdent(name!)}`;
        } else {
          if (!opts.catalog.datasets.has(name!)) {
            const suggestion = suggestName(name!, opts.catalog.datasets);
            fail(`Unknown source '${name}'${suggestion ? `; did you mean '${suggestion}'?` : ""} (sources are datasets)`, start);
          }
          sources.add(name!);
          replacement = `staging.${quoteIdent(name!)}`;
        }
      } else {
        fail(`Unsupported expression {{ ${expr} }}: use ref('name'), source('dataset') or this`, start);
      }
      if (emitting()) out += replacement!;
    } else {
      const stmt = match[2]!.replace(/\s+/g, " ");
      if (/^if is_incremental\(\s*\)$/.test(stmt)) {
        blocks.push({ emitting: opts.isIncremental, sawElse: false, openedAt: start });
      } else if (stmt === "else") {
        const block = blocks.at(-1);
        if (!block || block.sawElse) fail("{% else %} without a matching {% if is_incremental() %}", start);
        block!.sawElse = true;
        block!.emitting = !block!.emitting;
      } else if (stmt === "endif") {
        if (!blocks.pop()) fail("{% endif %} without a matching {% if %}", start);
      } else {
        fail(`Unsupported tag {% ${stmt} %}: only {% if is_incremental() %}, {% else %} and {% endif %} are supported`, start);
      }
    }
    spans.push({ srcStart: start, srcEnd: end, outStart, outEnd: out.length });
  }
  const open = blocks.at(-1);
  if (open) fail("{% if is_incremental() %} is never closed with {% endif %}", open.openedAt);
  out += source.slice(cursor);
  return { sql: out, refs: [...refs], sources: [...sources], spans };
}

/** The refs and sources a model's SQL names, without validating them (for the DAG). */
export function referencedNames(source: string): { refs: string[]; sources: string[] } {
  const refs = new Set<string>();
  const sources = new Set<string>();
  for (const match of source.matchAll(/\{\{\s*(ref|source)\s*\(\s*(['"])([^'"]+)\2\s*\)\s*\}\}/g)) {
    (match[1] === "ref" ? refs : sources).add(match[3]!);
  }
  return { refs: [...refs], sources: [...sources] };
}
