import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { getDb } from "@/lib/db/client";
import { connections, dailyMetrics, syncRuns } from "@/lib/db/schema";
import { ouraOAuth } from "@/lib/sandbox/oura";
import { connectThroughSandbox, signedInClient } from "@/lib/testing/oauth-journey";
import { serveAppForTests } from "@/lib/testing/serve-app";

/** Delete a provider's data: revoked at the provider, then its connection, history and metric days go. */
const server = serveAppForTests({ sandboxFor: ["oura", "whoop"] });

async function metricRows(userId: string, provider?: string) {
  const db = await getDb();
  return db
    .select()
    .from(dailyMetrics)
    .where(
      provider
        ? and(eq(dailyMetrics.userId, userId), eq(dailyMetrics.provider, provider))
        : eq(dailyMetrics.userId, userId),
    );
}

describe("delete a provider's data", () => {
  it("says how many days, then revokes and deletes only that provider's data", async () => {
    const me = await signedInClient(server.url);
    const other = await signedInClient(server.url);
    await connectThroughSandbox(me.client, "oura", { account: "ava" });
    await connectThroughSandbox(me.client, "whoop", { account: "jordan" });
    await connectThroughSandbox(other.client, "oura", { account: "noah" });
    const db = await getDb();
    const ouraRows = await metricRows(me.userId, "oura");
    const whoopRows = await metricRows(me.userId, "whoop");
    const othersRows = await metricRows(other.userId);
    expect(ouraRows.length).toBeGreaterThan(0);
    expect(whoopRows.length).toBeGreaterThan(0);
    const [connection] = await db
      .select()
      .from(connections)
      .where(and(eq(connections.userId, me.userId), eq(connections.provider, "oura")));

    const preview = await me.client.get("/api/v1/connections/oura/data");
    expect(preview.status).toBe(200);
    expect(await preview.json()).toEqual({
      provider: "oura",
      name: "Oura",
      connected: true,
      days: new Set(ouraRows.map((r) => r.day)).size,
      rows: ouraRows.length,
    });

    const response = await me.client.request("DELETE", "/api/v1/connections/oura/data");
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      revocation: { status: "revoked" },
      deletedDays: new Set(ouraRows.map((r) => r.day)).size,
      deletedRows: ouraRows.length,
    });
    await expect(ouraOAuth.validateAccessToken(connection!.accessToken!)).rejects.toMatchObject({ reason: "revoked" });
    expect(await metricRows(me.userId, "oura")).toEqual([]);
    expect(
      await db
        .select()
        .from(connections)
        .where(and(eq(connections.userId, me.userId), eq(connections.provider, "oura"))),
    ).toEqual([]);
    expect(await db.select().from(syncRuns).where(eq(syncRuns.connectionId, connection!.id))).toEqual([]);
    // The other provider's data and the other user's stay as they were.
    expect(await metricRows(me.userId, "whoop")).toEqual(whoopRows);
    expect(await metricRows(other.userId)).toEqual(othersRows);
    // The Accounts card offers to connect Oura again.
    const { connections: cards } = (await (await me.client.get("/api/v1/connections")).json()) as {
      connections: Array<{ provider: string; status: string }>;
    };
    expect(cards.find((c) => c.provider === "oura")?.status).toBe("not_connected");

    // Nothing left: a second deletion is a 404; the preview says 0 days.
    expect((await me.client.request("DELETE", "/api/v1/connections/oura/data")).status).toBe(404);
    expect(await (await me.client.get("/api/v1/connections/oura/data")).json()).toMatchObject({ days: 0, rows: 0 });
  }, 240_000);

  it("an unknown provider is a 404; a cross-site deletion is refused", async () => {
    const { client } = await signedInClient(server.url);
    expect((await client.get("/api/v1/connections/nope/data")).status).toBe(404);
    expect((await client.request("DELETE", "/api/v1/connections/nope/data")).status).toBe(404);
    const crossSite = await client.request("DELETE", "/api/v1/connections/oura/data", {
      headers: { origin: "https://evil.example" },
    });
    expect(crossSite.status).toBe(403);
  });
});
