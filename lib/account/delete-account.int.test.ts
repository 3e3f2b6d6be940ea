import crypto from "node:crypto";
import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { verifyCredentials } from "@/lib/auth/users";
import { getDb } from "@/lib/db/client";
import {
  connections,
  loginChallenges,
  metricSourcePriorities,
  oauthStates,
  pendingRecords,
  syncRunMonthlySummaries,
  userPreferences,
  webhookInbox,
  webhookSubscriptions,
} from "@/lib/db/schema";
import { identityKey } from "@/lib/rate-limit/limits";
import { ouraOAuth } from "@/lib/sandbox/oura";
import { whoopOAuth } from "@/lib/sandbox/whoop";
import { createTestClient } from "@/lib/testing/app-server";
import { connectThroughSandbox, signedInClient } from "@/lib/testing/oauth-journey";
import { serveAppForTests } from "@/lib/testing/serve-app";
import { rowMentions, schemaTables, snapshotTables } from "@/lib/testing/table-rows";
import { drainInProcessJobs } from "@/lib/jobs/in-process";

/**
 * Delete my account: every connection is revoked at its provider, then no row of the user remains
 * in any table of the schema (walked generically), and no row of anybody else changes.
 */
const server = serveAppForTests({ sandboxFor: ["oura", "whoop"] });

/** Sandbox tables are the providers' side of the world (their grants, their accounts), not ours. */
const isSandboxTable = (name: string) => name.startsWith("sandbox_");

/** A row in every table keyed by the user or a connection that a connect + backfill does not fill. */
async function seedOwnedRows(userId: string, provider: string) {
  const db = await getDb();
  const [connection] = await db
    .select()
    .from(connections)
    .where(and(eq(connections.userId, userId), eq(connections.provider, provider)));
  const connectionId = connection!.id;
  const later = new Date(Date.now() + 10 * 60_000);
  await db.insert(userPreferences).values({ userId, unitSystem: "imperial", timeZone: "Europe/Paris" });
  await db.insert(metricSourcePriorities).values({ userId, metric: "sleep_score", providers: ["whoop", "oura"] });
  await db.insert(oauthStates).values({
    stateHash: crypto.randomBytes(16).toString("hex"),
    userId,
    provider,
    redirectPath: "/accounts",
    expiresAt: later,
  });
  await db.insert(loginChallenges).values({
    idHash: crypto.randomBytes(16).toString("hex"),
    userId,
    provider: "garmin",
    context: "{}",
    expiresAt: later,
  });
  await db.insert(syncRunMonthlySummaries).values({
    connectionId,
    userId,
    provider,
    month: "2026-01-01",
    kind: "poll",
    runs: 312,
    succeeded: 310,
    failed: 2,
  });
  await db
    .insert(pendingRecords)
    .values({ connectionId, collection: "sleep", externalId: crypto.randomUUID(), state: "PENDING_SCORE" });
  await db.insert(webhookInbox).values([
    {
      provider,
      eventKey: crypto.randomUUID(),
      providerUserId: connection!.providerUserId,
      connectionId,
      notification: {},
    },
    // Received for the user's provider account without being tied to the connection.
    { provider, eventKey: crypto.randomUUID(), providerUserId: connection!.providerUserId, notification: {} },
  ]);
  await db.insert(webhookSubscriptions).values({
    provider,
    scope: connectionId,
    connectionId,
    topic: "44",
    callbackUrl: "http://localhost/webhook",
  });
}

