import { createHmac } from "node:crypto";
import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { getDb } from "@/lib/db/client";
import {
  connections,
  dailyMetrics,
  sandboxWebhookSubscriptions,
  syncRuns,
  webhookInbox,
  webhookSubscriptions,
} from "@/lib/db/schema";
import { drainInProcessJobs } from "@/lib/jobs/in-process";
import { ouraSandboxTarget } from "@/lib/providers/oura";
import { WebhookObjectNotReadyError } from "@/lib/providers/errors";
import { shiftDay } from "@/lib/providers/paging";
import { connectThroughSandbox, signedInClient } from "@/lib/testing/oauth-journey";
import { serveAppForTests } from "@/lib/testing/serve-app";
import { resolveWebhookWork } from "./process";
import { ensureAppSubscriptions, renewExpiringAppSubscriptions } from "./subscriptions";

/**
 * Webhooks end to end against the sandboxes: Oura's app-level subscriptions (created once,
 * renewed before expiry), a signed notification that brings one day back with one `webhook` run
 * however often it is delivered, nothing for a disconnected connection, a retry (not a drop) for an
 * object Oura does not serve yet, and Withings' per-user subscriptions made on connect and revoked
 * on disconnect.
 */

const server = serveAppForTests({ sandboxFor: ["oura", "withings"] });

async function connectionOf(userId: string, provider: string) {
  const db = await getDb();
  const [row] = await db
    .select()
    .from(connections)
    .where(and(eq(connections.userId, userId), eq(connections.provider, provider)));
  return row!;
}

function signedOura(body: string): Record<string, string> {
  const ts = String(Math.floor(Date.now() / 1000));
  const signature = createHmac("sha256", ouraSandboxTarget.clientSecret)
    .update(ts + body)
    .digest("hex")
    .toUpperCase();
  return { "content-type": "application/json", "x-oura-timestamp": ts, "x-oura-signature": signature };
}

async function postOura(body: string): Promise<Response> {
  return fetch(`${server.url}/api/v1/webhooks/oura`, { method: "POST", headers: signedOura(body), body });
}

describe("Oura webhooks against the sandbox", () => {
  it("creates the app-level subscriptions once and renews them before they expire", async () => {
    const first = await ensureAppSubscriptions("oura");
    expect(first.created.length).toBeGreaterThan(0);
    expect(first.created).toContain("daily_sleep:create");
    const again = await ensureAppSubscriptions("oura");
    expect(again.created).toEqual([]);
    expect(again.existing.sort()).toEqual(first.created.sort());

    const db = await getDb();
    const recorded = await db.select().from(webhookSubscriptions).where(eq(webhookSubscriptions.provider, "oura"));
    expect(recorded).toHaveLength(first.created.length);
    expect(recorded.every((r) => r.scope === "app" && r.externalId && r.expiresAt)).toBe(true);

    // Nothing expires within a day yet: nothing is renewed.
    expect((await renewExpiringAppSubscriptions("oura", { withinDays: 0 })).renewed).toEqual([]);
    const soon = new Date(Date.now() + 86_400_000);
    await db.update(webhookSubscriptions).set({ expiresAt: soon }).where(eq(webhookSubscriptions.provider, "oura"));
    const renewal = await renewExpiringAppSubscriptions("oura", { withinDays: 7 });
    expect(renewal.renewed.sort()).toEqual(first.created.sort());
    const after = await db.select().from(webhookSubscriptions).where(eq(webhookSubscriptions.provider, "oura"));
    expect(after.every((r) => r.expiresAt!.getTime() > soon.getTime())).toBe(true);
  });

  it("a notification delivered three times brings the day back with one webhook run; nothing once disconnected", async () => {
    const { client, userId } = await signedInClient(server.url);
    await connectThroughSandbox(client, "oura");
    const connection = await connectionOf(userId, "oura");
    expect(connection.providerUserId).toBeTruthy();

    // A daily_sleep document the sandbox serves, read the way the app reads it.
    const today = new Date().toISOString().slice(0, 10);
    const list = await fetch(
      `${server.url}/sandbox/oura/v2/usercollection/daily_sleep?start_date=${shiftDay(today, -5)}&end_date=${today}`,
      { headers: { authorization: `Bearer ${connection.accessToken}` } },
    );
    expect(list.status).toBe(200);
    const docs = ((await list.json()) as { data: Array<{ id: string; day: string; score: number }> }).data;
    const doc = docs.find((d) => typeof d.score === "number")!;
    expect(doc).toBeDefined();

    // The day's sleep score is lost here; the notification must bring it back.
    const db = await getDb();
    const scoreOf = async () =>
      (
        await db
          .select({ value: dailyMetrics.value })
          .from(dailyMetrics)
          .where(
            and(eq(dailyMetrics.userId, userId), eq(dailyMetrics.metric, "sleep_score"), eq(dailyMetrics.day, doc.day)),
          )
      )[0]?.value;
    expect(await scoreOf()).toBe(doc.score);
    await db
      .delete(dailyMetrics)
      .where(
        and(eq(dailyMetrics.userId, userId), eq(dailyMetrics.metric, "sleep_score"), eq(dailyMetrics.day, doc.day)),
      );
    await db.update(connections).set({ lastSyncedAt: null }).where(eq(connections.id, connection.id));

    const body = JSON.stringify({
      event_type: "update",
      data_type: "daily_sleep",
      object_id: doc.id,
      event_time: new Date().toISOString(),
      user_id: connection.providerUserId,
    });
    for (let i = 0; i < 3; i++) expect((await postOura(body)).status).toBe(200);
    await drainInProcessJobs();

    const inbox = await db.select().from(webhookInbox).where(eq(webhookInbox.connectionId, connection.id));
    expect(inbox).toHaveLength(1);
    expect(inbox[0]).toMatchObject({ status: "processed", duplicates: 2 });
    const runs = await db
      .select()
      .from(syncRuns)
      .where(and(eq(syncRuns.connectionId, connection.id), eq(syncRuns.kind, "webhook")));
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ status: "succeeded", rangeStart: doc.day, rangeEnd: doc.day });
    expect(await scoreOf()).toBe(doc.score);
    const synced = await connectionOf(userId, "oura");
    expect(synced.lastSyncedAt).not.toBeNull();
    expect(synced.lastWebhookAt).not.toBeNull();

    // Oura notified before it serves the object: a retry later, not a drop.
    await expect(
      resolveWebhookWork("oura", connection.id, {
        eventKey: "k",
        providerUserId: connection.providerUserId!,
        topic: "daily_sleep",
        action: "upsert",
        objectId: "no-such-document",
      }),
    ).rejects.toBeInstanceOf(WebhookObjectNotReadyError);

    // Disconnected: acknowledged, and nothing changes.
    expect((await client.request("DELETE", "/api/v1/connections/oura")).status).toBe(200);
    await db
      .delete(dailyMetrics)
      .where(
        and(eq(dailyMetrics.userId, userId), eq(dailyMetrics.metric, "sleep_score"), eq(dailyMetrics.day, doc.day)),
      );
    const late = JSON.stringify({ ...JSON.parse(body), event_time: new Date(Date.now() + 1000).toISOString() });
    const response = await postOura(late);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: "ignored" });
    await drainInProcessJobs();
    expect(await db.select().from(webhookInbox).where(eq(webhookInbox.connectionId, connection.id))).toHaveLength(1);
    expect(
      await db
        .select()
        .from(syncRuns)
        .where(and(eq(syncRuns.connectionId, connection.id), eq(syncRuns.kind, "webhook"))),
    ).toHaveLength(1);
    expect(await scoreOf()).toBeUndefined();
  });
});

