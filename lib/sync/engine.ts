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
import {
  ProviderAuthError,
  ProviderClientError,
  ProviderError,
  ProviderForbiddenError,
  ProviderPayloadError,
  ProviderRateLimitError,
} from "@/lib/providers/errors";
import { resolveProvider } from "@/lib/providers/runtime";
import { grantedCollections } from "@/lib/providers/scopes";
import type { Collection, MappingContext, MetricSample, SyncRange } from "@/lib/providers/types";

/**
 * Fetches a provider's collections for a date range, maps every payload into the metric
 * vocabulary and upserts it. Each page is one unit of work (one Inngest step) that starts from
 * the cursor the previous page returned: it can be retried on its own (a rate limit only delays
 * the backfill), and re-running it writes nothing new.
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
  /** A caller that must find the run again without storing it (a webhook's run shares its inbox row's id). */
  id?: string;
}): Promise<SyncRunRow> {
  const db = await getDb();
  const [connection] = await db.select().from(connections).where(eq(connections.id, input.connectionId));
  if (!connection) throw new ConnectionUnavailableError("Connection not found");
  const [run] = await db
    .insert(syncRuns)
    .values({
      ...(input.id ? { id: input.id } : {}),
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

/** One page of one collection, as one unit of work (one Inngest step). */
export interface PageResult {
  ctx: MappingContext;
  /** Where the next page starts; null after the last page (or when the collection is unavailable). */
  nextCursor: string | null;
  recordsFetched: number;
  metricsWritten: number;
  /** Aggregating collections (time series) hand their items on to `aggregateCollectionForRun`. */
  items?: unknown[];
  /** Set when the provider refused this collection: it is skipped, the run goes on. */
  unavailable?: string;
}

/** Transient failures (timeouts, 5xx) are retried this many times inside a page before the step fails. */
const PAGE_ATTEMPTS = 3;
const PAGE_RETRY_BASE_MS = 250;

function isTransient(error: unknown): boolean {
  return (
    error instanceof ProviderError &&
    !(error instanceof ProviderAuthError) &&
    !(error instanceof ProviderForbiddenError) &&
    !(error instanceof ProviderPayloadError) &&
    !(error instanceof ProviderRateLimitError) &&
    !(error instanceof ProviderClientError) &&
    !(error instanceof ConnectionUnavailableError)
  );
}

/**
 * The collections a run fetches: the provider's, minus those whose scope the user did not grant
 * (they are shown as unavailable on the Accounts card instead of failing the run).
 */
export async function collectionsForRun(runId: string): Promise<{ provider: string; collections: string[] }> {
  const run = await loadSyncRun(runId);
  const runtime = resolveProvider(run.provider);
  if (!runtime) throw new ConnectionUnavailableError(`${run.provider} is not configured`);
  const db = await getDb();
  const [connection] = await db
    .select({ scopes: connections.scopes })
    .from(connections)
    .where(eq(connections.id, run.connectionId));
  return {
    provider: run.provider,
    collections: grantedCollections(runtime.provider, connection?.scopes ?? []).map((c) => c.id),
  };
}

function collectionOf(provider: string, collectionId: string) {
  const runtime = resolveProvider(provider);
  if (!runtime) throw new ConnectionUnavailableError(`${provider} is not configured`);
  const collection = runtime.provider.collections.find((c) => c.id === collectionId);
  if (!collection) throw new Error(`${provider} has no collection ${collectionId}`);
  return { runtime, collection };
}

/**
 * One page of one collection of one sync run, mapped and upserted. The cursor comes from the
 * previous page's result, so a retried page resumes where the collection stopped instead of
 * starting again from page 1. An access token the provider refuses is refreshed once; a second
 * refusal disconnects that token version. A 403 marks the collection unavailable and ends it.
 */
export async function syncCollectionPage(
  runId: string,
  collectionId: string,
  input: { cursor?: string | null; ctx?: MappingContext; page?: number } = {},
): Promise<PageResult> {
  const run = await loadSyncRun(runId);
  const { runtime, collection } = collectionOf(run.provider, collectionId);
  const page = input.page ?? 0;
  if (page >= MAX_PAGES_PER_COLLECTION)
    throw new ProviderPayloadError(`${runtime.provider.name} ${collection.id} did not stop paging`);
  const range = rangeFromDays(run.rangeStart!, run.rangeEnd!);
  const context: MappingContext = { ...input.ctx };
  const cursor = input.cursor ?? undefined;

  let token = await freshAccessToken(run.connectionId);
  let refreshed = false;
  let fetched;
  for (let attempt = 1; ; attempt++) {
    try {
      fetched = await collection.fetchPage(
        createProviderApi(runtime.provider, runtime.endpoints.api, token.accessToken),
        range,
        cursor,
      );
      break;
    } catch (error) {
      if (error instanceof ProviderForbiddenError) {
        await markCollectionUnavailable(run.connectionId, collection.id, error.message);
        await bumpProgress(runId, 0, 0);
        return { ctx: context, nextCursor: null, recordsFetched: 0, metricsWritten: 0, unavailable: error.message };
      }
      if (isTransient(error) && attempt < PAGE_ATTEMPTS) {
        await new Promise((r) => setTimeout(r, PAGE_RETRY_BASE_MS * 2 ** (attempt - 1)));
        continue;
      }
      if (!(error instanceof ProviderAuthError)) throw error;
      if (refreshed) {
        await markConnectionDisconnected(
          run.connectionId,
          `${runtime.provider.name} no longer accepts our access. Reconnect to resume syncing.`,
          { tokenVersion: token.tokenVersion },
        );
        throw error;
      }
      refreshed = true;
      const row = await refreshConnectionTokens(run.connectionId, { seenVersion: token.tokenVersion });
      token = { accessToken: row.accessToken!, tokenVersion: row.tokenVersion };
    }
  }
  if (page === 0) await markCollectionAvailable(run.connectionId, collection.id);

  const { items, nextCursor } = fetched;
  const next = nextCursor && nextCursor !== cursor ? nextCursor : null;
  if (collection.aggregate) {
    return { ctx: context, nextCursor: next, recordsFetched: items.length, metricsWritten: 0, items };
  }
  const inRange = (s: MetricSample) => s.day >= range.startDay && s.day <= range.endDay;
  const mapped = items.flatMap((item) => collection.map(item, context)).filter(inRange);
  const metricsWritten = await upsertDailyMetrics(run.userId, run.provider, mapped);
  await recordPending(run.connectionId, collection, items);
  await bumpProgress(runId, items.length, metricsWritten);
  return { ctx: context, nextCursor: next, recordsFetched: items.length, metricsWritten };
}

/** After the last page of a time-series collection: aggregates every page's items per day. */
export async function aggregateCollectionForRun(
  runId: string,
  collectionId: string,
  items: unknown[],
  ctx: MappingContext = {},
): Promise<{ ctx: MappingContext; metricsWritten: number }> {
  const run = await loadSyncRun(runId);
  const { collection } = collectionOf(run.provider, collectionId);
  const context: MappingContext = { ...ctx };
  const range = rangeFromDays(run.rangeStart!, run.rangeEnd!);
  const samples = (collection.aggregate?.(items, context) ?? []).filter(
    (s) => s.day >= range.startDay && s.day <= range.endDay,
  );
  const metricsWritten = await upsertDailyMetrics(run.userId, run.provider, samples);
  await bumpProgress(runId, items.length, metricsWritten);
  return { ctx: context, metricsWritten };
}

/**
 * Every page of one collection in a row (then its aggregation): what the job's page steps do,
 * for callers that need no step boundaries (scripts, tests).
 */
export async function syncCollectionForRun(
  runId: string,
  collectionId: string,
  ctx: MappingContext = {},
): Promise<{ ctx: MappingContext; recordsFetched: number; metricsWritten: number; unavailable?: string }> {
  let context = ctx;
  let cursor: string | null = null;
  let recordsFetched = 0;
  let metricsWritten = 0;
  const items: unknown[] = [];
  for (let page = 0; ; page++) {
    const result = await syncCollectionPage(runId, collectionId, { cursor, ctx: context, page });
    context = result.ctx;
    recordsFetched += result.recordsFetched;
    metricsWritten += result.metricsWritten;
    if (result.unavailable) return { ctx: context, recordsFetched, metricsWritten, unavailable: result.unavailable };
    if (result.items) items.push(...result.items);
    if (!result.nextCursor) break;
    cursor = result.nextCursor;
  }
  if (items.length) {
    const aggregated = await aggregateCollectionForRun(runId, collectionId, items, context);
    context = aggregated.ctx;
    metricsWritten += aggregated.metricsWritten;
  }
  return { ctx: context, recordsFetched, metricsWritten };
}

/** Marks one collection of a run complete (progress by collections completed). */
export async function completeCollection(runId: string, done: number, of: number): Promise<void> {
  const db = await getDb();
  await db
    .update(syncRuns)
    .set({ progress: Math.min(99, Math.round((done / Math.max(1, of)) * 100)) })
    .where(eq(syncRuns.id, runId));
}

async function bumpProgress(runId: string, recordsFetched: number, metricsWritten: number): Promise<void> {
  if (recordsFetched === 0 && metricsWritten === 0) return;
  const db = await getDb();
  await db
    .update(syncRuns)
    .set({
      recordsFetched: sql`${syncRuns.recordsFetched} + ${recordsFetched}`,
      metricsWritten: sql`${syncRuns.metricsWritten} + ${metricsWritten}`,
    })
    .where(eq(syncRuns.id, runId));
}

/** A 403 for one collection: remember it for the Accounts card; the connection stays active. */
async function markCollectionUnavailable(connectionId: string, collectionId: string, reason: string): Promise<void> {
  const db = await getDb();
  await db
    .update(connections)
    .set({
      unavailableCollections: sql`${connections.unavailableCollections} || jsonb_build_object(${collectionId}::text, ${reason}::text)`,
    })
    .where(eq(connections.id, connectionId));
}

async function markCollectionAvailable(connectionId: string, collectionId: string): Promise<void> {
  const db = await getDb();
  await db
    .update(connections)
    .set({ unavailableCollections: sql`${connections.unavailableCollections} - ${collectionId}::text` })
    .where(
      and(
        eq(connections.id, connectionId),
        sql`jsonb_exists(${connections.unavailableCollections}, ${collectionId}::text)`,
      ),
    );
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