describe("delete my account", () => {
  it("revokes every connection, leaves no row of the user in any table and changes nobody else's", async () => {
    const doomed = await signedInClient(server.url);
    const other = await signedInClient(server.url);
    await connectThroughSandbox(doomed.client, "oura", { account: "ava" });
    await connectThroughSandbox(doomed.client, "whoop", { account: "jordan" });
    await connectThroughSandbox(other.client, "oura", { account: "noah" });
    await seedOwnedRows(doomed.userId, "oura");
    await seedOwnedRows(other.userId, "oura");
    // Failed sign-ins leave attempt counters under each (hashed) email.
    expect(await verifyCredentials(doomed.email, "not the password")).toBeNull();
    expect(await verifyCredentials(other.email, "not the password")).toBeNull();
    await drainInProcessJobs();

    const db = await getDb();
    const doomedConnections = await db.select().from(connections).where(eq(connections.userId, doomed.userId));
    const otherConnection = (await db.select().from(connections).where(eq(connections.userId, other.userId)))[0]!;
    const mine = {
      exact: doomedConnections.map((c) => c.providerUserId!).filter(Boolean),
      contained: [doomed.userId, doomed.email, identityKey(doomed.email), ...doomedConnections.map((c) => c.id)],
    };
    const mentionsMine = (table: string, row: string) =>
      rowMentions(row, isSandboxTable(table) ? { contained: mine.contained } : mine);

    const before = await snapshotTables();
    // The seeding reaches every table that is keyed by a user or a connection: the check below means something.
    for (const table of schemaTables().filter(
      (t) => t.columns.includes("user_id") || t.columns.includes("connection_id"),
    )) {
      expect(
        before.get(table.name)!.some((row) => mentionsMine(table.name, row)),
        `${table.name} holds a row of the user`,
      ).toBe(true);
    }
    expect(before.get("rate_limits")!.some((row) => mentionsMine("rate_limits", row))).toBe(true);

    const wrong = await doomed.client.post("/api/v1/account/delete", { email: other.email });
    expect(wrong.status).toBe(422);
    expect((await snapshotTables()).get("users")).toEqual(before.get("users"));

    const oldCookie = doomed.client.cookie("next-auth.session-token")!;
    const response = await doomed.client.post("/api/v1/account/delete", { email: ` ${doomed.email.toUpperCase()} ` });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { revocations: Array<{ provider: string; status: string }> };
    expect(body.revocations.map((r) => [r.provider, r.status]).sort()).toEqual([
      ["oura", "revoked"],
      ["whoop", "revoked"],
    ]);
    expect(doomed.client.cookie("next-auth.session-token")).toBeUndefined();
    await drainInProcessJobs();

    // The providers no longer honour the grants.
    const ouraTokens = doomedConnections.find((c) => c.provider === "oura")!;
    await expect(ouraOAuth.validateAccessToken(ouraTokens.accessToken!)).rejects.toMatchObject({ reason: "revoked" });
    const whoopTokens = doomedConnections.find((c) => c.provider === "whoop")!;
    await expect(whoopOAuth.validateAccessToken(whoopTokens.accessToken!)).rejects.toMatchObject({ reason: "revoked" });

    const after = await snapshotTables();
    for (const { name } of schemaTables()) {
      const rows = after.get(name)!;
      expect(
        rows.filter((row) => mentionsMine(name, row)),
        `rows of the deleted user left in ${name}`,
      ).toEqual([]);
      // Everyone else's rows are exactly as they were (the providers' own sandbox state changes by the revocations).
      if (!isSandboxTable(name))
        expect(rows, `other rows of ${name}`).toEqual(before.get(name)!.filter((row) => !mentionsMine(name, row)));
    }
    // The other user's grant still works and they are still signed in.
    await expect(ouraOAuth.validateAccessToken(otherConnection.accessToken!)).resolves.toBeTruthy();
    expect((await other.client.get("/api/v1/connections")).status).toBe(200);
    // The deleted account's old session signs nobody in.
    const stale = createTestClient(server.url);
    stale.setCookie("next-auth.session-token", oldCookie);
    expect((await stale.get("/api/v1/connections")).status).toBe(401);
  }, 240_000);

  it("refuses without the right email, a cross-site request, and one without a session", async () => {
    const { client, userId } = await signedInClient(server.url);
    expect((await client.post("/api/v1/account/delete", { email: "someone@else.test" })).status).toBe(422);
    expect((await client.post("/api/v1/account/delete", {})).status).toBe(422);
    const crossSite = await client.post(
      "/api/v1/account/delete",
      { email: "x" },
      { headers: { origin: "https://evil.example" } },
    );
    expect(crossSite.status).toBe(403);
    expect((await createTestClient(server.url).post("/api/v1/account/delete", { email: "x" })).status).toBe(401);
    const db = await getDb();
    expect(await db.select().from(userPreferences).where(eq(userPreferences.userId, userId))).toEqual([]);
    expect((await client.get("/api/v1/connections")).status).toBe(200);
  });
});
