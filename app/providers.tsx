"use client";

import type { ReactNode } from "react";
import { SessionProvider } from "next-auth/react";
import { ThemeProvider } from "next-themes";
import { Toaster } from "@/components/ui/sonner";

export function Providers({ children, nonce }: { children: ReactNode; nonce?: string }) {
  return (
    <ThemeProvider attribute="class" defaultTheme="system" enableSystem disableTransitionOnChange nonce={nonce}>
      {/* The server reads the session fresh on every request; the client copy is only for signIn/signOut. */}
      <SessionProvider refetchOnWindowFocus={false}>
        {children}
        <Toaster position="top-right" closeButton />
      </SessionProvider>
    </ThemeProvider>
  );
}
