"use client";

import { useRouter } from "next/navigation";
import { useEffect } from "react";
import { apiFetch } from "@/components/api-fetch";

/** Whether two IANA names are the same zone for this browser ("Asia/Calcutta" and "Asia/Kolkata" are). */
function sameZone(a: string, b: string): boolean {
  try {
    const resolve = (zone: string) => new Intl.DateTimeFormat("en-US", { timeZone: zone }).resolvedOptions().timeZone;
    return resolve(a) === resolve(b);
  } catch {
    return false;
  }
}

/**
 * Days are the user's days: saves the browser's IANA time zone when none is saved or the user is now
 * elsewhere, then re-renders the page so its "today" and ranges are computed in that zone.
 */
export function SaveBrowserTimeZone({ saved }: { saved: string | null }) {
  const router = useRouter();
  useEffect(() => {
    const browser = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (!browser || (saved && sameZone(saved, browser))) return;
    let active = true;
    apiFetch("/api/v1/settings/time-zone", { method: "PUT", body: JSON.stringify({ timeZone: browser }) }).then(
      () => {
        if (active) router.refresh();
      },
      // Not worth interrupting the user for: the server's day is used until it is saved.
      () => undefined,
    );
    return () => {
      active = false;
    };
  }, [saved, router]);
  return null;
}
