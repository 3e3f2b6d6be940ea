import { serveAppForTests } from "@/lib/testing/serve-app";
import { and, eq, sql } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { getDb } from "@/lib/db/client";
import { connections, dailyMetrics, pendingRecords, syncRuns } from "@/lib/db/schema";
import { startBackfill } from "@/lib/connections/backfill";
import { refreshConnectionTokens } from "@/lib/connections/tokens";
import { syncRequested } from "@/lib/jobs/events";
import { jobs } from "@/lib/jobs";
import { dispatchInProcess, drainInProcessJobs, registerInProcessJobs } from "@/lib/jobs/in-process";
import { ProviderRateLimitError } from "@/lib/providers/errors";
import { createGenerator, localDay, shiftDay } from "@/lib/sandbox/data-generator";
import { WHOOP_SANDBOX_ACCOUNTS, WHOOP_SANDBOX_CLIENT_ID, WHOOP_SANDBOX_CLIENT_SECRET } from "@/lib/sandbox/whoop";
import { cycleIdFor } from "@/lib/sandbox/whoop/payloads";
import { createSyncRun, rangeEndingToday, syncCollectionForRun } from "@/lib/sync/engine";
import { planPollBatch } from "@/lib/sync/schedule";
import { connectThroughSandbox, signedInClient } from "@/lib/testing/oauth-journey";

/**
 * WHOOP end to end over HTTP against its sandbox: connect, 30-day backfill, idempotent re-run,
 * rotating refresh tokens, pending (unscored) records and rate limiting.
 */

// Generated data is pinned to this instant, so a re-run sees exactly the same records.
const PINNED_NOW = new Date(Date.now() - 60_000);
const server = serveAppForTests({ sandboxFor: ["whoop"], sandboxNow: PINNED_NOW });

afterEach(() => {
  delete process.env.SANDBOX_WHOOP_RATE_LIMIT;
  process.env.SANDBOX_NOW = PINNED_NOW.toISOString();
});

async function connectWhoop(account = "jordan") {
  const { client, userId } = await signedInClient(server.url);
  const landed = await connectThroughSandbox(client, "whoop", { account });
  expect(landed.searchParams.get("connected")).toBe("whoop");
  const db = await getDb();
  const [connection] = await db.select().from(connections).where(eq(connections.userId, userId));
  return { userId, connection: connection! };
}

async function metricDays(userId: string, metric: string): Promise<string[]> {
  const db = await getDb();
  const rows = await db
    .select({ day: dailyMetrics.day })
    .from(dailyMetrics)
    .where(and(eq(dailyMetrics.userId, userId), eq(dailyMetrics.metric, metric)))
    .orderBy(dailyMetrics.day);
  return rows.map((r) => r.day);
}

async function rawTokens(connectionId: string) {
  const db = await getDb();
  const [raw] = await db
    .select({ access: sql<string>`${connections.accessToken}`, refresh: sql<string>`${connections.refreshToken}` })
    .from(connections)
    .where(eq(connections.id, connectionId));
  return raw!;
}

/** Asks the sandbox's token endpoint directly, as WHOOP's documentation shows. */
async function refreshAtSandbox(refreshToken: string): Promise<Response> {
  return fetch(`${server.url}/sandbox/whoop/oauth/oauth2/token`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      grant_type: "refresh_token",
      refresh_token: refreshToken,
      client_id: WHOOP_SANDBOX_CLIENT_ID,
      client_secret: WHOOP_SANDBOX_CLIENT_SECRET,
      scope: "offline",
    }),
  });
}

