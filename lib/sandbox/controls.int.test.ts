import { serveAppForTests } from "@/lib/testing/serve-app";
import { eq } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { requestManualSync } from "@/lib/connections/backfill";
import { refreshConnectionTokens } from "@/lib/connections/tokens";
import { getDb } from "@/lib/db/client";
import { connections, syncRuns } from "@/lib/db/schema";
import { drainInProcessJobs } from "@/lib/jobs/in-process";
import { ProviderAuthError } from "@/lib/providers/errors";
import { connectThroughSandbox, signedInClient } from "@/lib/testing/oauth-journey";
import {
  advanceSandboxClock,
  expireSandboxAccessTokens,
  resetSandboxControls,
  revokeSandboxGrant,
  sandboxClock,
  sandboxControlsEnabled,
  setSandboxTokenLifetimes,
} from "./controls";
import { ouraOAuth, OURA_SANDBOX_CLIENT_ID, OURA_SANDBOX_CLIENT_SECRET } from "./oura";

/** The sandbox controls, as tests use them directly and through `/sandbox/<id>/_control`. */
const server = serveAppForTests({ sandboxFor: ["oura"] });

afterEach(() => resetSandboxControls("oura"));

async function connectOura() {
  const { client, userId } = await signedInClient(server.url);
  await connectThroughSandbox(client, "oura");
  const db = await getDb();
  const [row] = await db.select().from(connections).where(eq(connections.userId, userId));
  return { client, userId, connection: row! };
}

const control = (body: unknown, headers: Record<string, string> = { "content-type": "application/json" }) =>
  fetch(`${server.url}/sandbox/oura/_control`, { method: "POST", headers, body: JSON.stringify(body) });

describe("sandbox controls", () => {
  it("exist only while sandboxes are served and never in production", () => {
    expect(sandboxControlsEnabled({ sandboxEnabled: true, env: "development" })).toBe(true);
    expect(sandboxControlsEnabled({ sandboxEnabled: true, env: "test" })).toBe(true);
    expect(sandboxControlsEnabled({ sandboxEnabled: true, env: "production" })).toBe(false);
    expect(sandboxControlsEnabled({ sandboxEnabled: false, env: "development" })).toBe(false);
  });

  it("the clock drives code and token lifetimes", async () => {
    const issue = () =>
      ouraOAuth.issueCode({
        accountId: "ava",
        clientId: OURA_SANDBOX_CLIENT_ID,
        redirectUri: "http://localhost/cb",
        scopes: ["daily"],
      });
    const exchange = (code: string) =>
      ouraOAuth.exchangeCode({
        code,
        clientId: OURA_SANDBOX_CLIENT_ID,
        clientSecret: OURA_SANDBOX_CLIENT_SECRET,
        redirectUri: "http://localhost/cb",
      });
    const stale = await issue();
    await advanceSandboxClock("oura", 601_000); // Oura codes live 10 minutes
    await expect(exchange(stale)).rejects.toMatchObject({ reason: "code_expired" });

    const tokens = await exchange(await issue());
    await expect(ouraOAuth.validateAccessToken(tokens.accessToken)).resolves.toMatchObject({ accountId: "ava" });
    await advanceSandboxClock("oura", 86_401_000); // and access tokens a day
    await expect(ouraOAuth.validateAccessToken(tokens.accessToken)).rejects.toMatchObject({ reason: "expired" });
  });

  it("shorter token lifetimes apply to tokens issued from then on", async () => {
    await setSandboxTokenLifetimes("oura", { accessTokenSeconds: 60 });
    const code = await ouraOAuth.issueCode({
      accountId: "ava",
      clientId: OURA_SANDBOX_CLIENT_ID,
      redirectUri: "http://localhost/cb",
      scopes: ["daily"],
    });
    const tokens = await ouraOAuth.exchangeCode({
      code,
      clientId: OURA_SANDBOX_CLIENT_ID,
      clientSecret: OURA_SANDBOX_CLIENT_SECRET,
      redirectUri: "http://localhost/cb",
    });
    expect(tokens.expiresIn).toBe(60);
    await advanceSandboxClock("oura", 61_000);
    await expect(ouraOAuth.validateAccessToken(tokens.accessToken)).rejects.toMatchObject({ reason: "expired" });
  });

  it("an access token expired now is refreshed by the next sync, which succeeds", async () => {
    const { userId, connection } = await connectOura();
    expect(await expireSandboxAccessTokens("oura", "ava")).toBeGreaterThan(0);
    await expect(ouraOAuth.validateAccessToken(connection.accessToken!)).rejects.toMatchObject({ reason: "expired" });
    const runId = await requestManualSync(userId, "oura");
    await drainInProcessJobs();
    const db = await getDb();
    const [run] = await db.select().from(syncRuns).where(eq(syncRuns.id, runId!));
    expect(run).toMatchObject({ status: "succeeded" });
    const [row] = await db.select().from(connections).where(eq(connections.id, connection.id));
    expect(row!.status).toBe("active");
    expect(row!.tokenVersion).toBe(connection.tokenVersion + 1);
  }, 120_000);

  it("a revoked grant stops working: the refresh is refused and the connection is disconnected", async () => {
    const { connection } = await connectOura();
    expect(await revokeSandboxGrant("oura", "ava")).toBeGreaterThan(0);
    await expect(refreshConnectionTokens(connection.id)).rejects.toBeInstanceOf(ProviderAuthError);
    const db = await getDb();
    const [row] = await db.select().from(connections).where(eq(connections.id, connection.id));
    expect(row!.status).toBe("disconnected");
  }, 120_000);

  it("/_control: state, clock, faults for a while, and clear 4xx for bad input", async () => {
    const { connection } = await connectOura();
    const before = await sandboxClock("oura");
    const state = await fetch(`${server.url}/sandbox/oura/_control`);
    expect(state.status).toBe(200);
    expect(Date.parse(((await state.json()) as { now: string }).now)).toBeGreaterThanOrEqual(before.getTime() - 1000);

    const injected = await control({
      action: "inject_fault",
      kind: "rate_limit",
      for_seconds: 30,
      retry_after_seconds: 7,
    });
    expect(injected.status).toBe(200);
    const api = () =>
      fetch(`${server.url}/sandbox/oura/v2/usercollection/daily_sleep`, {
        headers: { authorization: `Bearer ${connection.accessToken}` },
      });
    const limited = await api();
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBe("7");
    // The fault lasts 30 s of sandbox time, not wall time.
    expect((await control({ action: "advance_clock", seconds: 31 })).status).toBe(200);
    expect((await api()).status).toBe(200);

    expect((await control({ action: "inject_fault", kind: "teapot", for_seconds: 1 })).status).toBe(400);
    const bad = await control({ action: "advance_clock", seconds: -5 });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ detail: expect.any(String) });
    expect((await control({ action: "reset" }, { "content-type": "text/plain" })).status).toBe(415);
    expect((await control({ action: "reset" })).status).toBe(200);
  }, 120_000);
});
