import { eq } from "drizzle-orm";
import { z } from "zod";
import { getDb } from "@/lib/db/client";
import { UNIT_SYSTEMS, userPreferences, type UnitSystem } from "@/lib/db/schema";
import { unitSystemForLocale, type DisplayContext } from "./units";

/** The user's chosen unit system, or null to follow the browser's locale. */
export async function getUnitPreference(userId: string): Promise<UnitSystem | null> {
  const db = await getDb();
  const [row] = await db
    .select({ unitSystem: userPreferences.unitSystem })
    .from(userPreferences)
    .where(eq(userPreferences.userId, userId));
  return row?.unitSystem ?? null;
}

export const unitPreferenceInput = z.object({ unitSystem: z.enum(UNIT_SYSTEMS).nullable() });

export async function setUnitPreference(userId: string, unitSystem: UnitSystem | null): Promise<void> {
  const db = await getDb();
  await db
    .insert(userPreferences)
    .values({ userId, unitSystem })
    .onConflictDoUpdate({ target: userPreferences.userId, set: { unitSystem, updatedAt: new Date() } });
}

/** How to print values for this user: their unit system (or the locale's) in their locale. */
export async function displayContext(userId: string, locale: string): Promise<DisplayContext> {
  const chosen = await getUnitPreference(userId);
  return { locale, system: chosen ?? unitSystemForLocale(locale) };
}
