import { strFromU8, strToU8, zipSync } from "fflate";
import YAML from "yaml";
import { listModels } from "@/db/queries/models";
import type { Materialization, Model, ModelTest, SnapshotConfig, TestConfig } from "@/db/schema/models";
import { UserError } from "@/lib/errors";
import { topologicalOrder } from "@/lib/transform/dag";
import {
  fromDbtSnapshotConfig,
  snapshotBlocks,
  snapshotConfigArgs,
  snapshotFile,
  toDbtSnapshotConfig,
  type DbtSnapshotConfig,
} from "@/lib/transform/dbt-snapshot";
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
 *   snapshots/<name>.sql  snapshot models as dbt snapshot blocks (their properties under
 *                        `snapshots:` in models/schema.yml); see dbt-snapshot.ts
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
const IN_SNAPSHOTS = /(^|\/)snapshots\//;

function isImportedPath(path: string): boolean {
  if (IN_MODELS.test(path) || IN_SNAPSHOTS.test(path)) return /\.(sql|ya?ml)$/.test(path);
  return IN_TESTS.test(path) && path.endsWith(".sql");
}

/** dbt's test config block; `severity`, `warn_if` and `error_if` are the parts Relayboard keeps. */
type DbtTestConfig = { severity?: string; warn_if?: string; error_if?: string };
type DbtColumnTest =
  | "not_null"
  | "unique"
  | { not_null: { config?: DbtTestConfig } | null }
  | { unique: { config?: DbtTestConfig } | null }
  | { accepted_values: { values: string[]; config?: DbtTestConfig } & DbtTestConfig }
  | { relationships: { to: string; field: string; config?: DbtTestConfig } & DbtTestConfig };

function dbtConfig(test: TestConfig): { config?: DbtTestConfig } {
  const config: DbtTestConfig = {
    ...(test.severity ? { severity: test.severity } : {}),
    ...(test.warn_if ? { warn_if: test.warn_if } : {}),
    ...(test.error_if ? { error_if: test.error_if } : {}),
  };
  return Object.keys(config).length ? { config } : {};
}

/** A test's config as dbt may write it: in a `config:` block, or (older projects) beside the arguments. */
function fromDbtConfig(args: unknown): TestConfig {
  if (!args || typeof args !== "object") return {};
  const flat = args as DbtTestConfig & { config?: DbtTestConfig };
  const config = { ...flat, ...(flat.config ?? {}) };
  const severity = typeof config.severity === "string" ? config.severity.toLowerCase() : undefined;
  return {
    ...(severity === "warn" || severity === "error" ? { severity } : {}),
    ...(typeof config.warn_if === "string" ? { warn_if: config.warn_if } : {}),
    ...(typeof config.error_if === "string" ? { error_if: config.error_if } : {}),
  };
}

type DbtModelEntry = {
  name: string;
  description?: string;
  config?: { materialized?: string; unique_key?: string | string[] } & DbtSnapshotConfig;
  /** dbt 1.9 YAML snapshots: what the snapshot selects from, e.g. ref('orders'). */
  relation?: string;
  columns?: { name: string; description?: string; tests?: DbtColumnTest[]; data_tests?: DbtColumnTest[] }[];
  tests?: unknown[];
  data_tests?: unknown[];
};

function columnTests(model: Model, column: string): DbtColumnTest[] {
  const out: DbtColumnTest[] = [];
  for (const test of model.tests) {
    if (!("column" in test) || test.column !== column) continue;
    const config = dbtConfig(test);
    if (test.type === "not_null") out.push(config.config ? { not_null: config } : "not_null");
    else if (test.type === "unique") out.push(config.config ? { unique: config } : "unique");
    else if (test.type === "accepted_values") out.push({ accepted_values: { values: test.values, ...config } });
    else if (test.type === "relationships") out.push({ relationships: { to: `ref('${test.to}')`, field: test.field, ...config } });
  }
  return out;
}

