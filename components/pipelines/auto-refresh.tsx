"use client";

import { useEffect } from "react";
import { useRouter } from "next/navigation";

/** Refreshes the page's server data every `intervalMs` while mounted and visible (pages mount it only while a run is live). */
export function AutoRefresh({ intervalMs }: { intervalMs: number }) {
  const router = useRouter();
  useEffect(() => {
    const timer = setInterval(() => {
      if (document.visibilityState === "visible") router.refresh();
    }, intervalMs);
    return () => clearInterval(timer);
  }, [router, intervalMs]);
  return null;
}
