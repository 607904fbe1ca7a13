import { describe, expect, it } from "vitest";
import { referencedRelations, type CompletionData } from "./sql-completion";

const data: CompletionData = {
  relations: { warehouse: { orders: ["id", "region", "amount"], customers: ["id", "name"] }, staging: { orders: ["id", "region"] } },
  models: [],
  datasets: ["orders", "customers"],
};

describe("columns of what a model reads", () => {
  it("finds each ref()/source() with its catalog columns and alias", () => {
    const reads = referencedRelations(
      "select o.id from {{ ref('orders') }} as o\njoin {{ ref(\"customers\") }} c on c.id = o.id\nwhere exists (select 1 from {{ source('orders') }} where true)",
      data,
    );
    expect(reads).toEqual([
      { relation: "orders", columns: ["id", "region", "amount"], alias: "o" },
      { relation: "customers", columns: ["id", "name"], alias: "c" },
      { relation: "orders", columns: ["id", "region"], alias: null },
    ]);
  });

  it("knows no columns of a relation the catalog lacks (a model not built yet)", () => {
    expect(referencedRelations("select * from {{ ref('later') }}", data)).toEqual([{ relation: "later", columns: [], alias: null }]);
  });
});
