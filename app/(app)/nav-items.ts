import type { Role } from "@/db/schema/users";

export type NavItem = { href: string; label: string; icon: NavIconName; minRole?: Role };

// Icons are named, not imported here, so this list can cross from the server layout to client nav.
export type NavIconName = "dashboard" | "datasets" | "models" | "destinations" | "pipelines" | "runs" | "status" | "settings" | "users";

export const NAV_ITEMS: readonly NavItem[] = [
  { href: "/", label: "Dashboard", icon: "dashboard" },
  { href: "/datasets", label: "Datasets", icon: "datasets" },
  { href: "/models", label: "Models", icon: "models" },
  { href: "/destinations", label: "Destinations", icon: "destinations" },
  { href: "/pipelines", label: "Pipelines", icon: "pipelines" },
  { href: "/runs", label: "Runs", icon: "runs" },
  { href: "/status", label: "Status", icon: "status" },
  { href: "/settings", label: "Settings", icon: "settings" },
  { href: "/settings/users", label: "Users", icon: "users", minRole: "admin" },
];

/** The one item a path belongs to: the longest matching href, so /settings/users is Users, not Settings. */
export function activeHref(pathname: string, items: readonly NavItem[]): string | undefined {
  let best: string | undefined;
  for (const { href } of items) {
    const matches = href === "/" ? pathname === "/" : pathname === href || pathname.startsWith(`${href}/`);
    if (matches && (!best || href.length > best.length)) best = href;
  }
  return best;
}