function schemaEntry(model: Model): DbtModelEntry {
  const columnNames = [
    ...new Set([...Object.keys(model.columnDescriptions), ...model.tests.flatMap((t) => ("column" in t ? [t.column] : []))]),
  ];
  const entry: DbtModelEntry = { name: model.name };
  if (model.description) entry.description = model.description;
  // A snapshot's kind is where it lives (snapshots/, `snapshots:`); dbt has no materialized for it.
  entry.config =
    model.materialization === "snapshot" && model.snapshot ? toDbtSnapshotConfig(model.snapshot) : { materialized: model.materialization };
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
  if (bounds.length) entry.data_tests = bounds.map((t) => ({ relayboard_row_count: { min: t.min, max: t.max, ...dbtConfig(t) } }));
  return entry;
}

export async function exportDbtProject(): Promise<Uint8Array> {
  const models = await listModels();
  const files: Record<string, Uint8Array> = {};
  for (const model of models) {
    if (model.materialization === "snapshot" && model.snapshot) {
      files[`snapshots/${model.name}.sql`] = strToU8(snapshotFile(model.name, model.sql, model.uniqueKey, model.snapshot));
    } else files[`models/${model.name}.sql`] = strToU8(model.sql.endsWith("\n") ? model.sql : `${model.sql}\n`);
    for (const test of model.tests) {
      if (test.type !== "custom_sql") continue;
      const { config } = dbtConfig(test);
      const header = config
        ? `{{ config(${Object.entries(config)
            .map(([k, v]) => `${k}='${v}'`)
            .join(", ")}) }}\n`
        : "";
      files[`tests/${model.name}__${test.name}.sql`] = strToU8(`${header}${test.sql}\n`);
    }
  }
  const isSnapshot = (m: Model) => m.materialization === "snapshot" && m.snapshot !== null;
  const snapshots = models.filter(isSnapshot).map(schemaEntry);
  files["models/schema.yml"] = strToU8(
    YAML.stringify({
      version: 2,
      models: models.filter((m) => !isSnapshot(m)).map(schemaEntry),
      ...(snapshots.length ? { snapshots } : {}),
    }),
  );
  files["dbt_project.yml"] = strToU8(
    YAML.stringify({
      name: "relayboard_export",
      version: "1.0.0",
      config_version: 2,
      "model-paths": ["models"],
      "test-paths": ["tests"],
      "snapshot-paths": ["snapshots"],
    }),
  );
  return zipSync(files, { level: 6 });
}

const CONFIG_CALL = /\{\{\s*config\s*\(([\s\S]*?)\)\s*\}\}\s*/;

