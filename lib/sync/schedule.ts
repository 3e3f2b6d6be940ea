import { createHash } from "node:crypto";
import { inArray, sql } from "drizzle-orm";
import { format, subDays } from "date-fns";
import { getDb, type Db } from "@/lib/db/client";
import { connections, syncRuns } from "@/lib/db/schema";
import { listProviders } from "@/lib/providers";

/**
 * Planning of the recurring work (polls, token refreshes, reaping and pruning of sync runs) as
 * set-based SQL over keyset-paginated batches: each batch is a couple of indexed statements, so a
 * plan costs the same per connection at 1,000 or 1,000,000 connections, no batch holds more than
 * PLAN_BATCH_SIZE rows in memory, and no step returns more than one batch.
 */

/** Rows per planning step: small step outputs (Inngest caps them at 4 MB) and short statements. */
export const PLAN_BATCH_SIZE = 1000;
/** Connections are polled every two hours; each one at its own stable offset inside the window. */
export const POLL_WINDOW_MS = 2 * 60 * 60 * 1000;
/** Polling re-reads a few days back: providers revise recent days (late uploads, re-scoring). */
const POLL_LOOKBACK_DAYS = 3;
const MAX_POLL_DAYS = 30;
const DEFAULT_BACKFILL_DAYS = 30;
/** How long a run may stay open after it is due before the reaper fails it. */
const POLL_RUN_ALLOWANCE_MS = POLL_WINDOW_MS;
const BACKFILL_RUN_ALLOWANCE_MS = 6 * 60 * 60 * 1000;
/** Runs older than this are summarised per month and deleted. */
export const SYNC_RUN_RETENTION_DAYS = 90;

const FIRST_UUID = "00000000-0000-0000-0000-000000000000";

/**
 * Where a connection's poll falls inside the window: a stable hash of its id, so the load is
 * spread evenly and a connection is polled at about the same minute every time.
 */
export function pollOffsetMs(connectionId: string, windowMs = POLL_WINDOW_MS): number {
  return createHash("sha256").update(connectionId).digest().readUInt32BE(0) % windowMs;
}

export interface PlannedSync {
  connectionId: string;
  syncRunId: string;
  provider: string;
  /** `backfill` for an active connection whose backfill never completed, else `poll`. */
  kind: "poll" | "backfill";
  /** When its job should start (epoch ms). */
  dueAt: number;
}

export interface PlanBatch<T> {
  items: T[];
  /** Keyset cursor for the next batch; null when this was the last one. */
  next: string | null;
}

/**
 * Plans one batch of active connections after `after` (by id): one queued run each for those not
 * already syncing, in a single INSERT … SELECT. The range starts at the oldest still-pending
 * record (so unscored records are picked up later) or a few days back; a connection without a
 * completed backfill gets its backfill instead of a poll.
 */
export async function planPollBatch(options: {
  after?: string | null;
  now?: Date;
  limit?: number;
}): Promise<PlanBatch<PlannedSync>> {
  const db = await getDb();
  const now = options.now ?? new Date();
  const limit = options.limit ?? PLAN_BATCH_SIZE;
  const after = options.after ?? FIRST_UUID;
  const [page] = rowsOf<{ last: string | null; n: number }>(
    await db.execute(sql`
      select max(id::text) as last, count(*)::int as n from (
        select id from connections where status = 'active' and id > ${after}::uuid order by id limit ${limit}
      ) page`),
  );
  if (!page?.last) return { items: [], next: null };
  const last = page.last;
  const rows = rowsOf<{ id: string; connection_id: string; provider: string; kind: "poll" | "backfill"; due: string }>(
    await db.execute(planStatement({ after, last, now })),
  );
  return {
    items: rows.map((r) => ({
      connectionId: r.connection_id,
      syncRunId: r.id,
      provider: r.provider,
      kind: r.kind,
      dueAt: new Date(r.due).getTime(),
    })),
    next: page.n < limit ? null : last,
  };
}

