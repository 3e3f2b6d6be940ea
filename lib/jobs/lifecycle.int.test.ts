import { InngestTestEngine } from "@inngest/test";
import { and, eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { getDb } from "@/lib/db/client";
import { connections, dailyMetrics, syncRuns } from "@/lib/db/schema";
import { createSyncRun, rangeEndingToday } from "@/lib/sync/engine";
import { planPollBatch, REAPED_RUN_ERROR } from "@/lib/sync/schedule";
import { connectThroughSandbox, signedInClient } from "@/lib/testing/oauth-journey";
import { serveAppForTests } from "@/lib/testing/serve-app";
import { connectionConnected, syncRequested } from "./events";
import { compileConcurrency, compileThrottle } from "./flow-control";
import backfillConnection from "./functions/backfill-connection";
import syncConnection from "./functions/sync-connection";
import {
  dispatchDelayedEventsNow,
  dispatchInProcess,
  drainInProcessJobs,
  registerInProcessJobs,
  runCronJobInProcess,
} from "./in-process";
import { jobs } from "./index";

/**
 * The sync lifecycle through the jobs themselves: a run stuck by a killed worker is reaped and the
 * connection synced again; a backfill and a sync of one connection never run a step at once, in
 * the embedded runner and under the options Inngest is given, with the same end state.
 */
const server = serveAppForTests({ sandboxFor: ["oura"], sandboxNow: new Date(Date.now() - 60_000) });

async function connectedOura() {
  const { client, userId } = await signedInClient(server.url);
  await connectThroughSandbox(client, "oura");
  const db = await getDb();
  const [connection] = await db
    .select()
    .from(connections)
    .where(and(eq(connections.userId, userId), eq(connections.provider, "oura")));
  return { userId, connectionId: connection!.id };
}

const metricsOf = async (userId: string) => {
  const db = await getDb();
  const rows = await db
    .select({ metric: dailyMetrics.metric, day: dailyMetrics.day, value: dailyMetrics.value })
    .from(dailyMetrics)
    .where(eq(dailyMetrics.userId, userId));
  return rows.map((r) => `${r.metric}|${r.day}|${r.value}`).sort();
};

// Whole backfills against the sandbox, twice: minutes on a busy two-core machine.
describe("sync lifecycle", { timeout: 180_000 }, () => {
  it("reaps a run left running by a killed worker, and the next poll syncs the connection again", async () => {
    registerInProcessJobs(jobs.map((j) => j.definition));
    const { connectionId } = await connectedOura();
    const db = await getDb();
    // A worker died mid-sync seven hours ago: the run stays `running` and its connection looks busy.
    const [stuck] = await db
      .insert(syncRuns)
      .values({
        connectionId,
        userId: (await db.select().from(connections).where(eq(connections.id, connectionId)))[0]!.userId,
        provider: "oura",
        kind: "poll",
        status: "running",
        startedAt: new Date(Date.now() - 7 * 3_600_000),
        deadlineAt: new Date(Date.now() - 3_600_000),
      })
      .returning();
    expect((await planPollBatch({ limit: 5000 })).items.some((p) => p.connectionId === connectionId)).toBe(false);

    await runCronJobInProcess("reap-sync-runs");
    const [reaped] = await db.select().from(syncRuns).where(eq(syncRuns.id, stuck!.id));
    expect(reaped).toMatchObject({ status: "failed", error: REAPED_RUN_ERROR });

    const before = new Date();
    await runCronJobInProcess("poll-connections");
    // The poll is due later in the window; run it now.
    expect(dispatchDelayedEventsNow()).toBeGreaterThanOrEqual(1);
    await drainInProcessJobs();
    const polls = await db
      .select()
      .from(syncRuns)
      .where(
        and(eq(syncRuns.connectionId, connectionId), eq(syncRuns.kind, "poll"), sql`${syncRuns.id} <> ${stuck!.id}`),
      );
    expect(polls).toHaveLength(1);
    expect(polls[0]).toMatchObject({ status: "succeeded", progress: 100 });
    const [after] = await db.select().from(connections).where(eq(connections.id, connectionId));
    expect(after!.status).toBe("active");
    expect(after!.lastSyncedAt!.getTime()).toBeGreaterThanOrEqual(before.getTime());
  });

  it("runs a backfill and a sync of one connection one step at a time, in the embedded runner and on Inngest alike", async () => {
    // What Inngest is told: both functions share one env-scoped key per connection and throttle per provider.
    const configs = [backfillConnection, syncConnection].map(
      (job) =>
        (
          job.inngestFunction as unknown as {
            getConfig(o: { baseUrl: URL; appPrefix: string }): Array<Record<string, unknown>>;
          }
        ).getConfig({ baseUrl: new URL("http://localhost/api/inngest"), appPrefix: "wearables-dashboard" })[0]!,
    );
    for (const config of configs) {
      expect(config.concurrency).toEqual([{ key: "event.data.connectionId", limit: 1, scope: "env" }]);
      expect(config.throttle).toMatchObject({ key: "event.data.provider", period: "1m" });
    }
    // …and the embedded runner reads the very same options: one shared group for both functions.
    const sample = { data: { connectionId: "c-1", provider: "oura" } };
    const groups = [backfillConnection, syncConnection].map((job) =>
      compileConcurrency(job.definition.id, job.definition.concurrency)(sample),
    );
    expect(groups[0]).toEqual([{ id: "env:c-1", limit: 1 }]);
    expect(groups[1]).toEqual(groups[0]);
    expect(compileThrottle("x", configs[0]!.throttle as never)!.bucket(sample)).toBe("x:oura");

    // The scenario: a backfill and a manual sync of one connection queued at the same moment.
    const scenario = async (connectionId: string) => ({
      backfill: {
        name: connectionConnected.name,
        data: {
          connectionId,
          provider: "oura",
          syncRunId: (await createSyncRun({ connectionId, kind: "backfill", range: rangeEndingToday(30) })).id,
        },
      },
      sync: {
        name: syncRequested.name,
        data: {
          connectionId,
          provider: "oura",
          syncRunId: (await createSyncRun({ connectionId, kind: "manual", range: rangeEndingToday(3) })).id,
        },
      },
    });
    const db = await getDb();
    const runStatuses = async (ids: string[]) =>
      (
        await db
          .select()
          .from(syncRuns)
          .where(sql`${syncRuns.id} in ${ids}`)
      ).map((r) => r.status);

    // Embedded runner: both dispatched at once; watch every step of the connection.
    registerInProcessJobs(jobs.map((j) => j.definition));
    const embedded = await connectedOura();
    await db.delete(dailyMetrics).where(eq(dailyMetrics.userId, embedded.userId));
    const events = await scenario(embedded.connectionId);
    let active = 0;
    let maxActive = 0;
    const order: string[] = [];
    const onStep = ({ jobId, phase }: { jobId: string; phase: "start" | "end" }) => {
      if (phase === "start") {
        maxActive = Math.max(maxActive, ++active);
        order.push(jobId);
      } else active--;
    };
    dispatchInProcess(events.backfill, { onStep });
    dispatchInProcess(events.sync, { onStep });
    await drainInProcessJobs();
    expect(maxActive).toBe(1);
    // Both made progress while the other was queued: their steps interleaved, as on Inngest.
    const firstSync = order.indexOf("sync-connection");
    expect(firstSync).toBeGreaterThan(0);
    expect(order.lastIndexOf("backfill-connection")).toBeGreaterThan(firstSync);
    expect(await runStatuses([events.backfill.data.syncRunId, events.sync.data.syncRunId])).toEqual([
      "succeeded",
      "succeeded",
    ]);

    // Inngest's test engine: the same two events through the same functions (the engine runs one
    // function in isolation; the queueing above is what Inngest does with the options checked above).
    const onInngest = await connectedOura();
    await db.delete(dailyMetrics).where(eq(dailyMetrics.userId, onInngest.userId));
    const inngestEvents = await scenario(onInngest.connectionId);
    const backfillResult = await new InngestTestEngine({ function: backfillConnection.inngestFunction }).execute({
      events: [inngestEvents.backfill],
    });
    const syncResult = await new InngestTestEngine({ function: syncConnection.inngestFunction }).execute({
      events: [inngestEvents.sync],
    });
    expect(backfillResult.error).toBeUndefined();
    expect(syncResult.error).toBeUndefined();
    expect(await runStatuses([inngestEvents.backfill.data.syncRunId, inngestEvents.sync.data.syncRunId])).toEqual([
      "succeeded",
      "succeeded",
    ]);
    // Same sandbox account, same pinned clock: the same days and values either way.
    const embeddedMetrics = await metricsOf(embedded.userId);
    expect(embeddedMetrics.length).toBeGreaterThan(100);
    expect(await metricsOf(onInngest.userId)).toEqual(embeddedMetrics);
  });
});
