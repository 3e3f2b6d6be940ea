import { eq } from "drizzle-orm";
import { z } from "zod";
import { getDb } from "@/lib/db/client";
import { userPreferences } from "@/lib/db/schema";

/**
 * The user's days: "today" and the ranges of the tiles and detail views are calendar days in the
 * user's IANA time zone (saved from the browser), not the server's. Without a saved zone the
 * server's own day is used, as before.
 */

let ianaZones: Set<string> | undefined;
/** The IANA zones this runtime knows (Intl's canonical list), plus UTC. */
function knownZones(): Set<string> {
  ianaZones ??= new Set([...Intl.supportedValuesOf("timeZone"), "UTC"]);
  return ianaZones;
}

/**
 * The canonical IANA name of `value` ("Asia/Calcutta" → "Asia/Kolkata"), or null when it is not
 * an IANA zone of the list (offsets like "+01:00", abbreviations, made-up names).
 */
export function canonicalTimeZone(value: string): string | null {
  if (!/^[A-Za-z][A-Za-z0-9_+\-/]{0,63}$/.test(value)) return null;
  let resolved: string;
  try {
    resolved = new Intl.DateTimeFormat("en-US", { timeZone: value }).resolvedOptions().timeZone;
  } catch {
    return null;
  }
  if (knownZones().has(resolved)) return resolved;
  // Some runtimes resolve a link to a name outside their canonical list ("Etc/UTC"): accept the name if listed.
  return knownZones().has(value) ? value : null;
}

export const timeZoneInput = z.object({
  timeZone: z
    .string()
    .max(64)
    .transform((value, ctx) => {
      const zone = canonicalTimeZone(value);
      if (!zone) {
        ctx.addIssue({ code: "custom", message: "must be an IANA time zone such as Europe/Berlin" });
        return z.NEVER;
      }
      return zone;
    }),
});

/** The calendar day ("yyyy-MM-dd") of `now` in `timeZone`. */
export function dayIn(timeZone: string, now: Date = new Date()): string {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
  }).formatToParts(now);
  const get = (type: string) => parts.find((p) => p.type === type)!.value;
  return `${get("year")}-${get("month")}-${get("day")}`;
}

/**
 * "Today" for date arithmetic on the server: noon (server time) of the user's current calendar day,
 * so that formatting it or stepping whole days from it gives the user's days. Null zone: `now`.
 */
export function userTodayAt(timeZone: string | null, now: Date = new Date()): Date {
  if (!timeZone) return now;
  const [y, m, d] = dayIn(timeZone, now).split("-").map(Number);
  return new Date(y!, m! - 1, d, 12);
}

export async function getTimeZone(userId: string): Promise<string | null> {
  const db = await getDb();
  const [row] = await db
    .select({ timeZone: userPreferences.timeZone })
    .from(userPreferences)
    .where(eq(userPreferences.userId, userId));
  return row?.timeZone ?? null;
}

/** The user's "today" (see userTodayAt) from their saved time zone. */
export async function userToday(userId: string, now: Date = new Date()): Promise<Date> {
  return userTodayAt(await getTimeZone(userId), now);
}

export async function setTimeZone(userId: string, timeZone: string): Promise<void> {
  const db = await getDb();
  await db
    .insert(userPreferences)
    .values({ userId, timeZone })
    .onConflictDoUpdate({ target: userPreferences.userId, set: { timeZone, updatedAt: new Date() } });
}
