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

/** Inside `{{ ref('…` suggests models and datasets; inside `{{ source('…` suggests datasets. */
function templateNameSource(data: CompletionData): CompletionSource {
  return (context) => {
    const match = context.matchBefore(/\b(ref|source)\s*\(\s*['"][a-z0-9_]*$/i);
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

/**
 * PostgreSQL highlighting with completion of keywords, relations (warehouse ones without a schema
 * prefix, as ref() compiles to them) and their columns, plus names inside ref()/source().
 */
export function sqlLanguage(data: CompletionData): Extension[] {
  const schema: SQLNamespace = { warehouse: data.relations.warehouse, staging: data.relations.staging };
  return [
    sql({ dialect: PostgreSQL, schema, defaultSchema: "warehouse" }),
    PostgreSQL.language.data.of({ autocomplete: templateNameSource(data) }),
  ];
}