/**
 * The plan as one statement over the connections in (after, last]; without bounds, over every
 * active connection (the benchmark's bare statement).
 */
export function planStatement(options: { after?: string; last?: string; now: Date }) {
  const { now } = options;
  const today = format(now, "yyyy-MM-dd");
  const lookback = format(subDays(now, POLL_LOOKBACK_DAYS), "yyyy-MM-dd");
  const floor = format(subDays(now, MAX_POLL_DAYS - 1), "yyyy-MM-dd");
  const backfillDays = sql.join(
    listProviders().map((p) => sql`(${p.id}::text, ${p.backfillDays ?? DEFAULT_BACKFILL_DAYS}::int)`),
    sql`, `,
  );
  // Webhook silence fallback: a connection that has had notifications but none for longer than its
  // provider's usual gap is polled at once instead of at its offset in the window.
  const silenceGaps = sql.join(
    [
      sql`(null::text, null::int)`,
      ...listProviders()
        .filter((p) => p.webhooks)
        .map((p) => sql`(${p.id}::text, ${p.webhooks!.usualGapHours}::int)`),
    ],
    sql`, `,
  );
  const bounded = options.after !== undefined && options.last !== undefined;
  const bounds = bounded ? sql`and c.id > ${options.after}::uuid and c.id <= ${options.last}::uuid` : sql``;
  const busyBounds = bounded
    ? sql`and connection_id > ${options.after}::uuid and connection_id <= ${options.last}::uuid`
    : sql``;
  const nowIso = now.toISOString();
  // The batch's open runs are read once, by a range on the open-runs index, before anything is
  // inserted: a per-connection probe let the planner scan every open run per connection (a set
  // that grows with the plan's own inserts) whenever its statistics were stale.
  return sql`
    with busy as materialized (
      select distinct connection_id from sync_runs
      where status in ('queued', 'running') ${busyBounds}
    )
    insert into sync_runs (connection_id, user_id, provider, kind, status, range_start, range_end, scheduled_for, deadline_at)
    select c.id, c.user_id, c.provider, plan.kind, 'queued',
      case when plan.kind = 'backfill'
        then ${today}::date - (coalesce(bd.days, ${DEFAULT_BACKFILL_DAYS}) - 1)
        else greatest(${floor}::date, least(${lookback}::date, coalesce(pending.day, ${lookback}::date)))
      end,
      ${today}::date,
      plan.due,
      plan.due + case when plan.kind = 'backfill'
        then ${BACKFILL_RUN_ALLOWANCE_MS} * interval '1 millisecond'
        else ${POLL_RUN_ALLOWANCE_MS} * interval '1 millisecond' end
    from connections c
    cross join lateral (
      select
        case when c.backfilled_at is null then 'backfill' else 'poll' end as kind,
        case when c.backfilled_at is null then ${nowIso}::timestamptz
          when c.last_webhook_at < ${nowIso}::timestamptz - interval '1 hour' * (
            select g.hours from (values ${silenceGaps}) g(provider, hours) where g.provider = c.provider
          ) then ${nowIso}::timestamptz
          -- The same stable hash as pollOffsetMs: the first 32 bits of sha256(id).
          else ${nowIso}::timestamptz + ((('x' || substr(encode(sha256(convert_to(c.id::text, 'UTF8')), 'hex'), 1, 8))::bit(32)::bigint
            % ${POLL_WINDOW_MS}) * interval '1 millisecond')
        end as due
    ) plan
    left join lateral (
      select min(pr.day) as day from pending_records pr where pr.connection_id = c.id and pr.day is not null
    ) pending on true
    left join (values ${backfillDays}) bd(provider, days) on bd.provider = c.provider
    where c.status = 'active' ${bounds}
      and not exists (select 1 from busy where busy.connection_id = c.id)
    returning id, connection_id, provider, kind, scheduled_for as due`;
}

