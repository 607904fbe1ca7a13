"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";
import {
  ActivityIcon,
  BoxesIcon,
  DatabaseIcon,
  HistoryIcon,
  LayoutDashboardIcon,
  SendIcon,
  SettingsIcon,
  UsersIcon,
  WorkflowIcon,
  type LucideIcon,
} from "lucide-react";
import { cn } from "@/lib/utils";
import { activeHref, type NavIconName, type NavItem } from "./nav-items";

const ICONS: Record<NavIconName, LucideIcon> = {
  dashboard: LayoutDashboardIcon,
  datasets: DatabaseIcon,
  models: BoxesIcon,
  destinations: SendIcon,
  pipelines: WorkflowIcon,
  runs: HistoryIcon,
  status: ActivityIcon,
  settings: SettingsIcon,
  users: UsersIcon,
};

export function NavLinks({ items, onNavigate }: { items: readonly NavItem[]; onNavigate?: () => void }) {
  const pathname = usePathname();
  const current = activeHref(pathname, items);
  return (
    <ul className="flex flex-col gap-1">
      {items.map((item) => {
        const Icon = ICONS[item.icon];
        const active = item.href === current;
        return (
          <li key={item.href}>
            <Link
              href={item.href}
              aria-current={active ? "page" : undefined}
              onClick={onNavigate}
              className={cn(
                "flex items-center gap-3 rounded-md px-3 py-2 text-sm font-medium transition-colors outline-none",
                "focus-visible:ring-sidebar-ring focus-visible:ring-[3px]",
                active
                  ? "bg-sidebar-accent text-sidebar-accent-foreground"
                  : "text-sidebar-foreground/80 hover:bg-sidebar-accent/60 hover:text-sidebar-accent-foreground",
              )}
            >
              <Icon className="size-4 shrink-0" aria-hidden="true" />
              {item.label}
            </Link>
          </li>
        );
      })}
    </ul>
  );
}
