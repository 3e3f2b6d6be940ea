import { connectionConnected, planContinued, syncRequested, tokenRefreshRequested } from "@/lib/events/definitions";
import { expiringTokensBatch, planPollBatch } from "@/lib/sync/schedule";
import type { JobStep } from "./define";

/** Tokens expiring within this are refreshed by the half-hourly cron. */
export const REFRESH_WITHIN_MS = 60 * 60 * 1000;
/**
 * Batches planned by one run before it hands the rest to a new run: two steps each (plan, fan
 * out), well under Inngest's 1,000 steps per run, for any number of connections.
 */
export const BATCHES_PER_RUN = 200;

export type PlanName = "polls" | "token-refreshes";

/**
 * Plans one kind of recurring work in keyset batches (≤ 1,000 connections per step) and fans out
 * one event per connection with `sendEvent` per batch. Polls carry their spread start time as the
 * event's `ts`; every event's `id` makes a retried fan-out harmless (Inngest drops repeated ids).
 */
export async function runPlan(
  step: JobStep,
  plan: PlanName,
  from: { after: string | null; startedAt: number | null },
): Promise<{ planned: number; continuedAfter: string | null }> {
  // Read once and remembered: code outside steps runs again on every Inngest invocation.
  const startedAt = from.startedAt ?? (await step.run("read-clock", () => Promise.resolve(Date.now())));
  let after = from.after;
  let planned = 0;
  for (let i = 0; i < BATCHES_PER_RUN; i++) {
    const next = await planBatch(step, plan, i, after, startedAt);
    planned += next.count;
    if (!next.cursor) return { planned, continuedAfter: null };
    after = next.cursor;
  }
  await step.sendEvent(`continue-${plan}`, {
    name: planContinued.name,
    data: { plan, after: after!, startedAt },
    id: `${plan}-${startedAt}-${after}`,
  });
  return { planned, continuedAfter: after };
}

async function planBatch(
  step: JobStep,
  plan: PlanName,
  i: number,
  after: string | null,
  startedAt: number,
): Promise<{ count: number; cursor: string | null }> {
  if (plan === "polls") {
    const batch = await step.run(`plan-polls-${i}`, () => planPollBatch({ after, now: new Date(startedAt) }));
    if (batch.items.length) {
      await step.sendEvent(
        `fan-out-polls-${i}`,
        batch.items.map(({ kind, dueAt, ...data }) =>
          kind === "backfill"
            ? { name: connectionConnected.name, data, id: data.syncRunId }
            : { name: syncRequested.name, data, id: data.syncRunId, ts: dueAt },
        ),
      );
    }
    return { count: batch.items.length, cursor: batch.next };
  }
  const batch = await step.run(`plan-token-refreshes-${i}`, () =>
    expiringTokensBatch({ cutoff: new Date(startedAt + REFRESH_WITHIN_MS), after }),
  );
  if (batch.items.length) {
    await step.sendEvent(
      `fan-out-token-refreshes-${i}`,
      batch.items.map(({ connectionId, provider, tokenExpiresAt }) => ({
        name: tokenRefreshRequested.name,
        data: { connectionId, provider },
        // One refresh per token: a second plan before the refresh lands sends the same id.
        id: `refresh-${connectionId}-${tokenExpiresAt}`,
      })),
    );
  }
  return { count: batch.items.length, cursor: batch.next };
}
