import { serveAppForTests } from "@/lib/testing/serve-app";
import { and, eq, sql } from "drizzle-orm";
import { afterEach, describe, expect, it, vi } from "vitest";
import { refreshConnectionTokens } from "@/lib/connections/tokens";
import { startBackfill } from "@/lib/connections/backfill";
import { getDb } from "@/lib/db/client";
import { connections, dailyMetrics, oauthStates, syncRuns } from "@/lib/db/schema";
import { drainInProcessJobs } from "@/lib/jobs/in-process";
import { refreshAccessToken } from "@/lib/oauth/engine";
import { createProviderApi } from "@/lib/providers/api-client";
import { ProviderAuthError, ProviderRateLimitError } from "@/lib/providers/errors";
import { resolveProvider, type OAuth2Runtime } from "@/lib/providers/runtime";
import { WITHINGS_SANDBOX_ACCOUNTS } from "@/lib/sandbox/withings";
import { answerConsent, connectThroughSandbox, followCallback, signedInClient } from "@/lib/testing/oauth-journey";
import { withings } from "./withings";

/**
 * Withings end to end over HTTP against its sandbox: the non-standard token endpoint (status in a
 * 200 body) through the OAuth engine, the 30-day backfill of every collection, errors and rate
 * limits carried inside 200 answers, and refresh tokens that rotate with a grace period.
 */

const sam = WITHINGS_SANDBOX_ACCOUNTS.find((a) => a.id === "sam")!;
const server = serveAppForTests({ sandboxFor: ["withings"], sandboxNow: new Date(Date.now() - 60_000) });

afterEach(() => {
  delete process.env.SANDBOX_WITHINGS_RATE_LIMIT;
  vi.useRealTimers();
});

async function connectionsOf(userId: string) {
  const db = await getDb();
  return db.select().from(connections).where(eq(connections.userId, userId));
}

async function metricDays(userId: string, metric: string): Promise<string[]> {
  const db = await getDb();
  const rows = await db
    .select({ day: dailyMetrics.day })
    .from(dailyMetrics)
    .where(
      and(eq(dailyMetrics.userId, userId), eq(dailyMetrics.provider, "withings"), eq(dailyMetrics.metric, metric)),
    );
  return rows.map((r) => r.day).sort();
}

function runtime(): OAuth2Runtime {
  const rt = resolveProvider("withings");
  expect(rt?.mode).toBe("sandbox");
  return rt as OAuth2Runtime;
}

async function connectedSam() {
  const { client, userId } = await signedInClient(server.url);
  const landed = await connectThroughSandbox(client, "withings", { account: "sam" });
  expect(landed.searchParams.get("connected")).toBe("withings");
  const [connection] = await connectionsOf(userId);
  return { client, userId, connection: connection! };
}

