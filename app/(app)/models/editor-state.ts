import type { Materialization, ModelTest, SnapshotConfig, TestConfig, TestSeverity } from "@/db/schema/models";

export type TestType = ModelTest["type"];

export const TEST_TYPES: { type: TestType; label: string; hint: string }[] = [
  { type: "not_null", label: "Not null", hint: "The column has no NULL values." },
  { type: "unique", label: "Unique", hint: "No value appears twice in the column (NULLs ignored)." },
  { type: "accepted_values", label: "Accepted values", hint: "Every value is one of the listed ones (compared as text)." },
  { type: "relationships", label: "Relationship", hint: "Every value exists in a column of another model or dataset." },
  { type: "row_count", label: "Row count", hint: "The number of rows is within the bounds." },
  { type: "custom_sql", label: "Custom SQL", hint: "A SELECT that returns the failing rows; none means it passes." },
];

export const MATERIALIZATIONS: { value: Materialization; label: string; hint: string }[] = [
  { value: "view", label: "View", hint: "Recomputed on every read; nothing is stored." },
  { value: "table", label: "Table", hint: "Rebuilt in full on every build." },
  {
    value: "incremental",
    label: "Incremental",
    hint: "Merges new rows by the unique key; use {% if is_incremental() %} to select only new ones.",
  },
  {
    value: "snapshot",
    label: "Snapshot (history)",
    hint: "Keeps every version of every row by the unique key, with valid_from, valid_to (empty: current) and is_deleted.",
  },
];

export type SnapshotStrategy = SnapshotConfig["strategy"];

export const SNAPSHOT_STRATEGIES: { value: SnapshotStrategy; label: string; hint: string }[] = [
  {
    value: "timestamp",
    label: "Timestamp",
    hint: "A row is a new version when its updated_at column moves on; that time dates the version.",
  },
  {
    value: "check",
    label: "Check columns",
    hint: "A row is a new version when a compared column differs; the build's time dates the version.",
  },
];

/** The snapshot settings as typed; kept while another materialization is chosen, so switching back loses nothing. */
export type SnapshotDraft = { strategy: SnapshotStrategy; updatedAt: string; checkColumns: string };

export function snapshotToDraft(config: SnapshotConfig | null | undefined): SnapshotDraft {
  if (config?.strategy === "timestamp") return { strategy: "timestamp", updatedAt: config.updatedAt, checkColumns: "" };
  if (config?.strategy === "check") return { strategy: "check", updatedAt: "", checkColumns: (config.columns ?? []).join(", ") };
  return { strategy: "timestamp", updatedAt: "", checkColumns: "" };
}

/** The rule as the server takes it (its validation names what is missing); no check columns means all of them. */
export function draftToSnapshot(d: SnapshotDraft): SnapshotConfig {
  if (d.strategy === "timestamp") return { strategy: "timestamp", updatedAt: d.updatedAt.trim() };
  const columns = parseUniqueKey(d.checkColumns);
  return columns.length ? { strategy: "check", columns } : { strategy: "check" };
}

/** A snapshot's rule in words, as the model page and revision diffs show it. */
export function snapshotInWords(config: SnapshotConfig | null | undefined, uniqueKey: readonly string[]): string {
  const key = uniqueKey.length ? uniqueKey.join(", ") : "(no unique key)";
  if (!config) return `By ${key}; no strategy chosen yet.`;
  if (config.strategy === "timestamp") return `By ${key}: a new version when ${config.updatedAt} moves on.`;
  const compared = config.columns?.length ? config.columns.join(", ") : "any column";
  return `By ${key}: a new version when ${compared} changes.`;
}

/** A test being edited: every field as typed, whatever its type, so switching type loses nothing. */
export type TestDraft = {
  key: number;
  type: TestType;
  column: string;
  /** Accepted values, one per entry (never one comma-joined string). */
  values: string[];
  to: string;
  field: string;
  min: string;
  max: string;
  name: string;
  sql: string;
  severity: TestSeverity;
  /** dbt's warn_if / error_if as typed ("" for the default, "!=0"). */
  warnIf: string;
  errorIf: string;
};

export const SEVERITIES: { value: TestSeverity; label: string; hint: string }[] = [
  { value: "error", label: "Error", hint: "Failing rows fail the run; nothing is sent." },
  { value: "warn", label: "Warn", hint: "Failing rows mark the run; messages still go out." },
];

export type DescriptionDraft = { key: number; column: string; description: string };

// Keys are list keys and id suffixes: loaded items count from 0 (the same on server and client,
// so hydration matches); the editor hands out higher ones for added items.
export function emptyTest(type: TestType, key: number): TestDraft {
  return {
    key,
    type,
    column: "",
    values: [],
    to: "",
    field: "",
    min: "",
    max: "",
    name: "",
    sql: "",
    severity: "error",
    warnIf: "",
    errorIf: "",
  };
}

export function testToDraft(test: ModelTest, key: number): TestDraft {
  const draft = {
    ...emptyTest(test.type, key),
    severity: test.severity ?? "error",
    warnIf: test.warn_if ?? "",
    errorIf: test.error_if ?? "",
  };
  switch (test.type) {
    case "not_null":
    case "unique":
      return { ...draft, column: test.column };
    case "accepted_values":
      return { ...draft, column: test.column, values: [...test.values] };
    case "relationships":
      return { ...draft, column: test.column, to: test.to, field: test.field };
    case "row_count":
      return { ...draft, min: test.min === undefined ? "" : String(test.min), max: test.max === undefined ? "" : String(test.max) };
    case "custom_sql":
      return { ...draft, name: test.name, sql: test.sql };
  }
}

