import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { getDb } from "@/lib/db/client";
import { connections, dailyMetrics, sandboxWebhookDeliveries, syncRuns, webhookInbox } from "@/lib/db/schema";
import { drainInProcessJobs } from "@/lib/jobs/in-process";
import { connectThroughSandbox, signedInClient } from "@/lib/testing/oauth-journey";
import { serveAppForTests } from "@/lib/testing/serve-app";
import { ensureAppSubscriptions } from "@/lib/webhooks/subscriptions";
import { deliverDueSandboxWebhooks } from "./deliveries";

/**
 * The whole push path with nothing faked: a sandbox account uploads a new day through the
 * `/_control` API, the sandbox delivers its signed (or, for Withings, path-token) notifications to
 * the app's webhook routes, the app verifies them, writes its inbox and processes them, and the
 * new day's metrics are stored with a `webhook` sync run.
 */

const server = serveAppForTests({ sandboxFor: ["oura", "whoop", "withings"] });

async function connect(provider: string) {
  const { client, userId } = await signedInClient(server.url);
  await connectThroughSandbox(client, provider);
  const db = await getDb();
  const [connection] = await db
    .select()
    .from(connections)
    .where(and(eq(connections.userId, userId), eq(connections.provider, provider)));
  return { userId, connection: connection! };
}

async function uploadDay(provider: string, account: string): Promise<{ day: string; queued: number }> {
  const response = await fetch(`${server.url}/sandbox/${provider}/_control`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ action: "upload_day", account, deliver: false }),
  });
  expect(response.status).toBe(200);
  return (await response.json()) as { day: string; queued: number };
}

async function daysOf(userId: string, metric: string): Promise<string[]> {
  const db = await getDb();
  const rows = await db
    .select({ day: dailyMetrics.day })
    .from(dailyMetrics)
    .where(and(eq(dailyMetrics.userId, userId), eq(dailyMetrics.metric, metric)));
  return rows.map((r) => r.day);
}

async function webhookRuns(connectionId: string) {
  const db = await getDb();
  return db
    .select()
    .from(syncRuns)
    .where(and(eq(syncRuns.connectionId, connectionId), eq(syncRuns.kind, "webhook")));
}

describe("a new day uploaded in a sandbox reaches the app's metrics through its webhook", () => {
  it("Oura: signed app-level notifications, the single documents, the day stored", async () => {
    const { userId, connection } = await connect("oura");
    await ensureAppSubscriptions("oura");
    const { day, queued } = await uploadDay("oura", "ava");
    expect(queued).toBeGreaterThan(0);
    expect(await daysOf(userId, "steps")).not.toContain(day);

    const report = await deliverDueSandboxWebhooks({ providers: ["oura"] });
    expect(report).toEqual({ delivered: queued, retrying: 0, dropped: 0 });
    await drainInProcessJobs();

    // The uploaded day's activity always exists; its night may be one of the few the ring missed,
    // so every night that was notified is checked instead.
    expect(await daysOf(userId, "steps")).toContain(day);
    const db = await getDb();
    const inbox = await db.select().from(webhookInbox).where(eq(webhookInbox.connectionId, connection.id));
    expect(inbox).toHaveLength(queued);
    expect(inbox.every((row) => row.status === "processed")).toBe(true);
    const sleepScoreDays = await daysOf(userId, "sleep_score");
    const notified = inbox.map((row) => row.notification as { topic: string; objectId: string });
    for (const { objectId } of notified.filter((n) => n.topic === "daily_sleep")) {
      const doc = await fetch(`${server.url}/sandbox/oura/v2/usercollection/daily_sleep/${objectId}`, {
        headers: { authorization: `Bearer ${connection.accessToken}` },
      });
      expect(sleepScoreDays).toContain(((await doc.json()) as { day: string }).day);
    }
    expect((await webhookRuns(connection.id)).every((run) => run.status === "succeeded")).toBe(true);
  });

  it("WHOOP: signed v2 events to the dashboard URL; the recovery resolves through its sleep", async () => {
    const { userId, connection } = await connect("whoop");
    // Upload until a day with a night (the strap misses about one in twenty): its recovery is what is checked.
    const db = await getDb();
    let uploaded = { day: "", queued: 0 };
    for (let i = 0; i < 3; i++) {
      uploaded = await uploadDay("whoop", "jordan");
      const owed = await db.select({ body: sandboxWebhookDeliveries.body }).from(sandboxWebhookDeliveries);
      if (owed.some((d) => d.body.includes('"recovery.updated"'))) break;
    }
    const { day } = uploaded;
    expect(await daysOf(userId, "readiness_score")).not.toContain(day);
    const report = await deliverDueSandboxWebhooks({ providers: ["whoop"] });
    expect(report.delivered).toBeGreaterThan(0);
    expect(report).toMatchObject({ retrying: 0, dropped: 0 });
    await drainInProcessJobs();

    const inbox = await db.select().from(webhookInbox).where(eq(webhookInbox.connectionId, connection.id));
    expect(inbox).toHaveLength(report.delivered);
    // A recovery event names the sleep's UUID; the app finds the cycle and the day through it.
    expect(inbox.some((row) => (row.notification as { topic: string }).topic === "recovery")).toBe(true);
    expect(await daysOf(userId, "readiness_score")).toContain(day);
    expect(await daysOf(userId, "sleep_duration")).toContain(day);
    expect((await webhookRuns(connection.id)).every((run) => run.status === "succeeded")).toBe(true);
  });

  it("Withings: the subscription made on connect receives the form notification", async () => {
    const { userId, connection } = await connect("withings");
    // Upload until a day with a night (the sleep analyzer misses about one in twenty).
    const db = await getDb();
    const sleepOwed = async () =>
      (await db.select({ body: sandboxWebhookDeliveries.body }).from(sandboxWebhookDeliveries)).some(
        (d) => d.body.includes("appli=44") && d.body.includes("userid=36820517"),
      );
    let day = "";
    for (let i = 0; i < 3 && !(await sleepOwed()); i++) day = (await uploadDay("withings", "sam")).day;
    expect(await sleepOwed()).toBe(true);
    expect(await daysOf(userId, "sleep_duration")).not.toContain(day);
    const report = await deliverDueSandboxWebhooks({ providers: ["withings"] });
    expect(report.delivered).toBeGreaterThan(0);
    expect(report).toMatchObject({ retrying: 0, dropped: 0 });
    await drainInProcessJobs();
    expect(await daysOf(userId, "sleep_duration")).toContain(day);
    expect((await webhookRuns(connection.id)).every((run) => run.status === "succeeded")).toBe(true);
  });
});
