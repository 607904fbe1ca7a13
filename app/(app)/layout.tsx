import type { ReactNode } from "react";
import Link from "next/link";
import { SendIcon } from "lucide-react";
import { requireUser } from "@/lib/auth/session";
import { roleAtLeast } from "@/lib/auth/roles";
import { MobileNav } from "./mobile-nav";
import { NavLinks } from "./nav-links";
import { NAV_ITEMS } from "./nav-items";
import { UserMenu } from "./user-menu";

export default async function AppLayout({ children }: { children: ReactNode }) {
  // Keeps signed-out visitors out of the shell; every page and action still checks for itself.
  const user = await requireUser();
  const items = NAV_ITEMS.filter((item) => !item.minRole || roleAtLeast(user.role, item.minRole));

  return (
    <>
      {/* Focused, it becomes a bar above the page that pushes the shell down, so it never covers the logo or the menu. */}
      <a
        href="#main-content"
        data-testid="skip-link"
        className="bg-background text-foreground sr-only text-sm font-medium underline underline-offset-4 [--focus-offset:-4px] focus:not-sr-only focus:block focus:border-b focus:px-4 focus:py-3"
      >
        Skip to content
      </a>
      <div className="flex min-h-svh">
        <aside className="bg-sidebar text-sidebar-foreground border-sidebar-border sticky top-0 hidden h-svh w-60 shrink-0 flex-col border-r md:flex">
          <div className="flex h-14 items-center px-5">
            <Brand />
          </div>
          <nav aria-label="Main" className="flex-1 overflow-y-auto px-3 py-2">
            <NavLinks items={items} />
          </nav>
        </aside>
        <div className="flex min-w-0 flex-1 flex-col">
          <header className="bg-background/95 supports-[backdrop-filter]:bg-background/80 sticky top-0 z-40 flex h-14 items-center gap-2 border-b px-3 backdrop-blur sm:px-4 md:px-8">
            <MobileNav items={items} />
            <div className="md:hidden">
              <Brand />
            </div>
            <div className="ml-auto">
              <UserMenu email={user.email} name={user.name} role={user.role} />
            </div>
          </header>
          <main id="main-content" tabIndex={-1} className="flex-1 px-4 py-6 outline-none sm:px-6 md:px-8 md:py-8">
            <div className="mx-auto flex w-full max-w-6xl flex-col gap-6">{children}</div>
          </main>
        </div>
      </div>
    </>
  );
}

function Brand() {
  return (
    <Link href="/" className="flex items-center gap-2 font-semibold" aria-label="Relayboard home">
      <span className="bg-primary text-primary-foreground flex size-7 items-center justify-center rounded-md">
        <SendIcon className="size-4" aria-hidden="true" />
      </span>
      <span aria-hidden="true">Relayboard</span>
    </Link>
  );
}