describe("Withings over HTTP against its sandbox", () => {
  it("asks for comma-separated scopes at the authorisation endpoint", async () => {
    const { client } = await signedInClient(server.url);
    const { authorizationUrl } = await answerConsent(client, "withings", { decision: "deny" });
    expect(authorizationUrl.pathname).toBe("/sandbox/withings/oauth/authorize");
    expect(authorizationUrl.searchParams.get("scope")).toBe("user.info,user.metrics,user.activity,user.sleepevents");
  });

  it("connects, keeps the Withings user id, and backfills 30 local days idempotently", async () => {
    const { userId, connection } = await connectedSam();
    expect(connection).toMatchObject({ provider: "withings", status: "active", providerUserId: String(sam.userid) });
    expect(connection.scopes).toEqual(["user.info", "user.metrics", "user.activity", "user.sleepevents"]);
    expect(connection.tokenExpiresAt!.getTime() - Date.now()).toBeGreaterThan(10_700_000);
    const db = await getDb();
    const [raw] = await db
      .select({ access: sql<string>`${connections.accessToken}` })
      .from(connections)
      .where(eq(connections.id, connection.id));
    expect(raw!.access).not.toContain(connection.accessToken!);

    const [run] = await db.select().from(syncRuns).where(eq(syncRuns.connectionId, connection.id));
    expect(run).toMatchObject({ kind: "backfill", status: "succeeded", progress: 100, error: null });
    const inRange = (days: string[]) => days.every((d) => d >= run!.rangeStart! && d <= run!.rangeEnd!);

    // Sleep: most nights, some missing (sensor away, no data) — never more than one row a day.
    const sleepDays = await metricDays(userId, "sleep_score");
    expect(sleepDays.length).toBeGreaterThanOrEqual(20);
    expect(sleepDays.length).toBeLessThanOrEqual(30);
    expect(inRange(sleepDays)).toBe(true);
    // Weigh-ins: about three mornings out of four.
    const weightDays = await metricDays(userId, "weight");
    expect(weightDays.length).toBeGreaterThanOrEqual(12);
    expect(weightDays.length).toBeLessThan(30);
    expect(inRange(weightDays)).toBe(true);
    expect((await metricDays(userId, "steps")).length).toBeGreaterThanOrEqual(25);

    // Units converted once: kg, %, seconds.
    const values = await db
      .select({ metric: dailyMetrics.metric, value: dailyMetrics.value, unit: dailyMetrics.unit })
      .from(dailyMetrics)
      .where(eq(dailyMetrics.userId, userId));
    const of = (metric: string) => values.filter((v) => v.metric === metric);
    expect(of("weight").every((v) => v.value > 70 && v.value < 90 && v.unit === "kg")).toBe(true);
    expect(of("body_fat").every((v) => v.value > 10 && v.value < 35 && v.unit === "%")).toBe(true);
    expect(of("sleep_efficiency").every((v) => v.value > 50 && v.value <= 100)).toBe(true);
    expect(of("sleep_duration").every((v) => v.value > 3 * 3600 && v.value < 12 * 3600)).toBe(true);
    expect(of("hrv_rmssd").length).toBeGreaterThan(15);
    // No blood pressure or heart-rate metrics from a scale and a Sleep Analyzer.
    expect(of("blood_pressure_systolic")).toEqual([]);
    expect(of("heart_rate_avg")).toEqual([]);

    // Running the backfill again changes nothing.
    const snapshot = await db
      .select()
      .from(dailyMetrics)
      .where(eq(dailyMetrics.userId, userId))
      .orderBy(dailyMetrics.id);
    const second = await startBackfill(connection.id, "withings");
    await drainInProcessJobs();
    const [rerun] = await db.select().from(syncRuns).where(eq(syncRuns.id, second));
    expect(rerun).toMatchObject({ status: "succeeded", metricsWritten: 0 });
    expect(rerun!.recordsFetched).toBe(run!.recordsFetched);
    expect(
      await db.select().from(dailyMetrics).where(eq(dailyMetrics.userId, userId)).orderBy(dailyMetrics.id),
    ).toEqual(snapshot);
  });

  it("an invalid, used or expired code (status 503 in a 200 answer) gives token_exchange_failed and stores nothing", async () => {
    const { client, userId } = await signedInClient(server.url);
    const { callbackUrl } = await answerConsent(client, "withings");
    callbackUrl.searchParams.set("code", "not-a-real-code");
    const landed = await followCallback(client, callbackUrl);
    expect(landed.pathname).toBe("/accounts");
    expect(landed.searchParams.get("error")).toBe("token_exchange_failed");
    expect(await connectionsOf(userId)).toEqual([]);
    const db = await getDb();
    expect(await db.select().from(oauthStates).where(eq(oauthStates.userId, userId))).toEqual([]);

    // Codes live 30 seconds.
    const { callbackUrl: slow } = await answerConsent(client, "withings");
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Date.now() + 31_000);
    expect((await followCallback(client, slow)).searchParams.get("error")).toBe("token_exchange_failed");
    vi.useRealTimers();
    expect(await connectionsOf(userId)).toEqual([]);
  });

  it("status 601 becomes a rate-limit error with wait_seconds, for data calls and token calls", async () => {
    const { connection } = await connectedSam();
    process.env.SANDBOX_WITHINGS_RATE_LIMIT = "1";
    const measureCall = async () =>
      (await (
        await fetch(`${server.url}/sandbox/withings/measure`, {
          method: "POST",
          headers: {
            authorization: `Bearer ${connection.accessToken}`,
            "content-type": "application/x-www-form-urlencoded",
          },
          body: "action=getmeas",
        })
      ).json()) as { status: number; body: { wait_seconds: number } };
    // The first call may open a new one-minute window; the second is over the limit of 1 either way.
    let raw = await measureCall();
    if (raw.status === 0) raw = await measureCall();
    expect(raw.status).toBe(601);

    const api = createProviderApi(withings, runtime().endpoints.api, connection.accessToken!);
    // Each call is tried twice: a one-minute window may roll over in between.
    const refusal = async (work: () => Promise<unknown>) =>
      (await work()
        .then(work)
        .catch((e) => e)) as ProviderRateLimitError;
    const dataError = await refusal(() =>
      withings.collections[0]!.fetchPage(
        api,
        { startDay: "2026-01-01", endDay: "2026-01-02", start: new Date(), end: new Date() },
        undefined,
      ),
    );
    expect(dataError).toBeInstanceOf(ProviderRateLimitError);
    expect(dataError.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect(dataError.retryAfterSeconds).toBeLessThanOrEqual(raw.body.wait_seconds);

    const tokenError = await refusal(() => refreshAccessToken(runtime(), connection.refreshToken!));
    expect(tokenError).toBeInstanceOf(ProviderRateLimitError);
    expect(tokenError.retryAfterSeconds).toBeLessThanOrEqual(60);

    // A rate-limited refresh leaves the connection as it was.
    delete process.env.SANDBOX_WITHINGS_RATE_LIMIT;
    const [after] = await connectionsOf(connection.userId);
    expect(after).toMatchObject({ status: "active", tokenVersion: connection.tokenVersion });
  });

  it("rotating refresh tokens: the old one is accepted within the grace, refused once the new access token is used", async () => {
    const { connection } = await connectedSam();
    const rt = runtime();
    const old = connection.refreshToken!;

    const first = await refreshAccessToken(rt, old);
    expect(first.refreshToken).toBeTruthy();
    expect(first.refreshToken).not.toBe(old);
    expect(first.providerUserId).toBe(String(sam.userid));
    expect(first.scopes).toEqual(["user.info", "user.metrics", "user.activity", "user.sleepevents"]);

    // Not used yet: the old refresh token still works (e.g. a worker that crashed before saving).
    const retry = await refreshAccessToken(rt, old);
    expect(retry.accessToken).not.toBe(first.accessToken);

    // Using the newest access token ends the grace of the refresh tokens before it.
    const api = createProviderApi(withings, rt.endpoints.api, retry.accessToken);
    await expect(
      api.post("/v2/measure", { action: "getactivity", startdateymd: "2026-01-01", enddateymd: "2026-01-02" }),
    ).resolves.toMatchObject({ activities: [] });
    await expect(refreshAccessToken(rt, old)).rejects.toBeInstanceOf(ProviderAuthError);
    // The newest refresh token keeps working, and through the connection service too.
    const db = await getDb();
    await db.update(connections).set({ refreshToken: retry.refreshToken! }).where(eq(connections.id, connection.id));
    const row = await refreshConnectionTokens(connection.id);
    expect(row).toMatchObject({ status: "active" });
    expect(row.refreshToken).not.toBe(retry.refreshToken);
  });

  it("a refused refresh token disconnects the connection", async () => {
    const { connection, userId } = await connectedSam();
    const rt = runtime();
    const next = await refreshAccessToken(rt, connection.refreshToken!);
    await createProviderApi(withings, rt.endpoints.api, next.accessToken).post("/measure", { action: "getmeas" });
    // The stored refresh token is the rotated-out one whose grace has ended.
    await expect(refreshConnectionTokens(connection.id)).rejects.toBeInstanceOf(ProviderAuthError);
    const [after] = await connectionsOf(userId);
    expect(after).toMatchObject({ status: "disconnected" });
    expect(after!.lastError).toContain("Withings");
  });
});
