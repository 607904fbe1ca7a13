import type { ReactNode } from "react";
import { SendIcon } from "lucide-react";

export default function AuthLayout({ children }: { children: ReactNode }) {
  return (
    <div className="bg-muted/40 flex min-h-svh flex-col items-center justify-center gap-6 p-4 sm:p-8">
      <div className="flex items-center gap-2 text-lg font-semibold">
        <span className="bg-primary text-primary-foreground flex size-8 items-center justify-center rounded-md">
          <SendIcon className="size-4" aria-hidden="true" />
        </span>
        Relayboard
      </div>
      <main className="w-full max-w-sm">{children}</main>
    </div>
  );
}
