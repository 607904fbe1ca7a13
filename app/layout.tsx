import type { Metadata, Viewport } from "next";
import type { ReactNode } from "react";
import { headers } from "next/headers";
import { Providers } from "@/app/providers";
import { NONCE_HEADER } from "@/lib/csp";
import "./globals.css";

const FAVICON_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="7" fill="#171717"/>' +
  '<g transform="translate(4 4)" fill="none" stroke="#fff" stroke-width="2" stroke-linecap="round" stroke-linejoin="round">' +
  '<path d="M14.536 21.686a.5.5 0 0 0 .937-.024l6.5-19a.496.496 0 0 0-.635-.635l-19 6.5a.5.5 0 0 0-.024.937l7.93 3.18a2 2 0 0 1 1.112 1.11z"/>' +
  '<path d="m21.854 2.147-10.94 10.939"/></g></svg>';

export const metadata: Metadata = {
  title: { default: "Relayboard", template: "%s · Relayboard" },
  description: "Turn CSV datasets into Slack messages: CSV → Postgres → SQL models → Slack.",
  // Inline, so the mark needs no file and the browser does not ask for a missing /favicon.ico.
  icons: { icon: `data:image/svg+xml,${encodeURIComponent(FAVICON_SVG)}` },
};

export const viewport: Viewport = {
  themeColor: [
    { media: "(prefers-color-scheme: light)", color: "#ffffff" },
    { media: "(prefers-color-scheme: dark)", color: "#0a0a0a" },
  ],
};

export default async function RootLayout({ children }: { children: ReactNode }) {
  // Reading the request's nonce (proxy.ts) renders every page per request, which is how Next.js
  // puts the nonce on its scripts; the theme script needs it too.
  const nonce = (await headers()).get(NONCE_HEADER) ?? undefined;
  return (
    // next-themes sets the class on <html> before hydration; React would otherwise warn about it.
    <html lang="en" suppressHydrationWarning>
      <body className="min-h-svh font-sans antialiased">
        <Providers nonce={nonce}>{children}</Providers>
      </body>
    </html>
  );
}
