import { serveAppForTests } from "@/lib/testing/serve-app";
import { InngestTestEngine } from "@inngest/test";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { saveConnectionGrant } from "@/lib/connections/service";
import { getDb } from "@/lib/db/client";
import { connections, dailyMetrics, syncRuns } from "@/lib/db/schema";
import { exchangeAuthorizationCode } from "@/lib/oauth/engine";
import { oauthRuntime } from "@/lib/connections/oauth-flow";
import { createSyncRun, rangeEndingToday } from "@/lib/sync/engine";
import { answerConsent, signedInClient } from "@/lib/testing/oauth-journey";
import { connectionConnected, syncRequested } from "../events";
import backfillConnection from "./backfill-connection";
import pollConnections from "./poll-connections";

/**
 * The same job definitions, executed by Inngest's own test engine (the path production takes
 * through /api/inngest) instead of the in-process runner.
 */
const server = serveAppForTests({ sandboxFor: ["oura"], sandboxNow: new Date() });

/** A connected Oura account whose backfill has NOT been queued (the engine will run it). */
async function ouraConnection() {
  const { client, userId } = await signedInClient(server.url);
  const { callbackUrl } = await answerConsent(client, "oura");
  const tokens = await exchangeAuthorizationCode(oauthRuntime("oura"), callbackUrl.searchParams.get("code")!, null);
  const connection = await saveConnectionGrant({ userId, provider: "oura", tokens });
  return { userId, connectionId: connection.id };
}

describe("Inngest functions", () => {
  it("backfill-connection runs one step per collection and completes the sync run", async () => {
    const { userId, connectionId } = await ouraConnection();
    const run = await createSyncRun({ connectionId, kind: "backfill", range: rangeEndingToday(30) });
    const t = new InngestTestEngine({ function: backfillConnection.inngestFunction });
    const { result, error, state } = await t.execute({
      events: [{ name: connectionConnected.name, data: { connectionId, syncRunId: run.id } }],
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

  it("poll-connections fans out one sync.requested event per active connection", async () => {
    const { connectionId } = await ouraConnection();
    const db = await getDb();
    // The fan-out is answered by a mock: there is no Inngest server to receive the events.
    const steps = () => [{ id: "fan-out-sync-requests", handler: () => ({ ids: [] }) }];
    const t = new InngestTestEngine({ function: pollConnections.inngestFunction, steps: steps() });
    const { result, ctx } = await t.execute();
    const planned = (result as { connections: number }).connections;
    expect(planned).toBeGreaterThanOrEqual(1);
    const sent = (ctx.step.sendEvent as unknown as { mock: { calls: unknown[][] } }).mock.calls;
    const events = sent.flatMap(
      (call) => call[1] as Array<{ name: string; data: { connectionId: string; syncRunId: string } }>,
    );
    expect(events.every((e) => e.name === syncRequested.name)).toBe(true);
    const mine = events.find((e) => e.data.connectionId === connectionId)!;
    const [run] = await db.select().from(syncRuns).where(eq(syncRuns.id, mine.data.syncRunId));
    expect(run).toMatchObject({ kind: "poll", status: "queued" });
    // A connection that is already syncing is not planned twice.
    const again = await new InngestTestEngine({ function: pollConnections.inngestFunction, steps: steps() }).execute();
    const sentAgain = (again.ctx.step.sendEvent as unknown as { mock: { calls: unknown[][] } }).mock.calls;
    const eventsAgain = sentAgain.flatMap((call) => call[1] as Array<{ data: { connectionId: string } }>);
    expect(eventsAgain.some((e) => e.data.connectionId === connectionId)).toBe(false);
    // Disconnected accounts are not polled either.
    await db.update(syncRuns).set({ status: "succeeded" }).where(eq(syncRuns.connectionId, connectionId));
    await db.update(connections).set({ status: "disconnected" }).where(eq(connections.id, connectionId));
    const third = await new InngestTestEngine({ function: pollConnections.inngestFunction, steps: steps() }).execute();
    const sentThird = (third.ctx.step.sendEvent as unknown as { mock: { calls: unknown[][] } }).mock.calls;
    expect(
      sentThird
        .flatMap((call) => call[1] as Array<{ data: { connectionId: string } }>)
        .some((e) => e.data.connectionId === connectionId),
    ).toBe(false);
  });
});
