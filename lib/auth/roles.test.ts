import { describe, expect, it } from "vitest";
import { roleAtLeast } from "@/lib/auth/roles";

describe("roleAtLeast", () => {
  it("orders viewer < editor < admin", () => {
    expect(roleAtLeast("viewer", "editor")).toBe(false);
    expect(roleAtLeast("editor", "editor")).toBe(true);
    expect(roleAtLeast("admin", "editor")).toBe(true);
    expect(roleAtLeast("editor", "admin")).toBe(false);
    expect(roleAtLeast("viewer", "viewer")).toBe(true);
  });
});
