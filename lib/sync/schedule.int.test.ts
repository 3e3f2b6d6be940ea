import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { getDb } from "@/lib/db/client";
import {
  expiringTokensBatch,
  planPollBatch,
  pollOffsetMs,
  POLL_WINDOW_MS,
  pruneSyncRunsBatch,
  reapOverdueSyncRuns,
  REAPED_RUN_ERROR,
  SYNC_RUN_RETENTION_DAYS,
} from "./schedule";

/**
 * The planners at a few thousand connections, seeded in SQL: batches of at most the limit, every
 * eligible connection exactly once, spread over the window by the hash of its id.
 */

const NOW = new Date("2026-11-20T10:00:00Z");
const CONNECTIONS = 2500;

async function rows<T>(query: ReturnType<typeof sql>): Promise<T[]> {
  const db = await getDb();
  const result: unknown = await db.execute(query);
  return Array.isArray(result) ? (result as T[]) : (result as { rows: T[] }).rows;
}

beforeAll(async () => {
  const db = await getDb();
  await db.execute(sql`
    insert into users (email, password_hash)
    select 'sched-' || g || '@example.test', 'x' from generate_series(1, ${CONNECTIONS}) g`);
  // Every 10th disconnected, every 7th never backfilled, tokens expiring over the next 4 hours.
  await db.execute(sql`
    insert into connections (user_id, provider, status, backfilled_at, token_expires_at)
    select u.id, (array['oura', 'whoop', 'withings', 'garmin'])[1 + n % 4],
      case when n % 10 = 0 then 'disconnected' else 'active' end,
      case when n % 7 = 0 then null else ${NOW.toISOString()}::timestamptz - interval '1 day' end,
      ${NOW.toISOString()}::timestamptz + (n % 240) * interval '1 minute'
    from (select id, row_number() over (order by email) as n from users where email like 'sched-%') u`);
});

describe("poll planning", () => {
  it("plans every eligible connection once, in batches, spread over the window", async () => {
    const db = await getDb();
    // Busy: an open run already (every 11th active connection).
    await db.execute(sql`
      insert into sync_runs (connection_id, user_id, provider, kind, status)
      select id, user_id, provider, 'manual', 'running' from (
        select c.*, row_number() over (order by c.id) as n from connections c where status = 'active'
      ) c where n % 11 = 0`);
    // A pending record 10 days back pulls one poll's range start back to it.
    const [withPending] = await rows<{ id: string }>(sql`
      select c.id from connections c where c.status = 'active' and c.backfilled_at is not null
        and not exists (select 1 from sync_runs r where r.connection_id = c.id) order by c.id limit 1`);
    await db.execute(sql`
      insert into pending_records (connection_id, collection, external_id, day, state)
      values (${withPending!.id}::uuid, 'sleep', 'x1', '2026-11-10', 'PENDING_SCORE')`);

    const eligible = await rows<{ id: string; backfilled: boolean }>(sql`
      select c.id, c.backfilled_at is not null as backfilled from connections c
      where c.status = 'active' and not exists (
        select 1 from sync_runs r where r.connection_id = c.id and r.status in ('queued', 'running'))`);
    expect(eligible.length).toBeGreaterThan(1500);

    const planned = [];
    const batchSizes: number[] = [];
    let after: string | null = null;
    for (let i = 0; i < 10; i++) {
      const batch = await planPollBatch({ after, now: NOW, limit: 1000 });
      batchSizes.push(batch.items.length);
      planned.push(...batch.items);
      if (!batch.next) break;
      after = batch.next;
    }
    // Three pages of connections (2,500 ids); each batch plans at most its page.
    expect(batchSizes).toHaveLength(3);
    expect(batchSizes.every((n) => n <= 1000)).toBe(true);
    const ids = planned.map((p) => p.connectionId);
    expect(new Set(ids).size).toBe(ids.length);
    expect(new Set(ids)).toEqual(new Set(eligible.map((e) => e.id)));

    const byId = new Map(eligible.map((e) => [e.id, e.backfilled]));
    for (const p of planned) {
      expect(p.kind).toBe(byId.get(p.connectionId) ? "poll" : "backfill");
      // The database's hash is the same stable hash as the code's.
      expect(p.dueAt - NOW.getTime()).toBe(p.kind === "poll" ? pollOffsetMs(p.connectionId) : 0);
    }
    // Spread: twelve ten-minute slots each hold about a twelfth of the polls.
    const polls = planned.filter((p) => p.kind === "poll");
    const slots = new Array(12).fill(0);
    for (const p of polls) slots[Math.floor(((p.dueAt - NOW.getTime()) / POLL_WINDOW_MS) * 12)]++;
    const mean = polls.length / 12;
    for (const n of slots) expect(Math.abs(n - mean)).toBeLessThan(mean * 0.4);

    const runs = await rows<{ connection_id: string; kind: string; range_start: string; range_end: string }>(sql`
      select connection_id, kind, range_start::text, range_end::text from sync_runs where status = 'queued'`);
    const run = (id: string) => runs.find((r) => r.connection_id === id)!;
    expect(run(withPending!.id)).toMatchObject({ kind: "poll", range_start: "2026-11-10", range_end: "2026-11-20" });
    const plainPoll = polls.find((p) => p.connectionId !== withPending!.id)!;
    expect(run(plainPoll.connectionId)).toMatchObject({ range_start: "2026-11-17", range_end: "2026-11-20" });
    const backfill = planned.find((p) => p.kind === "backfill")!;
    expect(run(backfill.connectionId)).toMatchObject({ kind: "backfill", range_start: "2026-10-22" });

    // Planned again at once: everything is queued, so nothing is planned twice.
    const again = await planPollBatch({ now: NOW, limit: 5000 });
    expect(again.items).toEqual([]);
  });

  it("reaps runs past their deadline, after which their connections are planned again", async () => {
    const db = await getDb();
    const [stuck] = await rows<{ id: string; connection_id: string }>(sql`
      select id, connection_id from sync_runs where status = 'running' order by id limit 1`);
    // Nothing is overdue yet (the default deadline is six hours away).
    expect(await reapOverdueSyncRuns({ now: NOW })).toEqual([]);
    await db.execute(sql`update sync_runs set deadline_at = ${NOW.toISOString()}::timestamptz - interval '1 minute'
      where id = ${stuck!.id}::uuid`);
    expect(await reapOverdueSyncRuns({ now: NOW })).toEqual([stuck!.id]);
    const [reaped] = await rows<{ status: string; error: string }>(sql`
      select status, error from sync_runs where id = ${stuck!.id}::uuid`);
    expect(reaped).toEqual({ status: "failed", error: REAPED_RUN_ERROR });
    const replanned = await planPollBatch({ now: NOW, limit: 5000 });
    expect(replanned.items.map((p) => p.connectionId)).toEqual([stuck!.connection_id]);
  });
});

