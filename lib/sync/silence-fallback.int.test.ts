import { count, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { getDb } from "@/lib/db/client";
import { connections, syncRuns } from "@/lib/db/schema";
import { createSignedInUser } from "@/lib/testing/users";
import { planPollBatch, pollOffsetMs } from "./schedule";

/**
 * Webhook silence fallback: connections with webhooks are still polled every two hours (safety
 * net), and at once when they have been silent for longer than their provider's usual gap.
 */

const NOW = new Date("2026-11-20T10:00:00Z");
const hoursAgo = (h: number) => new Date(NOW.getTime() - h * 3_600_000);

describe("poll planning with webhooks", () => {
  it("polls a connection silent past its provider's usual gap at once, every other one at its offset", async () => {
    const db = await getDb();
    const users = await Promise.all([1, 2, 3, 4, 5].map(() => createSignedInUser()));
    const backfilledAt = hoursAgo(72);
    const rows = await db
      .insert(connections)
      .values([
        // Oura's usual gap is 26 h.
        { userId: users[0]!.id, provider: "oura", lastWebhookAt: hoursAgo(30), backfilledAt },
        { userId: users[1]!.id, provider: "oura", lastWebhookAt: hoursAgo(20), backfilledAt },
        // Withings' is 50 h: 30 h of silence is still normal for a scale.
        { userId: users[2]!.id, provider: "withings", lastWebhookAt: hoursAgo(30), backfilledAt },
        // Never notified (no webhooks, or none yet): the normal two-hourly poll.
        { userId: users[3]!.id, provider: "whoop", lastWebhookAt: null, backfilledAt },
        // Garmin has no webhooks at all.
        { userId: users[4]!.id, provider: "garmin", lastWebhookAt: hoursAgo(100), backfilledAt },
      ])
      .returning({ id: connections.id, provider: connections.provider });
    const plan = await planPollBatch({ now: NOW });
    const dueOf = (i: number) => plan.items.find((p) => p.connectionId === rows[i]!.id)?.dueAt;
    expect(plan.items).toHaveLength(5);
    expect(plan.items.every((p) => p.kind === "poll")).toBe(true);
    expect(dueOf(0)).toBe(NOW.getTime());
    for (const i of [1, 2, 3, 4]) expect(dueOf(i)).toBe(NOW.getTime() + pollOffsetMs(rows[i]!.id));
    const [runs] = await db.select({ n: count() }).from(syncRuns).where(eq(syncRuns.kind, "poll"));
    expect(runs!.n).toBe(5);
  });
});
