import { serveAppForTests } from "@/lib/testing/serve-app";
import { and, eq, sql } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { listProviderCards } from "@/lib/connections/service";
import { startSessionLogin } from "@/lib/connections/session-connect";
import { getDb } from "@/lib/db/client";
import { connections, dailyMetrics, syncRuns } from "@/lib/db/schema";
import { connectionConnected } from "@/lib/jobs/events";
import { dispatchInProcess, drainInProcessJobs, registerInProcessJobs } from "@/lib/jobs/in-process";
import { jobs } from "@/lib/jobs";
import { advanceSandboxClock, injectSandboxFault, resetSandboxControls } from "@/lib/sandbox/controls";
import { GARMIN_SANDBOX_EMAILS, GARMIN_SANDBOX_PASSWORD } from "@/lib/sandbox/garmin/accounts";
import type { TestClient } from "@/lib/testing/app-server";
import { connectThroughSandbox, followCallback, signedInClient } from "@/lib/testing/oauth-journey";
import { createSyncRun, rangeEndingToday } from "./engine";

/**
 * Failure semantics end to end, through the in-process runner and the sandboxes' controls: only a
 * grant that is really gone disconnects; faults and rate limits only make a backfill later. Waits
 * (Retry-After, backoff) advance the sandboxes' clocks instead of the wall clock.
 */
const PROVIDERS = ["oura", "whoop", "withings", "garmin"] as const;
const server = serveAppForTests({ sandboxFor: [...PROVIDERS], sandboxNow: new Date(Date.now() - 60_000) });

afterEach(async () => {
  delete process.env.SANDBOX_OURA_RATE_LIMIT;
  for (const provider of PROVIDERS) await resetSandboxControls(provider);
});

/** The runner's waits move the sandbox clocks (all of them: runs of several providers interleave). */
const waits: number[] = [];
async function sandboxTimeSleep(ms: number): Promise<void> {
  waits.push(ms);
  for (const provider of PROVIDERS) await advanceSandboxClock(provider, ms);
  await new Promise((r) => setTimeout(r, 5));
}

/** Consent for the given scopes only (the user unticks the rest). */
async function connectWithScopes(client: TestClient, provider: string, scopes: string[]): Promise<void> {
  const authorize = await client.get(`/api/v1/oauth/${provider}/authorize`);
  const { authorization_url: authorizationUrl } = (await authorize.json()) as { authorization_url: string };
  const form = new URLSearchParams(new URL(authorizationUrl).searchParams);
  form.set("scope", scopes.join(" "));
  form.set("decision", "allow");
  const decision = await client.post(`/sandbox/${provider}/oauth/authorize`, form);
  expect(decision.status).toBe(302);
  await followCallback(client, new URL(decision.headers.get("location")!));
  await drainInProcessJobs();
}

async function connectionOf(userId: string, provider: string) {
  const db = await getDb();
  const [row] = await db
    .select()
    .from(connections)
    .where(and(eq(connections.userId, userId), eq(connections.provider, provider)));
  return row!;
}

async function metricCounts(userId: string): Promise<Record<string, number>> {
  const db = await getDb();
  const rows = await db
    .select({ provider: dailyMetrics.provider, n: sql<number>`count(*)::int` })
    .from(dailyMetrics)
    .where(eq(dailyMetrics.userId, userId))
    .groupBy(dailyMetrics.provider);
  return Object.fromEntries(rows.map((r) => [r.provider, r.n]));
}

/** A fresh 30-day backfill of a connection, run by the in-process runner with sandbox-time waits. */
async function backfillAgain(connection: { id: string; provider: string }): Promise<string> {
  const run = await createSyncRun({ connectionId: connection.id, kind: "backfill", range: rangeEndingToday(30) });
  registerInProcessJobs(jobs.map((j) => j.definition));
  dispatchInProcess(
    {
      name: connectionConnected.name,
      data: { connectionId: connection.id, syncRunId: run.id, provider: connection.provider },
    },
    { sleep: sandboxTimeSleep },
  );
  return run.id;
}

async function runOf(runId: string) {
  const db = await getDb();
  const [run] = await db.select().from(syncRuns).where(eq(syncRuns.id, runId));
  return run!;
}

const TIMEOUT_MS = 300_000;

