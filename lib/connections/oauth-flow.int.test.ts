import { serveAppForTests } from "@/lib/testing/serve-app";
import { and, eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { getDb } from "@/lib/db/client";
import { connections, dailyMetrics, oauthStates, syncRuns } from "@/lib/db/schema";
import { drainInProcessJobs } from "@/lib/jobs/in-process";
import { answerConsent, connectThroughSandbox, followCallback, signedInClient } from "@/lib/testing/oauth-journey";
import { startBackfill } from "./backfill";

// Today's activity grows during the day in the sandbox, as on a real ring; its clock is pinned so
// a re-run sees the same provider data.
const server = serveAppForTests({ sandboxFor: ["oura"], sandboxNow: new Date() });

async function connectionsOf(userId: string) {
  const db = await getDb();
  return db.select().from(connections).where(eq(connections.userId, userId));
}

describe("OAuth connect flow against the Oura sandbox (over HTTP)", () => {
  it("connects, stores encrypted tokens, and backfills 30 days idempotently", async () => {
    const { client, userId } = await signedInClient(server.url);
    const landed = await connectThroughSandbox(client, "oura");
    expect(landed.pathname).toBe("/accounts");
    expect(landed.searchParams.get("connected")).toBe("oura");

    const [connection] = await connectionsOf(userId);
    expect(connection).toMatchObject({ provider: "oura", status: "active" });
    expect(connection!.scopes).toEqual(expect.arrayContaining(["daily", "heartrate"]));
    expect(connection!.providerUserId).toBeTruthy();
    expect(connection!.tokenExpiresAt!.getTime()).toBeGreaterThan(Date.now());

    // The raw columns hold envelopes, never the tokens.
    const db = await getDb();
    const [raw] = await db
      .select({ access: sql<string>`${connections.accessToken}`, refresh: sql<string>`${connections.refreshToken}` })
      .from(connections)
      .where(eq(connections.id, connection!.id));
    expect(raw!.access).toMatch(/^v1\.test1\./);
    expect(raw!.refresh).toMatch(/^v1\.test1\./);
    expect(raw!.access).not.toContain(connection!.accessToken!);
    expect(raw!.refresh).not.toContain(connection!.refreshToken!);

    // The backfill ran to completion and covered 30 days of sleep and readiness.
    const [run] = await db.select().from(syncRuns).where(eq(syncRuns.connectionId, connection!.id));
    expect(run).toMatchObject({ kind: "backfill", status: "succeeded", progress: 100, error: null });
    expect(run!.metricsWritten).toBeGreaterThan(30 * 10);
    const days = await db
      .selectDistinct({ day: dailyMetrics.day })
      .from(dailyMetrics)
      .where(and(eq(dailyMetrics.userId, userId), eq(dailyMetrics.metric, "readiness_score")));
    expect(days.length).toBeGreaterThanOrEqual(27); // 30 days less the sandbox's occasional missing nights
    expect(days.length).toBeLessThanOrEqual(30);
    expect(days.every(({ day }) => day >= run!.rangeStart! && day <= run!.rangeEnd!)).toBe(true);
    const [after] = await connectionsOf(userId);
    expect(after!.lastSyncedAt).not.toBeNull();

    // Running the backfill again changes nothing.
    const snapshot = await db
      .select()
      .from(dailyMetrics)
      .where(eq(dailyMetrics.userId, userId))
      .orderBy(dailyMetrics.id);
    const second = await startBackfill(connection!.id, "oura");
    await drainInProcessJobs();
    const [rerun] = await db.select().from(syncRuns).where(eq(syncRuns.id, second));
    expect(rerun).toMatchObject({ status: "succeeded", metricsWritten: 0 });
    expect(rerun!.recordsFetched).toBe(run!.recordsFetched);
    const again = await db.select().from(dailyMetrics).where(eq(dailyMetrics.userId, userId)).orderBy(dailyMetrics.id);
    expect(again).toEqual(snapshot);
  });

  it("reconnecting updates the existing connection instead of adding one", async () => {
    const { client, userId } = await signedInClient(server.url);
    await connectThroughSandbox(client, "oura");
    const [first] = await connectionsOf(userId);
    await connectThroughSandbox(client, "oura");
    const rows = await connectionsOf(userId);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.id).toBe(first!.id);
    expect(rows[0]!.tokenVersion).toBeGreaterThan(first!.tokenVersion);
    expect(rows[0]!.accessToken).not.toBe(first!.accessToken);
  });

  it("Deny returns to /accounts saying so, and stores nothing", async () => {
    const { client, userId } = await signedInClient(server.url);
    const { callbackUrl } = await answerConsent(client, "oura", { decision: "deny" });
    expect(callbackUrl.searchParams.get("error")).toBe("access_denied");
    const landed = await followCallback(client, callbackUrl);
    expect(landed.pathname).toBe("/accounts");
    expect(landed.searchParams.get("error")).toBe("access_denied");
    expect(await connectionsOf(userId)).toEqual([]);
    const db = await getDb();
    expect(await db.select().from(oauthStates).where(eq(oauthStates.userId, userId))).toEqual([]);
  });

  it("a forged, replayed or foreign state gives 'OAuth state invalid' and stores nothing", async () => {
    const { client, userId } = await signedInClient(server.url);
    const forged = await followCallback(
      client,
      new URL(`${server.url}/api/v1/oauth/oura/callback?code=abc&state=${"A".repeat(43)}`),
    );
    expect(forged.searchParams.get("error")).toBe("oauth_state_invalid");
    expect(forged.pathname).toBe("/accounts");

    const { callbackUrl } = await answerConsent(client, "oura");
    // Another signed-in user presenting this user's callback is refused, without spending it.
    const intruder = await signedInClient(server.url);
    const stolen = await followCallback(intruder.client, callbackUrl);
    expect(stolen.searchParams.get("error")).toBe("oauth_state_invalid");
    expect(await connectionsOf(intruder.userId)).toEqual([]);
    expect((await followCallback(client, callbackUrl)).searchParams.get("connected")).toBe("oura");
    await drainInProcessJobs();
    // Once used, the state is gone: a replay by its owner is refused too, and changes nothing.
    const [connected] = await connectionsOf(userId);
    const replay = await followCallback(client, callbackUrl);
    expect(replay.searchParams.get("error")).toBe("oauth_state_invalid");
    expect(await connectionsOf(userId)).toEqual([connected]);
  });

  it("a code the provider refuses (invalid_grant) changes nothing", async () => {
    const { client, userId } = await signedInClient(server.url);
    const { callbackUrl } = await answerConsent(client, "oura");
    await followCallback(client, callbackUrl);
    await drainInProcessJobs();
    const [before] = await connectionsOf(userId);
    // A new flow, answered with the old (already used) code.
    const { callbackUrl: fresh } = await answerConsent(client, "oura");
    fresh.searchParams.set("code", callbackUrl.searchParams.get("code")!);
    const landed = await followCallback(client, fresh);
    expect(landed.searchParams.get("error")).toBe("token_exchange_failed");
    const [after] = await connectionsOf(userId);
    expect(after).toEqual(before);
  });

  it("answers the authorize API in the documented shapes", async () => {
    const { client } = await signedInClient(server.url);
    const ok = await client.get("/api/v1/oauth/oura/authorize?redirect_uri=/");
    expect(ok.status).toBe(200);
    const body = (await ok.json()) as { authorization_url: string; state: string };
    const url = new URL(body.authorization_url);
    expect(url.searchParams.get("state")).toBe(body.state);
    expect(url.searchParams.get("client_id")).toBeTruthy();
    expect(url.searchParams.get("redirect_uri")).toBe(`${server.url}/api/v1/oauth/oura/callback`);
    expect(url.searchParams.get("scope")).toBe("email personal daily heartrate workout session spo2Daily stress");

    const unknown = await client.get("/api/v1/oauth/fitbit/authorize");
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({ detail: "Provider 'fitbit' not found" });

    const evil = await client.get(
      `/api/v1/oauth/oura/authorize?redirect_uri=${encodeURIComponent("https://evil.example/")}`,
    );
    expect(evil.status).toBe(422);
    expect(await evil.json()).toEqual({
      detail: [{ type: "value_error", loc: ["query", "redirect_uri"], msg: expect.any(String) }],
    });

    const anonymous = await fetch(`${server.url}/api/v1/oauth/oura/authorize`);
    expect(anonymous.status).toBe(401);
  });
});
