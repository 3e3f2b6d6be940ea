import { sql } from "drizzle-orm";
import { getDb } from "@/lib/db/client";
import { webhookCounters } from "@/lib/db/schema";

/**
 * Per provider, reason and UTC day: how many webhook requests were accepted, collapsed as
 * duplicates, refused (forged, stale, malformed, oversized, unsupported_media_type) or acknowledged
 * without work (unknown_user, disconnected). Increments are summed in memory and written at most
 * once a second in one statement, so a burst of notifications does not queue on one counter row.
 */

export type WebhookCounterReason =
  | "accepted"
  | "duplicate"
  | "forged"
  | "stale"
  | "malformed"
  | "oversized"
  | "unsupported_media_type"
  | "unknown_user"
  | "disconnected"
  | "processed"
  | "ignored"
  | "failed";

const FLUSH_AFTER_MS = 1000;

const STATE = Symbol.for("wearables.webhooks.counters");
interface CounterState {
  pending: Map<string, number>;
  timer: ReturnType<typeof setTimeout> | null;
  flushing: Promise<void> | null;
}
type GlobalWithCounters = typeof globalThis & { [STATE]?: CounterState };

function state(): CounterState {
  const g = globalThis as GlobalWithCounters;
  return (g[STATE] ??= { pending: new Map(), timer: null, flushing: null });
}

export function countWebhook(provider: string, reason: WebhookCounterReason, now = new Date()): void {
  const s = state();
  const key = `${provider}|${reason}|${now.toISOString().slice(0, 10)}`;
  s.pending.set(key, (s.pending.get(key) ?? 0) + 1);
  if (!s.timer) {
    s.timer = setTimeout(() => {
      s.timer = null;
      flushWebhookCounters().catch((error: unknown) =>
        console.error(`[webhooks] Could not write counters: ${(error as Error).message}`),
      );
    }, FLUSH_AFTER_MS);
    s.timer.unref?.();
  }
}

/** Writes the counts gathered so far (the timer does this; tests and shutdown call it directly). */
export async function flushWebhookCounters(): Promise<void> {
  const s = state();
  if (s.flushing) await s.flushing;
  if (s.pending.size === 0) return;
  const batch = [...s.pending];
  s.pending.clear();
  const work = (async () => {
    const db = await getDb();
    try {
      await db
        .insert(webhookCounters)
        .values(
          batch.map(([key, count]) => {
            const [provider, reason, day] = key.split("|") as [string, string, string];
            return { provider, reason, day, count };
          }),
        )
        .onConflictDoUpdate({
          target: [webhookCounters.provider, webhookCounters.reason, webhookCounters.day],
          set: { count: sql`${webhookCounters.count} + excluded.count` },
        });
    } catch (error) {
      // Put the counts back: the next flush tries again.
      for (const [key, count] of batch) s.pending.set(key, (s.pending.get(key) ?? 0) + count);
      throw error;
    }
  })();
  s.flushing = work;
  try {
    await work;
  } finally {
    s.flushing = null;
  }
}
