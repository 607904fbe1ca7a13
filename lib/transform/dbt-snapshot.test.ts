import { describe, expect, it } from "vitest";
import { fromDbtSnapshotConfig, snapshotBlocks, snapshotConfigArgs, snapshotFile, toDbtSnapshotConfig } from "@/lib/transform/dbt-snapshot";

describe("dbt snapshot config", () => {
  it("maps both strategies both ways", () => {
    expect(toDbtSnapshotConfig({ strategy: "timestamp", updatedAt: "updated_at" })).toEqual({
      strategy: "timestamp",
      updated_at: "updated_at",
    });
    expect(toDbtSnapshotConfig({ strategy: "check" })).toEqual({ strategy: "check", check_cols: "all" });
    expect(toDbtSnapshotConfig({ strategy: "check", columns: ["a"] })).toEqual({ strategy: "check", check_cols: ["a"] });
    expect(fromDbtSnapshotConfig({ strategy: "timestamp", updated_at: "u" })).toEqual({ strategy: "timestamp", updatedAt: "u" });
    expect(fromDbtSnapshotConfig({ strategy: "check", check_cols: "all" })).toEqual({ strategy: "check" });
    expect(fromDbtSnapshotConfig({ strategy: "check", check_cols: ["a", "b"] })).toEqual({ strategy: "check", columns: ["a", "b"] });
  });

  it("is not a rule without a known strategy, or a timestamp without its column", () => {
    expect(fromDbtSnapshotConfig(undefined)).toBeUndefined();
    expect(fromDbtSnapshotConfig({ strategy: "timestamp" })).toBeUndefined();
    expect(fromDbtSnapshotConfig({ strategy: "custom" })).toBeUndefined();
  });

  it("reads config() arguments, lists and strings", () => {
    expect(snapshotConfigArgs(`target_schema='snapshots', unique_key='id', strategy='check', check_cols=['status', "amount"]`)).toEqual({
      strategy: "check",
      updated_at: undefined,
      check_cols: ["status", "amount"],
    });
    expect(snapshotConfigArgs(`strategy="timestamp", updated_at='updated_at'`)).toMatchObject({
      strategy: "timestamp",
      updated_at: "updated_at",
    });
  });
});

describe("snapshot files", () => {
  it("reads every block of a file, with whitespace control", () => {
    const text = `{% snapshot orders_snapshot %}\n{{ config(unique_key='id', strategy='check', check_cols='all') }}\nselect * from {{ ref('orders') }}\n{% endsnapshot %}\n\n{%- snapshot b -%} select 1 as id {%- endsnapshot -%}`;
    expect(snapshotBlocks(text)).toEqual([
      {
        name: "orders_snapshot",
        body: "{{ config(unique_key='id', strategy='check', check_cols='all') }}\nselect * from {{ ref('orders') }}",
      },
      { name: "b", body: "select 1 as id" },
    ]);
  });

  it("writes a block that reads back the same", () => {
    const file = snapshotFile("h", "select 1 as id, now() as at\n", ["id", "region"], { strategy: "timestamp", updatedAt: "at" });
    expect(file).toBe(
      "{% snapshot h %}\n{{ config(unique_key=['id', 'region'], strategy='timestamp', updated_at='at') }}\nselect 1 as id, now() as at\n{% endsnapshot %}\n",
    );
    const [block] = snapshotBlocks(file);
    expect(fromDbtSnapshotConfig(snapshotConfigArgs(block!.body))).toEqual({ strategy: "timestamp", updatedAt: "at" });
    expect(snapshotFile("c", "select 1 as id", ["id"], { strategy: "check", columns: ["a"] })).toContain(
      "config(unique_key='id', strategy='check', check_cols=['a'])",
    );
  });
});
