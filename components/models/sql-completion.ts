import { PostgreSQL, schemaCompletionSource, sql, type SQLNamespace } from "@codemirror/lang-sql";
import type { Extension } from "@uiw/react-codemirror";

/** What the editor can complete: relations with their columns, and the names ref()/source() accept. */
export type CompletionData = {
  /** Column names of every warehouse and staging relation (listRelationColumns). */
  relations: { warehouse: Record<string, string[]>; staging: Record<string, string[]> };
  models: string[];
  datasets: string[];
};

type CompletionSource = ReturnType<typeof schemaCompletionSource>;

/** The text from `ref('` / `source("` to the cursor, when the cursor is inside such a name. */
function inTemplateName(context: Parameters<CompletionSource>[0]) {
  return context.matchBefore(/\b(ref|source)\s*\(\s*['"][a-z0-9_]*$/i);
}

/** Inside `{{ ref('…` suggests models and datasets; inside `{{ source('…` suggests datasets. */
function templateNameSource(data: CompletionData): CompletionSource {
  return (context) => {
    const match = inTemplateName(context);
    if (!match) return null;
    const quote = Math.max(match.text.lastIndexOf("'"), match.text.lastIndexOf('"'));
    const isRef = match.text.toLowerCase().startsWith("ref");
    const options = isRef
      ? [
          ...data.models.map((name) => ({ label: name, type: "class", detail: "model" })),
          ...data.datasets.map((name) => ({ label: name, type: "type", detail: "dataset (typed)" })),
        ]
      : data.datasets.map((name) => ({ label: name, type: "type", detail: "dataset (raw text)" }));
    return { from: match.from + quote + 1, options, validFor: /^[a-z0-9_]*$/i };
  };
}

const READ =
  /\{\{\s*(ref|source)\s*\(\s*(['"])([^'"]+)\2\s*\)\s*\}\}(?:\s+(?:as\s+)?(?!(?:where|join|left|right|inner|full|cross|on|using|group|order|limit|union|natural|lateral)\b)([a-z_][\w$]*))?/gi;

type Read = { relation: string; columns: string[]; alias: string | null };

/** The relations the SQL reads through ref()/source(), with their catalog columns and aliases. */
export function referencedRelations(text: string, data: CompletionData): Read[] {
  const out: Read[] = [];
  for (const m of text.matchAll(READ)) {
    const [, kind, , name, alias] = m;
    const columns = (kind!.toLowerCase() === "ref" ? data.relations.warehouse : data.relations.staging)[name!] ?? [];
    out.push({ relation: name!, columns, alias: alias ?? null });
  }
  return out;
}

/**
 * Columns of what the model reads: `{{ ref('orders') }}` is no table name lang-sql's schema
 * completion can see, so the columns of every ref()/source() in the text are offered as they are
 * typed, and after `alias.` (or `name.`) only that relation's.
 */
function referencedColumnsSource(data: CompletionData): CompletionSource {
  return (context) => {
    if (inTemplateName(context)) return null;
    const reads = referencedRelations(context.state.doc.toString(), data);
    if (!reads.length) return null;
    const qualified = context.matchBefore(/[a-z_][\w$]*\.[\w$]*$/i);
    if (qualified) {
      const prefix = qualified.text.slice(0, qualified.text.indexOf(".")).toLowerCase();
      const read = reads.find((r) => r.alias?.toLowerCase() === prefix || r.relation.toLowerCase() === prefix);
      if (!read) return null;
      return {
        from: qualified.from + prefix.length + 1,
        options: read.columns.map((c) => ({ label: c, type: "property", detail: read.relation })),
        validFor: /^[\w$]*$/,
      };
    }
    const word = context.matchBefore(/[\w$]+$/);
    if (!word && !context.explicit) return null;
    const seen = new Set<string>();
    const options = reads.flatMap((read) =>
      read.columns.filter((c) => !seen.has(c) && seen.add(c)).map((c) => ({ label: c, type: "property", detail: read.relation, boost: 5 })),
    );
    return { from: word?.from ?? context.pos, options, validFor: /^[\w$]*$/ };
  };
}

/**
 * PostgreSQL highlighting with completion of keywords, relations (warehouse ones without a schema
 * prefix, as ref() compiles to them) and their columns, plus names inside ref()/source().
 */
export function sqlLanguage(data: CompletionData): Extension[] {
  const schema: SQLNamespace = { warehouse: data.relations.warehouse, staging: data.relations.staging };
  const relations = schemaCompletionSource({ dialect: PostgreSQL, schema, defaultSchema: "warehouse" });
  return [
    // Keywords only from sql(); relation names come from the guarded source below, so inside
    // ref('…') a name is offered once (by templateNameSource), not again as a bare table.
    sql({ dialect: PostgreSQL }),
    PostgreSQL.language.data.of({
      autocomplete: (context: Parameters<CompletionSource>[0]) => (inTemplateName(context) ? null : relations(context)),
    }),
    PostgreSQL.language.data.of({ autocomplete: templateNameSource(data) }),
    PostgreSQL.language.data.of({ autocomplete: referencedColumnsSource(data) }),
  ];
}