export interface ExpiringConnection {
  connectionId: string;
  provider: string;
  /** Epoch ms. */
  tokenExpiresAt: number;
}

/**
 * One batch of active connections whose access token expires before `cutoff`, in (expiry, id)
 * order after the cursor `after` (the last row's expiry in epoch microseconds, exact, then "|" and
 * its id). A cursor this code cannot read starts the plan again: refresh events carry ids, so a
 * repeated one is dropped.
 */
export async function expiringTokensBatch(options: {
  cutoff: Date;
  after?: string | null;
  limit?: number;
}): Promise<PlanBatch<ExpiringConnection>> {
  const db = await getDb();
  const limit = options.limit ?? PLAN_BATCH_SIZE;
  const [afterUs, afterId] = options.after?.split("|") ?? [];
  const resume = afterUs && /^-?\d+$/.test(afterUs) && afterId;
  const rows = await expiringTokensQuery(db).execute({
    cutoff: options.cutoff.toISOString(),
    afterUs: resume ? afterUs : FIRST_EXPIRY_US,
    afterId: resume ? afterId : FIRST_UUID,
    limit,
  });
  const last = rows.at(-1);
  return {
    items: rows.map((r) => ({
      connectionId: r.id,
      provider: r.provider,
      tokenExpiresAt: Math.floor(Number(r.expiresUs) / 1000),
    })),
    next: last && rows.length === limit ? `${last.expiresUs}|${last.id}` : null,
  };
}

/** 0001-01-01 in epoch microseconds: before any token expiry, and a timestamp PostgreSQL can add to. */
const FIRST_EXPIRY_US = "-62135596800000000";

/**
 * The refresh planner's statement, prepared once per database: each batch is then one round trip
 * (a statement with parameters is otherwise described first, a second round trip per batch).
 * Parameters are text, cast in SQL. The expiry travels as epoch microseconds (an int8, which
 * postgres.js hands over as a string): exact to resume from, and far cheaper per row than
 * formatting timestamps as text.
 */
const expiringTokensQueries = new WeakMap<Db, ReturnType<typeof prepareExpiringTokensQuery>>();
function expiringTokensQuery(db: Db) {
  let query = expiringTokensQueries.get(db);
  if (!query) expiringTokensQueries.set(db, (query = prepareExpiringTokensQuery(db)));
  return query;
}
function prepareExpiringTokensQuery(db: Db) {
  const expiresAt = connections.tokenExpiresAt;
  return db
    .select({
      id: connections.id,
      provider: connections.provider,
      expiresUs: sql<string | number>`(extract(epoch from ${expiresAt}) * 1000000)::int8`,
    })
    .from(connections)
    .where(
      sql`${connections.status} = 'active' and ${expiresAt} is not null
        and ${expiresAt} < ${sql.placeholder("cutoff")}::text::timestamptz
        and (${expiresAt}, ${connections.id}) > (
          'epoch'::timestamptz + ${sql.placeholder("afterUs")}::text::int8 * interval '1 microsecond',
          ${sql.placeholder("afterId")}::text::uuid)`,
    )
    .orderBy(expiresAt, connections.id)
    .limit(sql.placeholder("limit"))
    .prepare("expiring_tokens_batch");
}

/** True while the connection is active and its token still expires before `cutoff` (not refreshed meanwhile). */
export async function tokenStillExpiring(connectionId: string, cutoff: Date): Promise<boolean> {
  const db = await getDb();
  const rows = rowsOf(
    await db.execute(sql`
      select 1 from connections
      where id = ${connectionId}::uuid and status = 'active'
        and token_expires_at is not null and token_expires_at < ${cutoff.toISOString()}::timestamptz`),
  );
  return rows.length > 0;
}

export const REAPED_RUN_ERROR = "The sync did not finish in time and was stopped; the next poll syncs again";

/**
 * Fails up to `limit` queued or running runs whose deadline has passed (an event that was never
 * delivered, a cancelled run, a worker killed mid-sync, a failed onFailure), so their connections
 * are no longer busy and the next poll plans them again. Returns the reaped run ids.
 */