describe("token refresh planning", () => {
  it("pages through expiring tokens in (expiry, id) order, each once", async () => {
    const cutoff = new Date(NOW.getTime() + 60 * 60 * 1000);
    const expected = await rows<{ id: string }>(sql`
      select id from connections where status = 'active' and token_expires_at < ${cutoff.toISOString()}::timestamptz
      order by token_expires_at, id`);
    expect(expected.length).toBeGreaterThan(300);
    const seen: string[] = [];
    let after: string | null = null;
    let batches = 0;
    do {
      const batch = await expiringTokensBatch({ cutoff, after, limit: 100 });
      expect(batch.items.length).toBeLessThanOrEqual(100);
      seen.push(...batch.items.map((i) => i.connectionId));
      after = batch.next;
      batches++;
    } while (after && batches < 100);
    expect(seen).toEqual(expected.map((e) => e.id));
  });
});

describe("sync run retention", () => {
  it("sums runs older than the retention period into monthly summaries and deletes them", async () => {
    const db = await getDb();
    const [connection] = await rows<{ id: string; user_id: string }>(sql`
      select id, user_id from connections where status = 'active' order by id limit 1`);
    const old = new Date(Date.now() - (SYNC_RUN_RETENTION_DAYS + 40) * 86_400_000);
    const month = `${old.toISOString().slice(0, 7)}-01`;
    // 12 old polls (2 failed) on one day, and a recent one.
    await db.execute(sql`
      insert into sync_runs (connection_id, user_id, provider, kind, status, metrics_written, created_at)
      select ${connection!.id}::uuid, ${connection!.user_id}::uuid, 'oura', 'poll',
        case when g <= 2 then 'failed' else 'succeeded' end, 3, ${old.toISOString()}::timestamptz
      from generate_series(1, 12) g`);
    await db.execute(sql`
      insert into sync_runs (connection_id, user_id, provider, kind, status)
      values (${connection!.id}::uuid, ${connection!.user_id}::uuid, 'oura', 'poll', 'succeeded')`);
    expect(await pruneSyncRunsBatch({ limit: 5 })).toBe(5);
    expect(await pruneSyncRunsBatch({ limit: 5 })).toBe(5);
    expect(await pruneSyncRunsBatch({ limit: 5 })).toBe(2);
    expect(await pruneSyncRunsBatch({ limit: 5 })).toBe(0);
    const summaries = await rows<Record<string, unknown>>(sql`
      select month::text, kind, runs, succeeded, failed, metrics_written::int
      from sync_run_monthly_summaries where connection_id = ${connection!.id}::uuid`);
    expect(summaries).toEqual([{ month, kind: "poll", runs: 12, succeeded: 10, failed: 2, metrics_written: 36 }]);
    const [left] = await rows<{ n: number }>(sql`
      select count(*)::int as n from sync_runs where connection_id = ${connection!.id}::uuid`);
    expect(left!.n).toBeGreaterThanOrEqual(1);
  });
});
