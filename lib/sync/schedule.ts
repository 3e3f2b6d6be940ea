import { and, eq, inArray, isNotNull, lt, min } from "drizzle-orm";
import { format, subDays } from "date-fns";
import { getDb } from "@/lib/db/client";
import { connections, pendingRecords, syncRuns } from "@/lib/db/schema";
import { createSyncRun, rangeFromDays } from "./engine";

/** Polling re-reads a few days back: providers revise recent days (late uploads, re-scoring). */
const POLL_LOOKBACK_DAYS = 3;
const MAX_POLL_DAYS = 30;

/**
 * Creates one poll sync run per active connection that is not already syncing. The range starts
 * at the oldest still-pending record (so unscored records are picked up later) or a few days back.
 */
export async function planPollSyncs(now = new Date()): Promise<Array<{ connectionId: string; syncRunId: string }>> {
  const db = await getDb();
  const active = await db.select({ id: connections.id }).from(connections).where(eq(connections.status, "active"));
  if (active.length === 0) return [];
  const busy = await db
    .select({ connectionId: syncRuns.connectionId })
    .from(syncRuns)
    .where(
      and(
        inArray(syncRuns.status, ["queued", "running"]),
        inArray(
          syncRuns.connectionId,
          active.map((c) => c.id),
        ),
      ),
    );
  const busyIds = new Set(busy.map((b) => b.connectionId));
  const oldestPending = await db
    .select({ connectionId: pendingRecords.connectionId, day: min(pendingRecords.day) })
    .from(pendingRecords)
    .where(isNotNull(pendingRecords.day))
    .groupBy(pendingRecords.connectionId);
  const endDay = format(now, "yyyy-MM-dd");
  const floor = format(subDays(now, MAX_POLL_DAYS - 1), "yyyy-MM-dd");
  const planned = [];
  for (const { id } of active) {
    if (busyIds.has(id)) continue;
    const lookback = format(subDays(now, POLL_LOOKBACK_DAYS), "yyyy-MM-dd");
    const pending = oldestPending.find((p) => p.connectionId === id)?.day;
    const earliest = pending && pending < lookback ? pending : lookback;
    const startDay = earliest < floor ? floor : earliest;
    const run = await createSyncRun({ connectionId: id, kind: "poll", range: rangeFromDays(startDay, endDay) });
    planned.push({ connectionId: id, syncRunId: run.id });
  }
  return planned;
}

/** Active connections whose access token expires within `withinMs`. */
export async function connectionsWithExpiringTokens(withinMs: number, now = new Date()): Promise<string[]> {
  const db = await getDb();
  const rows = await db
    .select({ id: connections.id })
    .from(connections)
    .where(
      and(
        eq(connections.status, "active"),
        isNotNull(connections.tokenExpiresAt),
        lt(connections.tokenExpiresAt, new Date(now.getTime() + withinMs)),
      ),
    );
  return rows.map((r) => r.id);
}

/**
 * Development runner only: runs left queued or running by a previous process (a restart mid-sync)
 * are handed back so they finish. Upserts make repeating a half-done collection harmless.
 */
export async function interruptedSyncRuns(): Promise<Array<{ connectionId: string; syncRunId: string; kind: string }>> {
  const db = await getDb();
  const rows = await db
    .select({ connectionId: syncRuns.connectionId, syncRunId: syncRuns.id, kind: syncRuns.kind })
    .from(syncRuns)
    .where(inArray(syncRuns.status, ["queued", "running"]));
  return rows;
}
