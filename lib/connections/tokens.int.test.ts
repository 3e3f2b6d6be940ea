import { serveAppForTests } from "@/lib/testing/serve-app";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { getDb } from "@/lib/db/client";
import { connections, syncRuns } from "@/lib/db/schema";
import { drainInProcessJobs } from "@/lib/jobs/in-process";
import { ProviderAuthError } from "@/lib/providers/errors";
import { ouraOAuth } from "@/lib/sandbox/oura";
import { connectThroughSandbox, signedInClient } from "@/lib/testing/oauth-journey";
import { requestManualSync } from "./backfill";
import { listProviderCards } from "./service";
import { freshAccessToken, refreshConnectionTokens } from "./tokens";

const server = serveAppForTests({ sandboxFor: ["oura"] });

async function connectOura() {
  const { client, userId } = await signedInClient(server.url);
  await connectThroughSandbox(client, "oura");
  const db = await getDb();
  const [row] = await db.select().from(connections).where(eq(connections.userId, userId));
  return { client, userId, connection: row! };
}

describe("token refresh", () => {
  it("rotates Oura's single-use refresh token and stores the new pair", async () => {
    const { connection } = await connectOura();
    const refreshed = await refreshConnectionTokens(connection.id);
    expect(refreshed.tokenVersion).toBe(connection.tokenVersion + 1);
    expect(refreshed.refreshToken).not.toBe(connection.refreshToken);
    expect(refreshed.accessToken).not.toBe(connection.accessToken);
    expect(refreshed.status).toBe("active");
  });

  it("two workers refreshing at once spend the single-use refresh token once", async () => {
    const { connection } = await connectOura();
    const [a, b] = await Promise.all([
      refreshConnectionTokens(connection.id, { seenVersion: connection.tokenVersion }),
      refreshConnectionTokens(connection.id, { seenVersion: connection.tokenVersion }),
    ]);
    expect(a.tokenVersion).toBe(connection.tokenVersion + 1);
    expect(b.tokenVersion).toBe(connection.tokenVersion + 1);
    expect(a.accessToken).toBe(b.accessToken);
    expect(a.status).toBe("active");
  });

  it("refreshes an access token that is about to expire before using it", async () => {
    const { connection } = await connectOura();
    const db = await getDb();
    await db
      .update(connections)
      .set({ tokenExpiresAt: new Date(Date.now() + 60_000) })
      .where(eq(connections.id, connection.id));
    const { accessToken, tokenVersion } = await freshAccessToken(connection.id);
    expect(accessToken).not.toBe(connection.accessToken);
    expect(tokenVersion).toBe(connection.tokenVersion + 1);
  });

  it("revoked on the provider side: the refresh fails, the account is disconnected, history stays", async () => {
    const { userId, connection } = await connectOura();
    const revoked = await ouraOAuth.revokeAccountGrants("ava");
    expect(revoked).toBeGreaterThan(0);
    await expect(refreshConnectionTokens(connection.id)).rejects.toBeInstanceOf(ProviderAuthError);
    const card = (await listProviderCards(userId)).find((c) => c.provider === "oura")!;
    expect(card.status).toBe("disconnected");
    expect(card.lastError).toMatch(/Reconnect/);
    // A sync of a disconnected account is refused rather than silently failing.
    expect(await requestManualSync(userId, "oura")).toBeUndefined();
  });

  it("a sync whose access token was revoked disconnects the account and records why", async () => {
    const { userId, connection } = await connectOura();
    await ouraOAuth.revokeAccountGrants("ava");
    const runId = await requestManualSync(userId, "oura");
    await drainInProcessJobs();
    const db = await getDb();
    const [run] = await db.select().from(syncRuns).where(eq(syncRuns.id, runId!));
    expect(run).toMatchObject({ status: "failed" });
    expect(run!.error).toMatch(/Oura/);
    const [row] = await db.select().from(connections).where(eq(connections.id, connection.id));
    expect(row!.status).toBe("disconnected");
  });
});