describe("WHOOP over HTTP against its sandbox", () => {
  it("connects, stores encrypted tokens, and backfills 30 days idempotently", async () => {
    const { userId, connection } = await connectWhoop();
    expect(connection).toMatchObject({ provider: "whoop", status: "active", providerUserId: "10129" });
    expect(connection.scopes).toEqual(
      expect.arrayContaining(["offline", "read:recovery", "read:cycles", "read:sleep"]),
    );
    expect(connection.refreshToken).toEqual(expect.any(String));
    // WHOOP access tokens last an hour.
    const lifetime = connection.tokenExpiresAt!.getTime() - Date.now();
    expect(lifetime).toBeGreaterThan(50 * 60_000);
    expect(lifetime).toBeLessThanOrEqual(3600_000);
    const raw = await rawTokens(connection.id);
    expect(raw.access).toMatch(/^v1\.test1\./);
    expect(raw.refresh).toMatch(/^v1\.test1\./);
    expect(raw.access).not.toContain(connection.accessToken!);
    expect(raw.refresh).not.toContain(connection.refreshToken!);

    const db = await getDb();
    const [run] = await db.select().from(syncRuns).where(eq(syncRuns.connectionId, connection.id));
    expect(run).toMatchObject({ kind: "backfill", status: "succeeded", progress: 100, error: null });
    const inRange = (day: string) => day >= run!.rangeStart! && day <= run!.rangeEnd!;

    const readiness = await metricDays(userId, "readiness_score");
    expect(readiness.length).toBeGreaterThanOrEqual(26); // 30 days less missing nights and the one not scored yet
    expect(readiness.every(inRange)).toBe(true);
    // A recovery belongs to the morning of its sleep: every readiness day has that night's sleep.
    const sleepDays = new Set(await metricDays(userId, "time_in_bed"));
    expect(readiness.every((d) => sleepDays.has(d))).toBe(true);
    for (const metric of [
      "sleep_score",
      "sleep_duration",
      "deep_sleep",
      "hrv_rmssd",
      "resting_heart_rate",
      "strain",
      "total_calories",
      "heart_rate_max",
      "wakeup_count",
      "skin_temperature",
    ]) {
      // Cycles are dated by the evening they start, so one day of the range may have none.
      expect((await metricDays(userId, metric)).length, metric).toBeGreaterThanOrEqual(22);
    }
    // The days are the member's local days (America/Chicago), checked against the generator.
    const jordan = WHOOP_SANDBOX_ACCOUNTS.find((a) => a.id === "jordan")!;
    const gen = createGenerator(
      { provider: "whoop", accountId: "jordan", historyDays: jordan.historyDays, timeZone: jordan.timeZone },
      PINNED_NOW,
    );
    const inBed = await db
      .select({ day: dailyMetrics.day, value: dailyMetrics.value })
      .from(dailyMetrics)
      .where(and(eq(dailyMetrics.userId, userId), eq(dailyMetrics.metric, "time_in_bed")));
    expect(inBed.every((r) => gen.nightOf(r.day)?.timeInBed === r.value)).toBe(true);

    // Running the backfill again changes nothing.
    const snapshot = await db
      .select()
      .from(dailyMetrics)
      .where(eq(dailyMetrics.userId, userId))
      .orderBy(dailyMetrics.id);
    const second = await startBackfill(connection.id, "whoop");
    await drainInProcessJobs();
    const [rerun] = await db.select().from(syncRuns).where(eq(syncRuns.id, second));
    expect(rerun).toMatchObject({ status: "succeeded", metricsWritten: 0 });
    expect(rerun!.recordsFetched).toBe(run!.recordsFetched);
    expect(
      await db.select().from(dailyMetrics).where(eq(dailyMetrics.userId, userId)).orderBy(dailyMetrics.id),
    ).toEqual(snapshot);
  });

  it("refreshes with a rotating refresh token: the old one is refused, the new one stored encrypted", async () => {
    const { connection } = await connectWhoop();
    const oldRefresh = connection.refreshToken!;
    const refreshed = await refreshConnectionTokens(connection.id);
    expect(refreshed.status).toBe("active");
    expect(refreshed.tokenVersion).toBe(connection.tokenVersion + 1);
    expect(refreshed.refreshToken).toEqual(expect.any(String));
    expect(refreshed.refreshToken).not.toBe(oldRefresh);
    expect(refreshed.accessToken).not.toBe(connection.accessToken);
    const raw = await rawTokens(connection.id);
    expect(raw.refresh).toMatch(/^v1\.test1\./);
    expect(raw.refresh).not.toContain(refreshed.refreshToken!);

    const reuse = await refreshAtSandbox(oldRefresh);
    expect(reuse.status).toBe(400);
    expect(await reuse.json()).toEqual({
      error: "invalid_grant",
      error_description: expect.stringMatching(/already been used/),
    });

    // The new access token works for a sync; the new refresh token refreshes again.
    const runId = await startBackfill(connection.id, "whoop");
    await drainInProcessJobs();
    const db = await getDb();
    const [run] = await db.select().from(syncRuns).where(eq(syncRuns.id, runId));
    expect(run).toMatchObject({ status: "succeeded" });
    const again = await refreshConnectionTokens(connection.id);
    expect(again.refreshToken).not.toBe(refreshed.refreshToken);
  });

  it("stores unscored records as pending and forgets them once WHOOP has scored them", async () => {
    // Riley's strap takes ~30 hours to score a night. Pin "now" two hours after a recent night ends.
    const riley = WHOOP_SANDBOX_ACCOUNTS.find((a) => a.id === "riley")!;
    const base = new Date(Date.now() - 2 * 86_400_000);
    const gen = createGenerator(
      { provider: "whoop", accountId: "riley", historyDays: riley.historyDays, timeZone: riley.timeZone },
      base,
    );
    let day = localDay(base, riley.timeZone);
    while (!gen.nightOf(day)) day = shiftDay(day, -1);
    const night = gen.nightOf(day)!;
    process.env.SANDBOX_NOW = new Date(night.end.getTime() + 2 * 3_600_000).toISOString();

    const { connection } = await connectWhoop("riley");
    const db = await getDb();
    const pendingNow = () => db.select().from(pendingRecords).where(eq(pendingRecords.connectionId, connection.id));
    const before = await pendingNow();
    const waiting = before.filter((p) => p.state === "PENDING_SCORE");
    // The last night (and, with a 30-hour delay, often the one before) is not scored yet.
    expect(new Set(waiting.map((p) => p.collection))).toEqual(new Set(["cycle", "recovery", "sleep"]));
    expect(waiting.find((p) => p.collection === "sleep" && p.externalId === night.id)).toMatchObject({ day });
    // The recovery is dated by its sleep; the cycle by the evening it started.
    const cycleId = String(cycleIdFor(riley, day));
    expect(waiting.find((p) => p.collection === "recovery" && p.externalId === cycleId)).toMatchObject({ day });
    expect(waiting.find((p) => p.collection === "cycle" && p.externalId === cycleId)!.day! <= day).toBe(true);
    expect(before.every((p) => p.state === "PENDING_SCORE" || p.state === "UNSCORABLE")).toBe(true);
    // No samples for the night yet.
    const nightMetrics = () =>
      db
        .select({ metric: dailyMetrics.metric })
        .from(dailyMetrics)
        .where(
          and(
            eq(dailyMetrics.userId, connection.userId),
            eq(dailyMetrics.day, day),
            sql`${dailyMetrics.metric} in ('time_in_bed', 'readiness_score')`,
          ),
        );
    expect(await nightMetrics()).toEqual([]);

    // 31 hours after the night ended, WHOOP has scored it. The poller starts at the oldest pending day.
    process.env.SANDBOX_NOW = new Date(night.end.getTime() + 31 * 3_600_000).toISOString();
    const planned = (await planPollBatch({})).items.find((p) => p.connectionId === connection.id)!;
    expect(planned.kind).toBe("poll");
    const [pollRun] = await db.select().from(syncRuns).where(eq(syncRuns.id, planned.syncRunId));
    const oldestPending = before.flatMap((p) => (p.day ? [p.day] : [])).sort()[0]!;
    const lookback = rangeEndingToday(4).startDay;
    const floor = rangeEndingToday(30).startDay;
    const earliest = oldestPending < lookback ? oldestPending : lookback;
    expect(pollRun!.rangeStart).toBe(earliest < floor ? floor : earliest);
    const { connectionId, syncRunId, provider } = planned;
    dispatchInProcess({ name: syncRequested.name, data: { connectionId, syncRunId, provider } });
    await drainInProcessJobs();
    const [done] = await db.select().from(syncRuns).where(eq(syncRuns.id, planned.syncRunId));
    expect(done).toMatchObject({ status: "succeeded" });

    const after = await pendingNow();
    for (const p of waiting) {
      const still = after.find((a) => a.collection === p.collection && a.externalId === p.externalId);
      // Scored → forgotten; a night the strap could not read stays, as UNSCORABLE.
      if (still) expect(still.state).toBe("UNSCORABLE");
    }
    // Cycles are never UNSCORABLE: every one that waited is gone.
    expect(after.filter((a) => a.collection === "cycle" && waiting.some((p) => p.externalId === a.externalId))).toEqual(
      [],
    );
    if (!after.some((a) => a.externalId === night.id)) {
      expect((await nightMetrics()).map((m) => m.metric).sort()).toEqual(["readiness_score", "time_in_bed"]);
    }
  });

  it("waits out a 429 and retries the step (Retry from X-RateLimit-Reset)", async () => {
    const { connection } = await connectWhoop();
    registerInProcessJobs(jobs.map((j) => j.definition));
    // One request a minute: a sync needs several pages, so it is refused part-way.
    process.env.SANDBOX_WHOOP_RATE_LIMIT = "1";
    const direct = await createSyncRun({ connectionId: connection.id, kind: "manual", range: rangeEndingToday(30) });
    const error = await syncCollectionForRun(direct.id, "sleep")
      .then(() => syncCollectionForRun(direct.id, "recovery"))
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(ProviderRateLimitError);
    const retryAfter = (error as ProviderRateLimitError).retryAfterSeconds;
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);

    // Through the job runner: the step waits as long as WHOOP said (recorded, not slept), then retries.
    const waits: number[] = [];
    const run = await createSyncRun({ connectionId: connection.id, kind: "manual", range: rangeEndingToday(30) });
    dispatchInProcess(
      { name: syncRequested.name, data: { connectionId: connection.id, syncRunId: run.id, provider: "whoop" } },
      {
        sleep: async (ms) => {
          waits.push(ms);
          // The minute has "passed": WHOOP's usual budget again.
          delete process.env.SANDBOX_WHOOP_RATE_LIMIT;
        },
      },
    );
    await drainInProcessJobs();
    expect(waits).toHaveLength(1);
    expect(waits[0]).toBeGreaterThanOrEqual(1000);
    expect(waits[0]).toBeLessThanOrEqual(60_000);
    const db = await getDb();
    const [finished] = await db.select().from(syncRuns).where(eq(syncRuns.id, run.id));
    expect(finished).toMatchObject({ status: "succeeded", progress: 100, error: null });
    const [after] = await db.select().from(connections).where(eq(connections.id, connection.id));
    expect(after!.status).toBe("active");
  });
});