describe("failure semantics", () => {
  it(
    "a scope the user did not grant skips its collection; a 403 marks one collection unavailable; the connection stays active",
    async () => {
      const { client, userId } = await signedInClient(server.url);
      await connectWithScopes(client, "oura", ["email", "personal", "daily", "spo2Daily", "stress"]);
      let row = await connectionOf(userId, "oura");
      expect(row.status).toBe("active");
      const db = await getDb();
      const [backfill] = await db.select().from(syncRuns).where(eq(syncRuns.connectionId, row.id));
      expect(backfill).toMatchObject({ status: "succeeded", progress: 100 });
      const metrics = await db.select().from(dailyMetrics).where(eq(dailyMetrics.userId, userId));
      expect(metrics.some((m) => m.metric === "sleep_score")).toBe(true);
      expect(metrics.some((m) => m.metric === "heart_rate_avg")).toBe(false);
      let card = (await listProviderCards(userId)).find((c) => c.provider === "oura")!;
      expect(card.status).toBe("active");
      expect(card.unavailableCollections).toEqual([
        { collection: "heartrate", reason: expect.stringMatching(/not granted.*heartrate/) },
      ]);

      // The stored scopes claim heart rate, but the token lacks it: Oura answers 403 for that
      // collection only. It is marked unavailable; everything else syncs; nobody is disconnected.
      await db
        .update(connections)
        .set({ scopes: [...row.scopes, "heartrate"] })
        .where(eq(connections.id, row.id));
      const runId = await backfillAgain(row);
      await drainInProcessJobs();
      expect(await runOf(runId)).toMatchObject({ status: "succeeded", progress: 100 });
      row = await connectionOf(userId, "oura");
      expect(row.status).toBe("active");
      expect(row.unavailableCollections).toEqual({ heartrate: expect.stringMatching(/403/) });
      card = (await listProviderCards(userId)).find((c) => c.provider === "oura")!;
      expect(card.unavailableCollections).toEqual([{ collection: "heartrate", reason: expect.stringMatching(/403/) }]);
    },
    TIMEOUT_MS,
  );

  it(
    "20% 5xx and a minute of 429 bursts: every backfill of four providers completes and nothing is disconnected",
    async () => {
      const { client, userId } = await signedInClient(server.url);
      for (const provider of ["oura", "whoop", "withings"]) await connectThroughSandbox(client, provider);
      const garmin = await startSessionLogin({
        userId,
        providerId: "garmin",
        email: GARMIN_SANDBOX_EMAILS.plain,
        password: GARMIN_SANDBOX_PASSWORD,
      });
      expect(garmin.status).toBe("connected");
      await drainInProcessJobs();
      const baseline = await metricCounts(userId);
      for (const provider of PROVIDERS) expect(baseline[provider]).toBeGreaterThan(0);

      // Start from nothing, so "complete" means every metric of the fault-free backfill came back.
      const db = await getDb();
      await db.delete(dailyMetrics).where(eq(dailyMetrics.userId, userId));
      for (const provider of PROVIDERS) {
        await injectSandboxFault(provider, { kind: "server_error", probability: 0.2, forSeconds: 600 });
        await injectSandboxFault(provider, { kind: "rate_limit", retryAfterSeconds: 20, forSeconds: 60 });
      }
      waits.length = 0;
      const runIds: string[] = [];
      for (const provider of PROVIDERS) runIds.push(await backfillAgain(await connectionOf(userId, provider)));
      await drainInProcessJobs();

      for (const runId of runIds) expect(await runOf(runId)).toMatchObject({ status: "succeeded", progress: 100 });
      expect(await metricCounts(userId)).toEqual(baseline);
      for (const provider of PROVIDERS) expect((await connectionOf(userId, provider)).status).toBe("active");
      // The bursts were waited out as the sandboxes asked (Retry-After / wait_seconds), in sandbox time.
      expect(waits).toContain(20_000);
    },
    TIMEOUT_MS,
  );

  it(
    "a payload we cannot parse is recorded and not retried; the connection stays active",
    async () => {
      const { client, userId } = await signedInClient(server.url);
      await connectThroughSandbox(client, "oura");
      await injectSandboxFault("oura", { kind: "malformed", forSeconds: 600, target: "api" });
      waits.length = 0;
      const runId = await backfillAgain(await connectionOf(userId, "oura"));
      await drainInProcessJobs();
      const run = await runOf(runId);
      expect(run.status).toBe("failed");
      expect(run.error).toMatch(/Oura page has no "data" array/);
      expect(waits).toEqual([]); // no retry, no backoff: it would fail the same way again
      expect((await connectionOf(userId, "oura")).status).toBe("active");
    },
    TIMEOUT_MS,
  );

  it(
    "with SANDBOX_OURA_RATE_LIMIT=20 an Oura backfill resumes page by page and finishes, later",
    async () => {
      const { client, userId } = await signedInClient(server.url);
      await connectThroughSandbox(client, "oura");
      const baseline = await metricCounts(userId);
      const db = await getDb();
      await db.delete(dailyMetrics).where(eq(dailyMetrics.userId, userId));

      process.env.SANDBOX_OURA_RATE_LIMIT = "20";
      // A fresh window, so the limit is met part-way through the backfill.
      await advanceSandboxClock("oura", 300_000);
      waits.length = 0;
      const runId = await backfillAgain(await connectionOf(userId, "oura"));
      await drainInProcessJobs();

      const run = await runOf(runId);
      expect(run).toMatchObject({ status: "succeeded", progress: 100 });
      expect(await metricCounts(userId)).toEqual(baseline);
      // It had to wait for more than one fresh window (the backfill needs more than 40 pages).
      expect(waits.filter((ms) => ms >= 1000).length).toBeGreaterThanOrEqual(2);
      expect((await connectionOf(userId, "oura")).status).toBe("active");
    },
    TIMEOUT_MS,
  );
});
