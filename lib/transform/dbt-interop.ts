import { strFromU8, strToU8, zipSync } from "fflate";
import YAML from "yaml";
import { listModels } from "@/db/queries/models";
import type { Materialization, Model, ModelTest } from "@/db/schema/models";
import { UserError } from "@/lib/errors";
import { topologicalOrder } from "@/lib/transform/dag";
import { saveModel } from "@/lib/transform/models";
import { unzipCapped } from "@/lib/transform/unzip-capped";
import { referencedNames } from "@/lib/transform/template";
import type { ModelInput } from "@/lib/validation/models";

/**
 * Moves models between Relayboard and dbt as a dbt-style folder in a zip:
 *   models/<name>.sql    the SELECT, unchanged (refs and sources are dbt syntax already)
 *   models/schema.yml    descriptions, config (materialized, unique_key), column descriptions
 *                        and tests (not_null, unique, accepted_values, relationships), plus
 *                        `relayboard_row_count` for row-count bounds
 *   tests/<model>__<name>.sql   singular tests (Relayboard's custom SQL tests)
 */
export const MAX_IMPORT_BYTES = 10 * 1024 * 1024;
/**
 * Unpacked, the files an import reads (models' SQL and YAML, singular tests) may hold at most
 * 20 MiB together and 8 MiB each, and the zip may list at most 10,000 entries: enforced while
 * inflating, so a small zip that inflates to gigabytes is refused after a few MiB of work.
 */
export const MAX_IMPORT_UNPACKED_BYTES = 20 * 1024 * 1024;
export const MAX_IMPORT_FILE_BYTES = 8 * 1024 * 1024;
export const MAX_IMPORT_ENTRIES = 10_000;

const IN_MODELS = /(^|\/)models\//;
const IN_TESTS = /(^|\/)tests\//;

function isImportedPath(path: string): boolean {
  return IN_MODELS.test(path) ? /\.(sql|ya?ml)$/.test(path) : IN_TESTS.test(path) && path.endsWith(".sql");
}

type DbtColumnTest = "not_null" | "unique" | { accepted_values: { values: string[] } } | { relationships: { to: string; field: string } };

type DbtModelEntry = {
  name: string;
  description?: string;
  config?: { materialized?: string; unique_key?: string | string[] };
  columns?: { name: string; description?: string; tests?: DbtColumnTest[]; data_tests?: DbtColumnTest[] }[];
  tests?: unknown[];
  data_tests?: unknown[];
};

function columnTests(model: Model, column: string): DbtColumnTest[] {
  const out: DbtColumnTest[] = [];
  for (const test of model.tests) {
    if (!("column" in test) || test.column !== column) continue;
    if (test.type === "not_null" || test.type === "unique") out.push(test.type);
    else if (test.type === "accepted_values") out.push({ accepted_values: { values: test.values } });
    else if (test.type === "relationships") out.push({ relationships: { to: `ref('${test.to}')`, field: test.field } });
  }
  return out;
}

function schemaEntry(model: Model): DbtModelEntry {
  const columnNames = [
    ...new Set([...Object.keys(model.columnDescriptions), ...model.tests.flatMap((t) => ("column" in t ? [t.column] : []))]),
  ];
  const entry: DbtModelEntry = { name: model.name };
  if (model.description) entry.description = model.description;
  entry.config = { materialized: model.materialization };
  if (model.uniqueKey.length) entry.config.unique_key = model.uniqueKey.length === 1 ? model.uniqueKey[0] : model.uniqueKey;
  if (columnNames.length) {
    entry.columns = columnNames.map((name) => {
      const tests = columnTests(model, name);
      return {
        name,
        ...(model.columnDescriptions[name] ? { description: model.columnDescriptions[name] } : {}),
        ...(tests.length ? { data_tests: tests } : {}),
      };
    });
  }
  const bounds = model.tests.filter((t) => t.type === "row_count");
  if (bounds.length) entry.data_tests = bounds.map((t) => ({ relayboard_row_count: { min: t.min, max: t.max } }));
  return entry;
}

export async function exportDbtProject(): Promise<Uint8Array> {
  const models = await listModels();
  const files: Record<string, Uint8Array> = {};
  for (const model of models) {
    files[`models/${model.name}.sql`] = strToU8(model.sql.endsWith("\n") ? model.sql : `${model.sql}\n`);
    for (const test of model.tests) {
      if (test.type === "custom_sql") files[`tests/${model.name}__${test.name}.sql`] = strToU8(`${test.sql}\n`);
    }
  }
  files["models/schema.yml"] = strToU8(YAML.stringify({ version: 2, models: models.map(schemaEntry) }));
  files["dbt_project.yml"] = strToU8(
    YAML.stringify({ name: "relayboard_export", version: "1.0.0", config_version: 2, "model-paths": ["models"], "test-paths": ["tests"] }),
  );
  return zipSync(files, { level: 6 });
}

const CONFIG_CALL = /\{\{\s*config\s*\(([\s\S]*?)\)\s*\}\}\s*/;

