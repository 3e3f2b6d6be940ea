import { and, eq, inArray, sql } from "drizzle-orm";
import { format, subDays } from "date-fns";
import { getDb } from "@/lib/db/client";
import { connections, dailyMetrics, pendingRecords, syncRuns, type SyncKind } from "@/lib/db/schema";
import {
  freshAccessToken,
  markConnectionDisconnected,
  refreshConnectionTokens,
  ConnectionUnavailableError,
} from "@/lib/connections/tokens";
import { metricUnit } from "@/lib/metrics/vocabulary";
import { createProviderApi } from "@/lib/providers/api-client";
import { ProviderAuthError, ProviderError } from "@/lib/providers/errors";
import { resolveProvider } from "@/lib/providers/runtime";
import type { Collection, MappingContext, MetricSample, SyncRange } from "@/lib/providers/types";

/**
 * Fetches a provider's collections for a date range, maps every payload into the metric
 * vocabulary and upserts it. Each collection is one unit of work (one Inngest step): it can be
 * retried on its own, and re-running it writes nothing new.
 */

const UPSERT_BATCH = 500;
/** Guard against a provider that never stops paging. */
const MAX_PAGES_PER_COLLECTION = 1000;

export function rangeEndingToday(days: number, today = new Date()): SyncRange {
  const endDay = format(today, "yyyy-MM-dd");
  const startDay = format(subDays(today, days - 1), "yyyy-MM-dd");
  return rangeFromDays(startDay, endDay);
}

export function rangeFromDays(startDay: string, endDay: string): SyncRange {
  return { startDay, endDay, start: new Date(`${startDay}T00:00:00Z`), end: new Date(`${endDay}T23:59:59.999Z`) };
}

type SyncRunRow = typeof syncRuns.$inferSelect;

export async function createSyncRun(input: {
  connectionId: string;
  kind: SyncKind;
  range: SyncRange;
}): Promise<SyncRunRow> {
  const db = await getDb();
  const [connection] = await db.select().from(connections).where(eq(connections.id, input.connectionId));
  if (!connection) throw new ConnectionUnavailableError("Connection not found");
  const [run] = await db
    .insert(syncRuns)
    .values({
      connectionId: connection.id,
      userId: connection.userId,
      provider: connection.provider,
      kind: input.kind,
      status: "queued",
      rangeStart: input.range.startDay,
      rangeEnd: input.range.endDay,
    })
    .returning();
  return run!;
}

export async function loadSyncRun(runId: string): Promise<SyncRunRow> {
  const db = await getDb();
  const [run] = await db.select().from(syncRuns).where(eq(syncRuns.id, runId));
  if (!run) throw new Error(`Sync run ${runId} not found`);
  return run;
}

export function collectionsFor(provider: string): Collection<unknown>[] {
  const runtime = resolveProvider(provider);
  if (!runtime) throw new ConnectionUnavailableError(`${provider} is not configured`);
  return runtime.provider.collections;
}

export async function markSyncRunRunning(runId: string): Promise<void> {
  const db = await getDb();
  await db
    .update(syncRuns)
    .set({ status: "running", startedAt: new Date(), error: null })
    .where(eq(syncRuns.id, runId));
}

/** Upserts samples; identical values are left alone so a re-run changes nothing. Returns rows written. */
export async function upsertDailyMetrics(userId: string, provider: string, samples: MetricSample[]): Promise<number> {
  if (samples.length === 0) return 0;
  const db = await getDb();
  // Last write wins inside one batch, as a single INSERT … ON CONFLICT cannot touch a row twice.
  const unique = new Map<string, MetricSample>();
  for (const s of samples) unique.set(`${s.metric}|${s.day}`, s);
  let written = 0;
  const all = [...unique.values()];
  for (let i = 0; i < all.length; i += UPSERT_BATCH) {
    const batch = all.slice(i, i + UPSERT_BATCH);
    const rows = await db
      .insert(dailyMetrics)
      .values(
        batch.map((s) => ({
          userId,
          provider,
          metric: s.metric,
          day: s.day,
          value: s.value,
          unit: metricUnit(s.metric),
        })),
      )
      .onConflictDoUpdate({
        target: [dailyMetrics.userId, dailyMetrics.provider, dailyMetrics.metric, dailyMetrics.day],
        set: { value: sql`excluded.value`, unit: sql`excluded.unit`, updatedAt: new Date() },
        setWhere: sql`${dailyMetrics.value} is distinct from excluded.value or ${dailyMetrics.unit} is distinct from excluded.unit`,
      })
      .returning({ id: dailyMetrics.id });
    written += rows.length;
  }
  return written;
}

export interface CollectionResult {
  ctx: MappingContext;
  recordsFetched: number;
  metricsWritten: number;
}

/**
 * One collection of one sync run: every page in the range, mapped and upserted page by page (so
 * a failure later keeps what was already fetched). An access token the provider refuses is
 * refreshed once; a second refusal disconnects the connection.
 */
