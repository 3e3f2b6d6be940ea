import { serveAppForTests } from "@/lib/testing/serve-app";
import { and, eq, sql } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it, vi, type MockInstance } from "vitest";
import { getDb } from "@/lib/db/client";
import { connections, dailyMetrics, loginChallenges, sandboxSessions, syncRuns } from "@/lib/db/schema";
import { drainInProcessJobs } from "@/lib/jobs/in-process";
import { GARMIN_SANDBOX_EMAILS, GARMIN_SANDBOX_MFA_CODE, GARMIN_SANDBOX_PASSWORD } from "@/lib/sandbox/garmin/accounts";
import type { TestClient } from "@/lib/testing/app-server";
import { signedInClient } from "@/lib/testing/oauth-journey";
import { GARMIN_OLD_SESSION_MESSAGE } from "@/lib/providers/garmin";
import { revokeGarminSandboxSessions } from "@/lib/sandbox/garmin";
import { advanceSandboxClock, resetSandboxControls } from "@/lib/sandbox/controls";
import { freshAccessToken, refreshConnectionTokens } from "./tokens";
import { startBackfill } from "./backfill";
import {
  CHALLENGE_TTL_MS,
  completeSessionMfa,
  hashChallengeId,
  SessionConnectError,
  startSessionLogin,
} from "./session-connect";

/**
 * Connecting Garmin with a one-time credential session, over HTTP against the Garmin sandbox:
 * the routes, the session service, the mobile SSO → DI OAuth2 ticket exchange and the first sync.
 */

const server = serveAppForTests({ sandboxFor: ["garmin"], sandboxNow: new Date(Date.now() - 60_000) });
/** Everything written to the console during a test (the password must never be in it). */
let consoleText: string[] = [];
let spies: MockInstance[] = [];

beforeEach(() => {
  consoleText = [];
  spies = (["log", "info", "warn", "error", "debug"] as const).map((method) =>
    vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
      consoleText.push(
        args
          .map((a) =>
            a instanceof Error ? `${a.name}: ${a.message}\n${a.stack}` : typeof a === "string" ? a : JSON.stringify(a),
          )
          .join(" "),
      );
    }),
  );
});
afterEach(() => {
  for (const spy of spies) spy.mockRestore();
});

async function connectionsOf(userId: string) {
  const db = await getDb();
  return db.select().from(connections).where(eq(connections.userId, userId));
}

async function challengesOf(userId: string) {
  const db = await getDb();
  return db.select().from(loginChallenges).where(eq(loginChallenges.userId, userId));
}

const login = (client: TestClient, email: string, password: string) =>
  client.post("/api/v1/garmin/login", { email, password });
const mfa = (client: TestClient, challengeId: string, code: string) =>
  client.post("/api/v1/garmin/mfa", { challenge_id: challengeId, code });

/** Every table of the schema, as JSON text. */
async function dumpDatabase(): Promise<string> {
  const db = await getDb();
  // postgres.js returns the rows, PGlite a result object holding them.
  const raw: unknown = await db.execute(
    sql`select table_name from information_schema.tables where table_schema = current_schema() and table_type = 'BASE TABLE'`,
  );
  const tables = raw as { rows: Array<{ table_name: string }> } | Array<{ table_name: string }>;
  const names = (Array.isArray(tables) ? tables : tables.rows).map((t) => t.table_name);
  expect(names).toEqual(expect.arrayContaining(["connections", "login_challenges", "sandbox_sessions", "users"]));
  const dump: Record<string, unknown> = {};
  for (const name of names) {
    const rawResult: unknown = await db.execute(sql`select * from ${sql.identifier(name)}`);
    const result = rawResult as { rows: unknown[] } | unknown[];
    dump[name] = Array.isArray(result) ? result : result.rows;
  }
  return JSON.stringify(dump);
}