function bound(text: string): number | undefined {
  const t = text.trim();
  // A non-number goes through as NaN so the server's check names the field.
  return t === "" ? undefined : Number(t);
}

function draftConfig(d: TestDraft): TestConfig {
  const warnIf = d.warnIf.trim();
  const errorIf = d.errorIf.trim();
  return {
    ...(d.severity === "warn" ? { severity: "warn" as const } : {}),
    ...(warnIf ? { warn_if: warnIf } : {}),
    ...(errorIf && d.severity !== "warn" ? { error_if: errorIf } : {}),
  };
}

/** The test as the server takes it; validation (and its messages) is the server's. */
export function draftToTest(d: TestDraft): ModelTest {
  return { ...draftTestBody(d), ...draftConfig(d) } as ModelTest;
}

function draftTestBody(d: TestDraft): ModelTest {
  switch (d.type) {
    case "not_null":
    case "unique":
      return { type: d.type, column: d.column.trim() };
    case "accepted_values":
      return {
        type: "accepted_values",
        column: d.column.trim(),
        values: d.values.filter((v) => v !== ""),
      };
    case "relationships":
      return { type: "relationships", column: d.column.trim(), to: d.to.trim(), field: d.field.trim() };
    case "row_count": {
      const min = bound(d.min);
      const max = bound(d.max);
      return { type: "row_count", ...(min !== undefined ? { min } : {}), ...(max !== undefined ? { max } : {}) };
    }
    case "custom_sql":
      return { type: "custom_sql", name: d.name.trim(), sql: d.sql };
  }
}

/**
 * Values as typed or pasted into the accepted-values list: split at commas and line breaks, each
 * trimmed and unquoted, so a pasted `paid, refunded` is two values, never one. A value that holds
 * a comma itself is written in double quotes (`"a, b"`), as in a CSV line.
 */
export function splitValues(text: string): string[] {
  const out: string[] = [];
  for (const match of text.matchAll(/\s*(?:"((?:[^"]|"")*)"|'([^']*)'|([^,\n\r]*))\s*(?:[,\n\r]|$)/g)) {
    if (match[0] === "") break;
    const value = (match[1]?.replace(/""/g, '"') ?? match[2] ?? match[3] ?? "").trim();
    if (value !== "") out.push(value);
  }
  return out;
}

/** The list with `added` appended, each value once, in the order first seen. */
export function addValues(list: readonly string[], added: readonly string[]): string[] {
  return [...new Set([...list, ...added])];
}

export function descriptionsToDrafts(descriptions: Record<string, string>): DescriptionDraft[] {
  return Object.entries(descriptions).map(([column, description], key) => ({ key, column, description }));
}

export function draftsToDescriptions(drafts: readonly DescriptionDraft[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const d of drafts) {
    const column = d.column.trim();
    if (column || d.description.trim()) out[column] = d.description;
  }
  return out;
}

export function parseUniqueKey(text: string): string[] {
  return text
    .split(",")
    .map((c) => c.trim())
    .filter(Boolean);
}

/** The saved state of a model as the editor shows it, and its input for saveModel. */
export type ModelContent = {
  description: string;
  sql: string;
  materialization: Materialization;
  uniqueKey: string[];
  /** Snapshot models only; null for the others. */
  snapshot: SnapshotConfig | null;
  columnDescriptions: Record<string, string>;
  tests: ModelTest[];
};

/**
 * JSON with object keys in a fixed order ("type" first, the rest sorted): Postgres's jsonb keeps
 * its own key order, so content read back must compare equal to the same content typed in.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (!v || typeof v !== "object" || Array.isArray(v)) return v;
    const entries = Object.entries(v as Record<string, unknown>).sort(([a], [b]) =>
      a === "type" ? -1 : b === "type" ? 1 : a < b ? -1 : a > b ? 1 : 0,
    );
    return Object.fromEntries(entries);
  });
}

export function sameContent(a: ModelContent, b: ModelContent): boolean {
  return canonicalJson(a) === canonicalJson(b);
}

/**
 * A model's content as one text, for diffs between revisions: the SQL first, then the settings
 * that changed less often, so a diff shows every difference a restore would bring back.
 */
export function contentAsText(c: ModelContent): string {
  const lines = [c.sql.replace(/\s+$/, ""), "", `-- materialization: ${c.materialization}`];
  if (c.uniqueKey.length) lines.push(`-- unique key: ${c.uniqueKey.join(", ")}`);
  if (c.snapshot) lines.push(`-- snapshot: ${snapshotInWords(c.snapshot, c.uniqueKey)}`);
  if (c.description) lines.push(`-- description: ${c.description.replace(/\n/g, "\n--   ")}`);
  for (const [column, text] of Object.entries(c.columnDescriptions)) lines.push(`-- column ${column}: ${text.replace(/\n/g, " ")}`);
  for (const test of c.tests) lines.push(`-- test: ${canonicalJson(test)}`);
  return `${lines.join("\n")}\n`;
}

/** Field errors of the save, by path prefix ("tests.2" gets "tests.2.column" and "tests.2"). */
export function errorsUnder(fieldErrors: Record<string, string[]> | undefined, prefix: string): string[] | undefined {
  if (!fieldErrors) return undefined;
  const out: string[] = [];
  for (const [key, messages] of Object.entries(fieldErrors)) {
    if (key === prefix || key.startsWith(`${prefix}.`)) {
      const sub = key.slice(prefix.length + 1);
      out.push(...messages.map((m) => (sub && !/^\d+$/.test(sub) ? `${sub}: ${m}` : m)));
    }
  }
  return out.length ? out : undefined;
}