export async function syncCollectionForRun(
  runId: string,
  collectionId: string,
  ctx: MappingContext = {},
): Promise<CollectionResult> {
  const run = await loadSyncRun(runId);
  const runtime = resolveProvider(run.provider);
  if (!runtime) throw new ConnectionUnavailableError(`${run.provider} is not configured`);
  const collections = runtime.provider.collections;
  const index = collections.findIndex((c) => c.id === collectionId);
  const collection = collections[index];
  if (!collection) throw new Error(`${run.provider} has no collection ${collectionId}`);
  const range = rangeFromDays(run.rangeStart!, run.rangeEnd!);
  const inRange = (s: MetricSample) => s.day >= range.startDay && s.day <= range.endDay;
  const context: MappingContext = { ...ctx };

  let token = await freshAccessToken(run.connectionId);
  let refreshed = false;
  const fetchPage = async (cursor: string | undefined) => {
    for (;;) {
      try {
        return await collection.fetchPage(
          createProviderApi(runtime.provider, runtime.endpoints.api, token.accessToken),
          range,
          cursor,
        );
      } catch (error) {
        if (!(error instanceof ProviderAuthError)) throw error;
        if (refreshed) {
          await markConnectionDisconnected(
            run.connectionId,
            `${runtime.provider.name} no longer accepts our access. Reconnect to resume syncing.`,
          );
          throw error;
        }
        refreshed = true;
        const row = await refreshConnectionTokens(run.connectionId, { seenVersion: token.tokenVersion });
        token = { accessToken: row.accessToken!, tokenVersion: row.tokenVersion };
      }
    }
  };

  let recordsFetched = 0;
  let metricsWritten = 0;
  const aggregated: unknown[] = [];
  let cursor: string | undefined;
  for (let page = 0; ; page++) {
    if (page >= MAX_PAGES_PER_COLLECTION)
      throw new ProviderError(`${runtime.provider.name} ${collection.id} did not stop paging`);
    const { items, nextCursor } = await fetchPage(cursor);
    recordsFetched += items.length;
    if (collection.aggregate) {
      aggregated.push(...items);
    } else {
      const mapped = items.flatMap((item) => collection.map(item, context)).filter(inRange);
      metricsWritten += await upsertDailyMetrics(run.userId, run.provider, mapped);
      await recordPending(run.connectionId, collection, items);
    }
    if (!nextCursor || nextCursor === cursor) break;
    cursor = nextCursor;
  }
  if (collection.aggregate) {
    metricsWritten += await upsertDailyMetrics(
      run.userId,
      run.provider,
      collection.aggregate(aggregated, context).filter(inRange),
    );
  }

  const db = await getDb();
  await db
    .update(syncRuns)
    .set({
      progress: Math.round(((index + 1) / collections.length) * 100),
      recordsFetched: sql`${syncRuns.recordsFetched} + ${recordsFetched}`,
      metricsWritten: sql`${syncRuns.metricsWritten} + ${metricsWritten}`,
    })
    .where(eq(syncRuns.id, runId));
  return { ctx: context, recordsFetched, metricsWritten };
}

/** Remembers unscored records and forgets the ones that have since been scored. */
async function recordPending(connectionId: string, collection: Collection<unknown>, items: unknown[]): Promise<void> {
  if (!collection.pending) return;
  const db = await getDb();
  const pending = items.map((item) => collection.pending!(item)).filter((p) => p !== undefined);
  const scoredIds = collection.externalId
    ? items
        .filter((item) => !collection.pending!(item))
        .map((item) => collection.externalId!(item))
        .filter((id): id is string => !!id)
    : [];
  if (pending.length) {
    await db
      .insert(pendingRecords)
      .values(
        pending.map((p) => ({
          connectionId,
          collection: collection.id,
          externalId: p.externalId,
          day: p.day ?? null,
          state: p.state,
        })),
      )
      .onConflictDoUpdate({
        target: [pendingRecords.connectionId, pendingRecords.collection, pendingRecords.externalId],
        set: { state: sql`excluded.state`, day: sql`excluded.day`, updatedAt: new Date() },
      });
  }
  if (scoredIds.length) {
    await db
      .delete(pendingRecords)
      .where(
        and(
          eq(pendingRecords.connectionId, connectionId),
          eq(pendingRecords.collection, collection.id),
          inArray(pendingRecords.externalId, scoredIds),
        ),
      );
  }
}

export async function finishSyncRun(runId: string): Promise<void> {
  const db = await getDb();
  const now = new Date();
  const [run] = await db
    .update(syncRuns)
    .set({ status: "succeeded", progress: 100, finishedAt: now })
    .where(eq(syncRuns.id, runId))
    .returning({ connectionId: syncRuns.connectionId, kind: syncRuns.kind });
  if (run) {
    await db
      .update(connections)
      // The backfill marker tells the poll planner this connection's history is in (lib/sync/schedule.ts).
      .set({ lastSyncedAt: now, ...(run.kind === "backfill" ? { backfilledAt: now } : {}) })
      .where(and(eq(connections.id, run.connectionId), eq(connections.status, "active")));
  }
}

/** Records a failed run with a safe message; the connection keeps everything synced so far. */
export async function failSyncRun(runId: string, error: unknown): Promise<void> {
  const db = await getDb();
  const message =
    error instanceof ProviderError || error instanceof ConnectionUnavailableError
      ? error.message
      : "Sync failed unexpectedly";
  const now = new Date();
  const [run] = await db
    .update(syncRuns)
    .set({ status: "failed", error: message, finishedAt: now })
    .where(eq(syncRuns.id, runId))
    .returning({ connectionId: syncRuns.connectionId });
  if (run) {
    await db
      .update(connections)
      .set({ lastError: message, lastErrorAt: now })
      .where(and(eq(connections.id, run.connectionId), eq(connections.status, "active")));
  }
}