/** dbt files may start with {{ config(materialized='table', unique_key='id') }}; we keep that in fields. */
function extractConfig(sql: string): { sql: string; materialized?: string; uniqueKey?: string[]; snapshot?: SnapshotConfig } {
  const match = CONFIG_CALL.exec(sql);
  if (!match) return { sql };
  const args = match[1]!;
  const materialized = /materialized\s*=\s*['"](\w+)['"]/.exec(args)?.[1];
  const single = /unique_key\s*=\s*['"]([\w]+)['"]/.exec(args)?.[1];
  const list = /unique_key\s*=\s*\[([^\]]*)\]/.exec(args)?.[1];
  const uniqueKey = single ? [single] : list ? [...list.matchAll(/['"](\w+)['"]/g)].map((m) => m[1]!) : undefined;
  return { sql: sql.replace(match[0], ""), materialized, uniqueKey, snapshot: fromDbtSnapshotConfig(snapshotConfigArgs(args)) };
}

function toTests(entry: DbtModelEntry): ModelTest[] {
  const tests: ModelTest[] = [];
  for (const column of entry.columns ?? []) {
    for (const test of [...(column.data_tests ?? []), ...(column.tests ?? [])]) {
      if (test === "not_null" || test === "unique") tests.push({ type: test, column: column.name });
      else if (typeof test !== "object" || !test) continue;
      else if ("not_null" in test) tests.push({ type: "not_null", column: column.name, ...fromDbtConfig(test.not_null) });
      else if ("unique" in test) tests.push({ type: "unique", column: column.name, ...fromDbtConfig(test.unique) });
      else if ("accepted_values" in test) {
        const values = test.accepted_values.values.map(String);
        tests.push({ type: "accepted_values", column: column.name, values, ...fromDbtConfig(test.accepted_values) });
      } else if ("relationships" in test) {
        const to = /ref\(\s*['"]([^'"]+)['"]\s*\)/.exec(test.relationships.to)?.[1] ?? test.relationships.to;
        tests.push({
          type: "relationships",
          column: column.name,
          to,
          field: test.relationships.field,
          ...fromDbtConfig(test.relationships),
        });
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
        ...fromDbtConfig(bounds),
      });
  }
  return tests;
}

const TEST_CONFIG_CALL = /^\s*\{\{\s*config\s*\(([\s\S]*?)\)\s*\}\}\s*/;

/** A dbt singular test (tests/<model>__<name>.sql), its `{{ config(severity='warn', …) }}` header kept as config. */
function singularTest(name: string, text: string): ModelTest {
  const match = TEST_CONFIG_CALL.exec(text);
  const args = match?.[1] ?? "";
  const arg = (key: string) => new RegExp(`${key}\\s*=\\s*['"]([^'"]*)['"]`).exec(args)?.[1];
  const config = fromDbtConfig({ severity: arg("severity"), warn_if: arg("warn_if"), error_if: arg("error_if") });
  return { type: "custom_sql", name, sql: (match ? text.slice(match[0].length) : text).trim(), ...config };
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
  const snapshotNames = new Set<string>();
  for (const [path, bytes] of files) {
    const name = path.split("/").pop()!;
    const inModels = IN_MODELS.test(path);
    if (inModels && name.endsWith(".sql")) sqlByModel.set(name.slice(0, -4), strFromU8(bytes));
    else if (IN_SNAPSHOTS.test(path) && name.endsWith(".sql")) {
      for (const block of snapshotBlocks(strFromU8(bytes))) {
        sqlByModel.set(block.name, block.body);
        snapshotNames.add(block.name);
      }
    } else if (/\.ya?ml$/.test(name)) {
      let doc: { models?: DbtModelEntry[]; snapshots?: DbtModelEntry[] } | null;
      try {
        doc = YAML.parse(strFromU8(bytes)) as typeof doc;
      } catch {
        throw new UserError(`${path} is not valid YAML`, 400);
      }
      for (const entry of Array.isArray(doc?.models) ? doc.models : []) if (typeof entry?.name === "string") entries.set(entry.name, entry);
      for (const entry of Array.isArray(doc?.snapshots) ? doc.snapshots : []) {
        if (typeof entry?.name !== "string") continue;
        entries.set(entry.name, entry);
        snapshotNames.add(entry.name);
        // dbt 1.9: a YAML snapshot of a relation, with no SQL of its own.
        if (typeof entry.relation === "string" && !sqlByModel.has(entry.name))
          sqlByModel.set(entry.name, `select * from {{ ${entry.relation} }}`);
      }
    } else if (IN_TESTS.test(path) && name.endsWith(".sql")) {
      const [model, test] = name.slice(0, -4).split("__");
      if (model && test) (customTests.get(model) ?? customTests.set(model, []).get(model)!).push(singularTest(test, strFromU8(bytes)));
    }
  }
  if (sqlByModel.size === 0) throw new UserError("The zip has no models/*.sql files", 400);

  const inputs = new Map<string, ModelInput>();
  for (const [name, raw] of sqlByModel) {
    const entry = entries.get(name);
    const { sql, materialized, uniqueKey, snapshot } = extractConfig(raw);
    const configKey = entry?.config?.unique_key;
    const isSnapshot = snapshotNames.has(name);
    inputs.set(name, {
      name,
      sql: sql.trim(),
      description: entry?.description ?? "",
      materialization: (isSnapshot ? "snapshot" : (entry?.config?.materialized ?? materialized ?? "view")) as Materialization,
      snapshot: isSnapshot ? (fromDbtSnapshotConfig(entry?.config) ?? snapshot ?? null) : null,
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