/** dbt files may start with {{ config(materialized='table', unique_key='id') }}; we keep that in fields. */
function extractConfig(sql: string): { sql: string; materialized?: string; uniqueKey?: string[] } {
  const match = CONFIG_CALL.exec(sql);
  if (!match) return { sql };
  const args = match[1]!;
  const materialized = /materialized\s*=\s*['"](\w+)['"]/.exec(args)?.[1];
  const single = /unique_key\s*=\s*['"]([\w]+)['"]/.exec(args)?.[1];
  const list = /unique_key\s*=\s*\[([^\]]*)\]/.exec(args)?.[1];
  const uniqueKey = single ? [single] : list ? [...list.matchAll(/['"](\w+)['"]/g)].map((m) => m[1]!) : undefined;
  return { sql: sql.replace(match[0], ""), materialized, uniqueKey };
}

function toTests(entry: DbtModelEntry): ModelTest[] {
  const tests: ModelTest[] = [];
  for (const column of entry.columns ?? []) {
    for (const test of [...(column.data_tests ?? []), ...(column.tests ?? [])]) {
      if (test === "not_null" || test === "unique") tests.push({ type: test, column: column.name });
      else if (typeof test === "object" && "accepted_values" in test) {
        tests.push({ type: "accepted_values", column: column.name, values: test.accepted_values.values.map(String) });
      } else if (typeof test === "object" && "relationships" in test) {
        const to = /ref\(\s*['"]([^'"]+)['"]\s*\)/.exec(test.relationships.to)?.[1] ?? test.relationships.to;
        tests.push({ type: "relationships", column: column.name, to, field: test.relationships.field });
      }
    }
  }
  for (const test of [...(entry.data_tests ?? []), ...(entry.tests ?? [])]) {
    const bounds = (test as { relayboard_row_count?: { min?: number; max?: number } }).relayboard_row_count;
    if (bounds)
      tests.push({
        type: "row_count",
        ...(bounds.min !== undefined ? { min: bounds.min } : {}),
        ...(bounds.max !== undefined ? { max: bounds.max } : {}),
      });
  }
  return tests;
}

export type ImportResult = { imported: string[]; errors: { model: string; message: string }[] };

/**
 * Imports a dbt-style zip: every models/**.sql becomes a model (created or updated, each save a
 * new revision), saved in dependency order so refs resolve. Problems are reported per model.
 */
export async function importDbtProject(zip: Uint8Array, actor: { id: string }): Promise<ImportResult> {
  if (zip.byteLength > MAX_IMPORT_BYTES) throw new UserError("The zip is larger than 10 MiB", 413);
  const files = unzipCapped(zip, isImportedPath, {
    maxFileBytes: MAX_IMPORT_FILE_BYTES,
    maxTotalBytes: MAX_IMPORT_UNPACKED_BYTES,
    maxEntries: MAX_IMPORT_ENTRIES,
  });
  const entries = new Map<string, DbtModelEntry>();
  const sqlByModel = new Map<string, string>();
  const customTests = new Map<string, ModelTest[]>();
  for (const [path, bytes] of files) {
    const name = path.split("/").pop()!;
    const inModels = IN_MODELS.test(path);
    if (inModels && name.endsWith(".sql")) sqlByModel.set(name.slice(0, -4), strFromU8(bytes));
    else if (inModels && /\.ya?ml$/.test(name)) {
      let doc: { models?: DbtModelEntry[] } | null;
      try {
        doc = YAML.parse(strFromU8(bytes)) as typeof doc;
      } catch {
        throw new UserError(`${path} is not valid YAML`, 400);
      }
      for (const entry of Array.isArray(doc?.models) ? doc.models : []) if (typeof entry?.name === "string") entries.set(entry.name, entry);
    } else if (IN_TESTS.test(path) && name.endsWith(".sql")) {
      const [model, test] = name.slice(0, -4).split("__");
      if (model && test)
        (customTests.get(model) ?? customTests.set(model, []).get(model)!).push({
          type: "custom_sql",
          name: test,
          sql: strFromU8(bytes).trim(),
        });
    }
  }
  if (sqlByModel.size === 0) throw new UserError("The zip has no models/*.sql files", 400);

  const inputs = new Map<string, ModelInput>();
  for (const [name, raw] of sqlByModel) {
    const entry = entries.get(name);
    const { sql, materialized, uniqueKey } = extractConfig(raw);
    const configKey = entry?.config?.unique_key;
    inputs.set(name, {
      name,
      sql: sql.trim(),
      description: entry?.description ?? "",
      materialization: (entry?.config?.materialized ?? materialized ?? "view") as Materialization,
      uniqueKey: configKey ? (Array.isArray(configKey) ? configKey : [configKey]) : (uniqueKey ?? []),
      columnDescriptions: Object.fromEntries((entry?.columns ?? []).filter((c) => c.description).map((c) => [c.name, c.description!])),
      tests: [...(entry ? toTests(entry) : []), ...(customTests.get(name) ?? [])],
    });
  }

  const order = topologicalOrder(
    [...inputs.values()].map((m) => ({ name: m.name, dependsOn: (({ refs, sources }) => [...refs, ...sources])(referencedNames(m.sql)) })),
  );
  const result: ImportResult = { imported: [], errors: [] };
  for (const name of order) {
    try {
      await saveModel(inputs.get(name)!, actor);
      result.imported.push(name);
    } catch (err) {
      result.errors.push({ model: name, message: err instanceof Error ? err.message : String(err) });
    }
  }
  return result;
}
