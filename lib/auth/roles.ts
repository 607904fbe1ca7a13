import type { Role } from "@/db/schema/users";

const RANK: Record<Role, number> = { viewer: 0, editor: 1, admin: 2 };

export function roleAtLeast(actual: Role, required: Role): boolean {
  return RANK[actual] >= RANK[required];
}

export const ROLE_DESCRIPTIONS: Record<Role, string> = {
  viewer: "Reads datasets, models, runs and deliveries",
  editor: "Creates and runs datasets, models, destinations and pipelines",
  admin: "Everything an editor can do, plus users and settings",
};
