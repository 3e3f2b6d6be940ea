import { serveAppForTests } from "@/lib/testing/serve-app";
import { InngestTestEngine } from "@inngest/test";
import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { getDb } from "@/lib/db/client";
import { connections, dailyMetrics, syncRuns } from "@/lib/db/schema";
import { createSyncRun, rangeEndingToday } from "@/lib/sync/engine";
import { connectThroughSandbox, signedInClient } from "@/lib/testing/oauth-journey";
import { connectionConnected, syncRequested } from "../events";
import backfillConnection from "./backfill-connection";
import pollConnections from "./poll-connections";
import { pollOffsetMs } from "@/lib/sync/schedule";

/**
 * The same job definitions, executed by Inngest's own test engine (the path production takes
 * through /api/inngest) instead of the in-process runner.
 */
const server = serveAppForTests({ sandboxFor: ["oura"], sandboxNow: new Date() });

/**
 * A connected Oura account, connected through the real callback (its connect-time backfill ran
 * in-process), then reset to "never synced": no metrics, no backfill marker, no open runs.
 */
async function ouraConnection() {
  const { client, userId } = await signedInClient(server.url);
  await connectThroughSandbox(client, "oura");
  const db = await getDb();
  const [connection] = await db
    .select()
    .from(connections)
    .where(and(eq(connections.userId, userId), eq(connections.provider, "oura")));
  await db.delete(syncRuns).where(eq(syncRuns.connectionId, connection!.id));
  await db.delete(dailyMetrics).where(eq(dailyMetrics.userId, userId));
  await db.update(connections).set({ backfilledAt: null }).where(eq(connections.id, connection!.id));
  return { userId, connectionId: connection!.id };
}

describe("Inngest functions", () => {
  it("backfill-connection runs one step per collection and completes the sync run", async () => {
    const { userId, connectionId } = await ouraConnection();
    const run = await createSyncRun({ connectionId, kind: "backfill", range: rangeEndingToday(30) });
    const t = new InngestTestEngine({ function: backfillConnection.inngestFunction });
    const { result, error, state } = await t.execute({
      events: [{ name: connectionConnected.name, data: { connectionId, syncRunId: run.id, provider: "oura" } }],
    });
    expect(error).toBeUndefined();
    expect(result).toMatchObject({ recordsFetched: expect.any(Number), metricsWritten: expect.any(Number) });
    // start, at least one page step and a completion step per collection (six), finish
    expect(Object.keys(state).length).toBeGreaterThanOrEqual(2 + 6 * 2);
    const db = await getDb();
    const [done] = await db.select().from(syncRuns).where(eq(syncRuns.id, run.id));
    expect(done).toMatchObject({ status: "succeeded", progress: 100 });
    const rows = await db.select().from(dailyMetrics).where(eq(dailyMetrics.userId, userId));
    expect(rows.length).toBe((result as { metricsWritten: number }).metricsWritten);
  });

  it("poll-connections fans out one event per active connection: its backfill if it never had one, else a spread poll", async () => {
    const { connectionId } = await ouraConnection();
    const db = await getDb();
    type Sent = {
      name: string;
      data: { connectionId: string; syncRunId: string; provider: string };
      id: string;
      ts?: number;
    };
    // The fan-out is answered by a mock: there is no Inngest server to receive the events.
    const plan = async () => {
      const steps = [{ id: "fan-out-polls-0", handler: () => ({ ids: [] }) }];
      const { result, ctx } = await new InngestTestEngine({
        function: pollConnections.inngestFunction,
        steps,
      }).execute();
      const calls = (ctx.step.sendEvent as unknown as { mock: { calls: unknown[][] } }).mock.calls;
      return { result: result as { planned: number }, events: calls.flatMap((call) => call[1] as Sent[]) };
    };

    // Connected, but its backfill was never queued (say the event API was down): the poll queues it.
    const first = await plan();
    expect(first.result.planned).toBeGreaterThanOrEqual(1);
    const backfill = first.events.find((e) => e.data.connectionId === connectionId)!;
    expect(backfill).toMatchObject({ name: connectionConnected.name, data: { provider: "oura" } });
    expect(backfill.id).toBe(backfill.data.syncRunId);
    const [backfillRun] = await db.select().from(syncRuns).where(eq(syncRuns.id, backfill.data.syncRunId));
    expect(backfillRun).toMatchObject({ kind: "backfill", status: "queued" });

    // A connection that is already syncing is not planned twice.
    expect((await plan()).events.some((e) => e.data.connectionId === connectionId)).toBe(false);

    // Backfilled: polled, at its own offset in the two-hour window.
    await db.update(syncRuns).set({ status: "succeeded" }).where(eq(syncRuns.connectionId, connectionId));
    await db.update(connections).set({ backfilledAt: new Date() }).where(eq(connections.id, connectionId));
    const before = Date.now();
    const poll = (await plan()).events.find((e) => e.data.connectionId === connectionId)!;
    expect(poll.name).toBe(syncRequested.name);
    expect(poll.ts! - before).toBeGreaterThanOrEqual(pollOffsetMs(connectionId) - 5_000);
    expect(poll.ts! - before).toBeLessThanOrEqual(pollOffsetMs(connectionId) + 5_000);
    const [pollRun] = await db.select().from(syncRuns).where(eq(syncRuns.id, poll.data.syncRunId));
    expect(pollRun).toMatchObject({ kind: "poll", status: "queued", scheduledFor: new Date(poll.ts!) });

    // Disconnected accounts are not polled.
    await db.update(syncRuns).set({ status: "succeeded" }).where(eq(syncRuns.connectionId, connectionId));
    await db.update(connections).set({ status: "disconnected" }).where(eq(connections.id, connectionId));
    expect((await plan()).events.some((e) => e.data.connectionId === connectionId)).toBe(false);
  });
});