describe("Withings webhooks against the sandbox", () => {
  it("subscribes each granted appli on connect (probed with HEAD) and revokes them on disconnect", async () => {
    const { client, userId } = await signedInClient(server.url);
    await connectThroughSandbox(client, "withings");
    const connection = await connectionOf(userId, "withings");
    expect(connection.webhookTokenHash).toMatch(/^[0-9a-f]{64}$/);
    const db = await getDb();
    const ours = await db
      .select()
      .from(webhookSubscriptions)
      .where(eq(webhookSubscriptions.connectionId, connection.id));
    expect(ours.map((s) => s.topic).sort()).toEqual(["1", "16", "4", "44"]);
    // Only the hash is stored: the recorded callback carries a placeholder, not the token.
    expect(ours.every((s) => s.callbackUrl.endsWith("/api/v1/webhooks/withings/{token}"))).toBe(true);
    const atSandbox = await db
      .select()
      .from(sandboxWebhookSubscriptions)
      .where(eq(sandboxWebhookSubscriptions.provider, "withings"));
    const mine = atSandbox.filter((s) => s.callbackUrl.startsWith(`${server.url}/api/v1/webhooks/withings/`));
    expect(mine.map((s) => s.topic).sort()).toEqual(["1", "16", "4", "44"]);

    // The Accounts card says updates are pushed.
    const cards = (await (await client.get("/api/v1/connections")).json()) as {
      connections: Array<{ provider: string; updates: string }>;
    };
    expect(cards.connections.find((c) => c.provider === "withings")?.updates).toBe("webhooks");
    expect(cards.connections.find((c) => c.provider === "garmin")?.updates).toBe("polling");

    expect((await client.request("DELETE", "/api/v1/connections/withings")).status).toBe(200);
    const left = await db
      .select()
      .from(sandboxWebhookSubscriptions)
      .where(eq(sandboxWebhookSubscriptions.provider, "withings"));
    expect(left.filter((s) => mine.some((m) => m.id === s.id))).toEqual([]);
    expect(
      await db.select().from(webhookSubscriptions).where(eq(webhookSubscriptions.connectionId, connection.id)),
    ).toEqual([]);
    expect((await connectionOf(userId, "withings")).webhookTokenHash).toBeNull();
  });
});