describe("Garmin session connect (over HTTP, against the sandbox)", () => {
  it("connects an account without MFA, keeps the session encrypted, backfills 30 days idempotently, and renews", async () => {
    const { client, userId } = await signedInClient(server.url);
    const response = await login(client, GARMIN_SANDBOX_EMAILS.plain, GARMIN_SANDBOX_PASSWORD);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: "connected" });
    await drainInProcessJobs();

    const [connection] = await connectionsOf(userId);
    expect(connection).toMatchObject({ provider: "garmin", status: "active" });
    expect(connection!.providerUserId).toMatch(/^\d+$/);
    expect(connection!.tokenExpiresAt!.getTime()).toBeGreaterThan(Date.now() + 20 * 3600_000);
    const secrets = JSON.parse(connection!.sessionSecrets!) as Record<string, string>;
    expect(Object.keys(secrets).sort()).toEqual(["diClientId", "diRefreshToken", "displayName"]);

    const db = await getDb();
    const [raw] = await db
      .select({ access: sql<string>`${connections.accessToken}`, secrets: sql<string>`${connections.sessionSecrets}` })
      .from(connections)
      .where(eq(connections.id, connection!.id));
    expect(raw!.access).toMatch(/^v1\.test1\./);
    expect(raw!.secrets).toMatch(/^v1\.test1\./);
    expect(raw!.secrets).not.toContain(secrets.diRefreshToken!);

    const [run] = await db.select().from(syncRuns).where(eq(syncRuns.connectionId, connection!.id));
    expect(run).toMatchObject({ kind: "backfill", status: "succeeded", progress: 100, error: null });
    const days = (metric: string) =>
      db
        .selectDistinct({ day: dailyMetrics.day })
        .from(dailyMetrics)
        .where(
          and(eq(dailyMetrics.userId, userId), eq(dailyMetrics.provider, "garmin"), eq(dailyMetrics.metric, metric)),
        );
    for (const metric of ["sleep_score", "readiness_score", "hrv_rmssd", "steps", "body_battery_charged"]) {
      const got = await days(metric);
      expect(got.length, metric).toBeGreaterThanOrEqual(25);
      expect(got.length, metric).toBeLessThanOrEqual(30);
      expect(got.every(({ day }) => day >= run!.rangeStart! && day <= run!.rangeEnd!)).toBe(true);
    }

    const snapshot = await db
      .select()
      .from(dailyMetrics)
      .where(eq(dailyMetrics.userId, userId))
      .orderBy(dailyMetrics.id);
    const second = await startBackfill(connection!.id, "garmin");
    await drainInProcessJobs();
    const [rerun] = await db.select().from(syncRuns).where(eq(syncRuns.id, second));
    expect(rerun).toMatchObject({ status: "succeeded", metricsWritten: 0 });
    expect(rerun!.recordsFetched).toBe(run!.recordsFetched);
    expect(
      await db.select().from(dailyMetrics).where(eq(dailyMetrics.userId, userId)).orderBy(dailyMetrics.id),
    ).toEqual(snapshot);

    // Renewal spends the DI refresh token (single-use): a new bearer and a new refresh token.
    const renewed = await refreshConnectionTokens(connection!.id);
    expect(renewed.status).toBe("active");
    expect(renewed.accessToken).not.toBe(connection!.accessToken);
    const renewedSecrets = JSON.parse(renewed.sessionSecrets!) as Record<string, string>;
    expect(renewedSecrets).toEqual({ ...secrets, diRefreshToken: expect.any(String) });
    expect(renewedSecrets.diRefreshToken).not.toBe(secrets.diRefreshToken);

    expect(await challengesOf(userId)).toEqual([]);
  });

  it("connects an MFA account with the emailed code; the challenge is hashed, encrypted and single-use", async () => {
    const { client, userId } = await signedInClient(server.url);
    const started = await login(client, GARMIN_SANDBOX_EMAILS.mfa.toUpperCase(), GARMIN_SANDBOX_PASSWORD);
    expect(started.status).toBe(200);
    const body = (await started.json()) as { status: string; challenge_id: string; expires_at: string };
    expect(body).toEqual({
      status: "mfa_required",
      challenge_id: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      expires_at: expect.any(String),
    });
    const expiresIn = Date.parse(body.expires_at) - Date.now();
    expect(expiresIn).toBeGreaterThan(CHALLENGE_TTL_MS - 60_000);
    expect(expiresIn).toBeLessThanOrEqual(CHALLENGE_TTL_MS);
    expect(await connectionsOf(userId)).toEqual([]);

    const db = await getDb();
    const [challenge] = await db
      .select({ idHash: loginChallenges.idHash, raw: sql<string>`${loginChallenges.context}` })
      .from(loginChallenges)
      .where(eq(loginChallenges.userId, userId));
    expect(challenge!.idHash).toBe(hashChallengeId(body.challenge_id));
    expect(challenge!.raw).toMatch(/^v1\.test1\./);

    // Another user cannot use it.
    const intruder = await signedInClient(server.url);
    const stolen = await mfa(intruder.client, body.challenge_id, GARMIN_SANDBOX_MFA_CODE);
    expect(stolen.status).toBe(410);
    expect(await connectionsOf(intruder.userId)).toEqual([]);

    const done = await mfa(client, body.challenge_id, GARMIN_SANDBOX_MFA_CODE);
    expect(done.status).toBe(200);
    expect(await done.json()).toEqual({ status: "connected" });
    await drainInProcessJobs();
    const [connection] = await connectionsOf(userId);
    expect(connection).toMatchObject({ provider: "garmin", status: "active" });
    expect(Object.keys(JSON.parse(connection!.sessionSecrets!)).sort()).toEqual([
      "diClientId",
      "diRefreshToken",
      "displayName",
    ]);
    const [run] = await db.select().from(syncRuns).where(eq(syncRuns.connectionId, connection!.id));
    expect(run).toMatchObject({ kind: "backfill", status: "succeeded" });
    expect(run!.metricsWritten).toBeGreaterThan(100);
    const renewed = await refreshConnectionTokens(connection!.id);
    expect(renewed.accessToken).not.toBe(connection!.accessToken);

    expect(await challengesOf(userId)).toEqual([]);
    const replay = await mfa(client, body.challenge_id, GARMIN_SANDBOX_MFA_CODE);
    expect(replay.status).toBe(410);
  });

  it("a wrong password answers 401 and stores nothing", async () => {
    const { client, userId } = await signedInClient(server.url);
    const wrongPassword = "not-the-garmin-password";
    const response = await login(client, GARMIN_SANDBOX_EMAILS.plain, wrongPassword);
    expect(response.status).toBe(401);
    const text = await response.text();
    expect(JSON.parse(text)).toEqual({ detail: expect.stringMatching(/did not accept that email and password/) });
    expect(text).not.toContain(wrongPassword);
    expect(await connectionsOf(userId)).toEqual([]);
    expect(await challengesOf(userId)).toEqual([]);

    const unknown = await login(client, "nobody@garmin.example", GARMIN_SANDBOX_PASSWORD);
    expect(unknown.status).toBe(401);
  });

  it("a locked account answers 423 and stores nothing", async () => {
    const { client, userId } = await signedInClient(server.url);
    const response = await login(client, GARMIN_SANDBOX_EMAILS.locked, GARMIN_SANDBOX_PASSWORD);
    expect(response.status).toBe(423);
    expect(((await response.json()) as { detail: string }).detail).toMatch(/locked/);
    expect(await connectionsOf(userId)).toEqual([]);
    expect(await challengesOf(userId)).toEqual([]);
  });

  it("a wrong code answers 400 and can be retried; the third wrong code burns the challenge", async () => {
    const { client, userId } = await signedInClient(server.url);
    const first = (await (await login(client, GARMIN_SANDBOX_EMAILS.mfa, GARMIN_SANDBOX_PASSWORD)).json()) as {
      challenge_id: string;
    };

    const wrong = await mfa(client, first.challenge_id, "000000");
    expect(wrong.status).toBe(400);
    expect(await wrong.json()).toEqual({ detail: expect.stringMatching(/not the one Garmin sent/), attempts_left: 2 });
    expect(await connectionsOf(userId)).toEqual([]);
    // Still usable: the right code now connects.
    const right = await mfa(client, first.challenge_id, GARMIN_SANDBOX_MFA_CODE);
    expect(right.status).toBe(200);
    await drainInProcessJobs();
    expect(await connectionsOf(userId)).toHaveLength(1);

    const other = await signedInClient(server.url);
    const second = (await (await login(other.client, GARMIN_SANDBOX_EMAILS.mfa, GARMIN_SANDBOX_PASSWORD)).json()) as {
      challenge_id: string;
    };
    expect((await mfa(other.client, second.challenge_id, "111111")).status).toBe(400);
    expect((await mfa(other.client, second.challenge_id, "222222")).status).toBe(400);
    const third = await mfa(other.client, second.challenge_id, "333333");
    expect(third.status).toBe(410);
    expect(await third.json()).toEqual({ detail: expect.stringMatching(/Sign in again/), attempts_left: 0 });
    const late = await mfa(other.client, second.challenge_id, GARMIN_SANDBOX_MFA_CODE);
    expect(late.status).toBe(410);
    expect(await connectionsOf(other.userId)).toEqual([]);
    expect(await challengesOf(other.userId)).toEqual([]);

    const malformed = await mfa(other.client, second.challenge_id, "12345");
    expect(malformed.status).toBe(422);
  });

  it("an expired challenge says 'sign in again' and stores nothing (ours after 5 minutes, or Garmin's)", async () => {
    const { userId } = await signedInClient(server.url);
    const loginAt = new Date();
    const started = await startSessionLogin(
      { userId, providerId: "garmin", email: GARMIN_SANDBOX_EMAILS.mfa, password: GARMIN_SANDBOX_PASSWORD },
      loginAt,
    );
    expect(started.status).toBe("mfa_required");
    const challengeId = (started as { challengeId: string }).challengeId;
    const sixMinutesLater = new Date(loginAt.getTime() + 6 * 60_000);
    await expect(
      completeSessionMfa({ userId, challengeId, code: GARMIN_SANDBOX_MFA_CODE }, sixMinutesLater),
    ).rejects.toMatchObject({
      name: "SessionConnectError",
      reason: "challenge_expired",
      message: "The code has expired. Sign in again to get a new one.",
    });
    expect(await connectionsOf(userId)).toEqual([]);
    expect(await challengesOf(userId)).toEqual([]);

    // Garmin's own MFA window (5 minutes after the login) is over, though our challenge is not.
    const again = await startSessionLogin({
      userId,
      providerId: "garmin",
      email: GARMIN_SANDBOX_EMAILS.mfa,
      password: GARMIN_SANDBOX_PASSWORD,
    });
    const db = await getDb();
    await db
      .update(sandboxSessions)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(
        and(
          eq(sandboxSessions.provider, "garmin"),
          eq(sandboxSessions.kind, "sso_mfa"),
          eq(sandboxSessions.consumed, false),
        ),
      );
    const error = await completeSessionMfa({
      userId,
      challengeId: (again as { challengeId: string }).challengeId,
      code: GARMIN_SANDBOX_MFA_CODE,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SessionConnectError);
    expect((error as SessionConnectError).reason).toBe("challenge_expired");
    expect(await connectionsOf(userId)).toEqual([]);
    expect(await challengesOf(userId)).toEqual([]);

    // Over HTTP: an unknown challenge is 410 too.
    const { client } = await signedInClient(server.url);
    const unknown = await mfa(client, "A".repeat(43), GARMIN_SANDBOX_MFA_CODE);
    expect(unknown.status).toBe(410);
    expect(await unknown.json()).toEqual({ detail: "The code has expired. Sign in again to get a new one." });
  });

  it("never stores or logs the Garmin password", async () => {
    const { client } = await signedInClient(server.url);
    // A distinctive password that is also wrong, plus the real sandbox one (right, and with MFA).
    const wrong = `wrong-${Date.now()}-pw`;
    expect((await login(client, GARMIN_SANDBOX_EMAILS.plain, wrong)).status).toBe(401);
    expect((await login(client, GARMIN_SANDBOX_EMAILS.locked, GARMIN_SANDBOX_PASSWORD)).status).toBe(423);
    const started = (await (await login(client, GARMIN_SANDBOX_EMAILS.mfa, GARMIN_SANDBOX_PASSWORD)).json()) as {
      challenge_id: string;
    };
    expect((await mfa(client, started.challenge_id, "999999")).status).toBe(400);
    expect((await mfa(client, started.challenge_id, GARMIN_SANDBOX_MFA_CODE)).status).toBe(200);
    expect((await login(client, GARMIN_SANDBOX_EMAILS.plain, GARMIN_SANDBOX_PASSWORD)).status).toBe(200);
    await drainInProcessJobs();

    // The capture works: whatever the app writes to the console is searched.
    console.warn("console capture probe");
    expect(consoleText.join("\n")).toContain("console capture probe");

    const dump = await dumpDatabase();
    expect(dump).toContain("garmin"); // the dump is real
    for (const secret of [GARMIN_SANDBOX_PASSWORD, wrong]) {
      // Booleans, so a failure does not print the whole database.
      expect(dump.includes(secret), "password found in the database").toBe(false);
      expect(consoleText.join("\n").includes(secret), "password found in the logs").toBe(false);
    }
  });

  it("a session revoked on Garmin's side disconnects the account when it is renewed; history stays", async () => {
    const { client, userId } = await signedInClient(server.url);
    expect((await login(client, GARMIN_SANDBOX_EMAILS.plain, GARMIN_SANDBOX_PASSWORD)).status).toBe(200);
    await drainInProcessJobs();
    const [connection] = await connectionsOf(userId);
    const db = await getDb();
    const before = await db.select().from(dailyMetrics).where(eq(dailyMetrics.userId, userId));
    expect(before.length).toBeGreaterThan(0);

    await revokeGarminSandboxSessions("alex");
    // The DI token endpoint answers invalid_grant for the revoked refresh token.
    await expect(refreshConnectionTokens(connection!.id)).rejects.toMatchObject({ name: "ProviderGrantError" });
    const [after] = await connectionsOf(userId);
    expect(after).toMatchObject({ status: "disconnected", lastError: expect.stringMatching(/Reconnect/) });
    expect(await db.select().from(dailyMetrics).where(eq(dailyMetrics.userId, userId))).toHaveLength(before.length);
  });

  it("an expired DI access token is refreshed before use (a day later on the sandbox clock)", async () => {
    const { client, userId } = await signedInClient(server.url);
    expect((await login(client, GARMIN_SANDBOX_EMAILS.plain, GARMIN_SANDBOX_PASSWORD)).status).toBe(200);
    await drainInProcessJobs();
    const [connection] = await connectionsOf(userId);
    const db = await getDb();
    // A day passes at Garmin: the access token is dead there, and our row says it expired.
    await advanceSandboxClock("garmin", 86_400_000 + 60_000);
    await db
      .update(connections)
      .set({ tokenExpiresAt: new Date(Date.now() - 1000) })
      .where(eq(connections.id, connection!.id));
    const sandboxUrl = `${server.url}/sandbox/garmin/connectapi/userprofile-service/socialProfile`;
    expect((await fetch(sandboxUrl, { headers: { authorization: `Bearer ${connection!.accessToken}` } })).status).toBe(
      401,
    );
    const { accessToken } = await freshAccessToken(connection!.id);
    expect(accessToken).not.toBe(connection!.accessToken);
    expect((await fetch(sandboxUrl, { headers: { authorization: `Bearer ${accessToken}` } })).status).toBe(200);
    const [after] = await connectionsOf(userId);
    expect(after).toMatchObject({ status: "active" });
    await resetSandboxControls("garmin");
  });

  it("a connection stored in the pre-2026 OAuth1 format is disconnected once, asking to Reconnect", async () => {
    const { client, userId } = await signedInClient(server.url);
    expect((await login(client, GARMIN_SANDBOX_EMAILS.plain, GARMIN_SANDBOX_PASSWORD)).status).toBe(200);
    await drainInProcessJobs();
    const [connection] = await connectionsOf(userId);
    const db = await getDb();
    await db
      .update(connections)
      .set({
        sessionSecrets: JSON.stringify({ oauthToken: "ot", oauthTokenSecret: "ots", displayName: "Alex Moreno" }),
        tokenExpiresAt: new Date(Date.now() - 1000),
      })
      .where(eq(connections.id, connection!.id));
    await expect(refreshConnectionTokens(connection!.id)).rejects.toMatchObject({ name: "ProviderAuthError" });
    const [after] = await connectionsOf(userId);
    expect(after).toMatchObject({
      status: "disconnected",
      lastError: `${GARMIN_OLD_SESSION_MESSAGE}. Reconnect to resume syncing.`,
    });
    // Reconnecting stores the new format, and it renews.
    expect((await login(client, GARMIN_SANDBOX_EMAILS.plain, GARMIN_SANDBOX_PASSWORD)).status).toBe(200);
    await drainInProcessJobs();
    const [reconnected] = await connectionsOf(userId);
    expect(reconnected).toMatchObject({ status: "active" });
    expect(Object.keys(JSON.parse(reconnected!.sessionSecrets!))).toContain("diRefreshToken");
    expect((await refreshConnectionTokens(reconnected!.id)).status).toBe("active");
  });

  it("still refuses Garmin on the OAuth authorize API", async () => {
    const { client } = await signedInClient(server.url);
    const response = await client.get("/api/v1/oauth/garmin/authorize");
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ detail: "Provider 'garmin' does not support OAuth" });

    const anonymous = await fetch(`${server.url}/api/v1/garmin/login`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: server.url },
      body: JSON.stringify({ email: GARMIN_SANDBOX_EMAILS.plain, password: GARMIN_SANDBOX_PASSWORD }),
    });
    expect(anonymous.status).toBe(401);
    const invalid = await client.post("/api/v1/garmin/login", { email: "", password: "" });
    expect(invalid.status).toBe(422);
  });
});