export async function reapOverdueSyncRuns(options: { now?: Date; limit?: number } = {}): Promise<string[]> {
  const db = await getDb();
  const now = (options.now ?? new Date()).toISOString();
  const rows = rowsOf<{ id: string }>(
    await db.execute(sql`
      update sync_runs set status = 'failed', error = ${REAPED_RUN_ERROR}, finished_at = ${now}::timestamptz,
        updated_at = ${now}::timestamptz
      where id in (
        select id from sync_runs
        where status in ('queued', 'running') and deadline_at < ${now}::timestamptz
        order by deadline_at
        limit ${options.limit ?? PLAN_BATCH_SIZE}
        for update skip locked
      )
      returning id`),
  );
  return rows.map((r) => r.id);
}

/**
 * Deletes up to `limit` finished runs created before the retention cutoff, adding them to their
 * connection's monthly summary in the same statement (so a count is never lost or doubled).
 * Returns how many runs were pruned.
 */
export async function pruneSyncRunsBatch(options: { now?: Date; limit?: number } = {}): Promise<number> {
  const db = await getDb();
  const cutoff = subDays(options.now ?? new Date(), SYNC_RUN_RETENTION_DAYS).toISOString();
  const [row] = rowsOf<{ pruned: number }>(
    await db.execute(sql`
      with doomed as (
        delete from sync_runs where id in (
          select id from sync_runs
          where created_at < ${cutoff}::timestamptz and status in ('succeeded', 'failed')
          order by created_at
          limit ${options.limit ?? 5 * PLAN_BATCH_SIZE}
          for update skip locked
        )
        returning connection_id, user_id, provider, kind, status, created_at, records_fetched, metrics_written
      ), summarised as (
        insert into sync_run_monthly_summaries as s
          (connection_id, user_id, provider, month, kind, runs, succeeded, failed, records_fetched, metrics_written)
        select connection_id, user_id, provider, date_trunc('month', created_at at time zone 'UTC')::date, kind,
          count(*), count(*) filter (where status = 'succeeded'), count(*) filter (where status = 'failed'),
          sum(records_fetched), sum(metrics_written)
        from doomed
        group by connection_id, user_id, provider, date_trunc('month', created_at at time zone 'UTC')::date, kind
        on conflict (connection_id, month, kind) do update set
          runs = s.runs + excluded.runs,
          succeeded = s.succeeded + excluded.succeeded,
          failed = s.failed + excluded.failed,
          records_fetched = s.records_fetched + excluded.records_fetched,
          metrics_written = s.metrics_written + excluded.metrics_written,
          updated_at = now()
        returning 1
      )
      select count(*)::int as pruned from doomed`),
  );
  return row?.pruned ?? 0;
}

/**
 * Development runner only: runs left queued or running by a previous process (a restart mid-sync)
 * are handed back so they finish. Upserts make repeating a half-done collection harmless.
 */
export async function interruptedSyncRuns(): Promise<
  Array<{ connectionId: string; syncRunId: string; kind: string; provider: string; dueAt: number | null }>
> {
  const db = await getDb();
  const rows = await db
    .select({
      connectionId: syncRuns.connectionId,
      syncRunId: syncRuns.id,
      kind: syncRuns.kind,
      provider: syncRuns.provider,
      scheduledFor: syncRuns.scheduledFor,
    })
    .from(syncRuns)
    .where(inArray(syncRuns.status, ["queued", "running"]));
  return rows.map(({ scheduledFor, ...r }) => ({ ...r, dueAt: scheduledFor?.getTime() ?? null }));
}

/** Rows of a raw statement: postgres.js answers an array, PGlite `{ rows }`. */
function rowsOf<T = Record<string, unknown>>(result: unknown): T[] {
  if (Array.isArray(result)) return result as T[];
  return (result as { rows?: T[] }).rows ?? [];
}
