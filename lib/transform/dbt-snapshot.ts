import type { SnapshotConfig } from "@/db/schema/models";

/**
 * dbt snapshots ⇄ Relayboard snapshot models. dbt writes a snapshot as a block in snapshots/*.sql
 *   {% snapshot name %} {{ config(unique_key='id', strategy='timestamp', updated_at='updated_at') }} select … {% endsnapshot %}
 * or (dbt 1.9+) as a `snapshots:` entry in YAML with `relation: ref('x')` and a `config:` block.
 * Only strategy, updated_at, check_cols and unique_key carry over; dbt's other snapshot settings
 * (target_schema, hard_deletes, dbt_valid_to_current, snapshot_meta_column_names) have no
 * counterpart: Relayboard always records deletions as new rows and names its columns itself.
 */
export type DbtSnapshotConfig = { strategy?: unknown; updated_at?: unknown; check_cols?: unknown };

export function toDbtSnapshotConfig(config: SnapshotConfig): { strategy: string; updated_at?: string; check_cols?: string | string[] } {
  return config.strategy === "timestamp"
    ? { strategy: "timestamp", updated_at: config.updatedAt }
    : { strategy: "check", check_cols: config.columns ?? "all" };
}

/** dbt's snapshot config as Relayboard's rule; undefined when it is not one (no or another strategy). */
export function fromDbtSnapshotConfig(config: DbtSnapshotConfig | undefined): SnapshotConfig | undefined {
  if (!config) return undefined;
  if (config.strategy === "timestamp" && typeof config.updated_at === "string")
    return { strategy: "timestamp", updatedAt: config.updated_at };
  if (config.strategy !== "check") return undefined;
  const cols = config.check_cols;
  if (Array.isArray(cols) && cols.length && cols.every((c) => typeof c === "string")) return { strategy: "check", columns: cols };
  return { strategy: "check" };
}

/** The snapshot keys of a `{{ config(…) }}` call's arguments (strings and string lists only). */
export function snapshotConfigArgs(args: string): DbtSnapshotConfig {
  const text = (key: string) => new RegExp(`\\b${key}\\s*=\\s*['"]([^'"]*)['"]`).exec(args)?.[1];
  const list = (key: string) => {
    const inner = new RegExp(`\\b${key}\\s*=\\s*\\[([^\\]]*)\\]`).exec(args)?.[1];
    return inner === undefined ? undefined : [...inner.matchAll(/['"]([^'"]+)['"]/g)].map((m) => m[1]!);
  };
  return { strategy: text("strategy"), updated_at: text("updated_at"), check_cols: list("check_cols") ?? text("check_cols") };
}

const SNAPSHOT_BLOCK = /\{%-?\s*snapshot\s+(\w+)\s*-?%\}([\s\S]*?)\{%-?\s*endsnapshot\s*-?%\}/g;

/** The `{% snapshot name %} … {% endsnapshot %}` blocks of a dbt snapshots/*.sql file. */
export function snapshotBlocks(text: string): { name: string; body: string }[] {
  return [...text.matchAll(SNAPSHOT_BLOCK)].map((m) => ({ name: m[1]!, body: m[2]!.trim() }));
}

/** A snapshot model as a dbt snapshot file: the block with its config, around the model's SELECT. */
export function snapshotFile(name: string, sql: string, uniqueKey: readonly string[], config: SnapshotConfig): string {
  const quoted = (v: string) => `'${v.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
  const dbt = toDbtSnapshotConfig(config);
  const args = [
    `unique_key=${uniqueKey.length === 1 ? quoted(uniqueKey[0]!) : `[${uniqueKey.map(quoted).join(", ")}]`}`,
    `strategy=${quoted(dbt.strategy)}`,
    ...(dbt.updated_at ? [`updated_at=${quoted(dbt.updated_at)}`] : []),
    ...(dbt.check_cols
      ? [`check_cols=${Array.isArray(dbt.check_cols) ? `[${dbt.check_cols.map(quoted).join(", ")}]` : quoted(dbt.check_cols)}`]
      : []),
  ];
  return `{% snapshot ${name} %}\n{{ config(${args.join(", ")}) }}\n${sql.trim()}\n{% endsnapshot %}\n`;
}
