import { and, desc, eq } from "drizzle-orm";
import { getDb } from "@/lib/db/client";
import { sandboxUploads } from "@/lib/db/schema";
import { sandboxNow } from "./clock";
import { localDay, localInstant, shiftDay } from "./data-generator";

/**
 * "The wearer's device uploaded another day": each row of `sandbox_uploads` makes one more local
 * day of an account's generated data exist, beyond what the sandbox's clock (`SANDBOX_NOW` or the
 * wall clock) has produced by itself. The generator then runs as if it were the end of the
 * latest uploaded day: that day's night, activity and scores are there, complete.
 */

/** The latest day uploaded for an account, if any. */
export async function latestUploadedDay(provider: string, accountId: string): Promise<string | undefined> {
  const db = await getDb();
  const [row] = await db
    .select({ day: sandboxUploads.day })
    .from(sandboxUploads)
    .where(and(eq(sandboxUploads.provider, provider), eq(sandboxUploads.accountId, accountId)))
    .orderBy(desc(sandboxUploads.day))
    .limit(1);
  return row?.day;
}

/** The last instant of a local day. */
export function endOfLocalDay(day: string, timeZone: string): Date {
  return new Date(localInstant(shiftDay(day, 1), 0, timeZone).getTime() - 1);
}

/** The instant an account's data is generated at: the sandbox's clock, or the end of its latest uploaded day. */
export function dataNowFor(uploadedDay: string | undefined, timeZone: string, now: Date = sandboxNow()): Date {
  if (!uploadedDay) return now;
  const end = endOfLocalDay(uploadedDay, timeZone);
  return end.getTime() > now.getTime() ? end : now;
}

export async function sandboxDataNow(provider: string, accountId: string, timeZone: string): Promise<Date> {
  return dataNowFor(await latestUploadedDay(provider, accountId), timeZone);
}

/**
 * Records the next day of an account as uploaded and returns it, with the instant the account's
 * data stood at before. Concurrent uploads of the same account each get their own day (the
 * unique key makes a lost race retry with the following day).
 */
export async function recordUploadedDay(
  provider: string,
  accountId: string,
  timeZone: string,
): Promise<{ day: string; previousNow: Date; now: Date }> {
  const db = await getDb();
  for (let attempt = 0; attempt < 5; attempt++) {
    const latest = await latestUploadedDay(provider, accountId);
    const previousNow = dataNowFor(latest, timeZone);
    const day = shiftDay(localDay(previousNow, timeZone), 1);
    const inserted = await db
      .insert(sandboxUploads)
      .values({ provider, accountId, day })
      .onConflictDoNothing()
      .returning({ day: sandboxUploads.day });
    if (inserted.length) return { day, previousNow, now: dataNowFor(day, timeZone) };
  }
  throw new Error("Could not record the uploaded day: too many concurrent uploads for one account");
}
