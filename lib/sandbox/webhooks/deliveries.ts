import { and, asc, eq, inArray, isNull, lte, sql } from "drizzle-orm";
import { getDb } from "@/lib/db/client";
import { sandboxWebhookDeliveries } from "@/lib/db/schema";
import { sandboxClock } from "../controls";
import { webhookProviders, type OwedNotification } from "./providers";

/**
 * The sandboxes' outbox: notifications owed to the app, in `sandbox_webhook_deliveries`, sent with
 * the provider's signature computed at send time and retried with the provider's backoff until
 * delivered or dropped. Due times follow each provider's sandbox clock (tests advance it instead
 * of waiting); signature timestamps use the wall clock, as the app checks them against its own.
 * Several app instances may run the loop at once: each claims due rows with `FOR UPDATE SKIP
 * LOCKED` and leases them for longer than one attempt can take.
 */

type Delivery = typeof sandboxWebhookDeliveries.$inferSelect;

export async function enqueueSandboxDeliveries(provider: string, owed: OwedNotification[]): Promise<Delivery[]> {
  if (owed.length === 0) return [];
  const behaviour = webhookProviders[provider];
  if (!behaviour) throw new Error(`The ${provider} sandbox sends no webhooks`);
  const db = await getDb();
  const now = await sandboxClock(provider);
  return db
    .insert(sandboxWebhookDeliveries)
    .values(
      owed.map((n) => ({
        provider,
        url: n.url,
        method: "POST",
        headers: { "content-type": behaviour.contentType },
        body: n.body,
        nextAttemptAt: now,
      })),
    )
    .returning();
}

/** Rows due now for one provider, claimed for this process: attempts counted, due time moved past the lease. */
async function claimDue(provider: string, limit: number): Promise<Delivery[]> {
  const behaviour = webhookProviders[provider]!;
  const db = await getDb();
  const now = await sandboxClock(provider);
  const t = sandboxWebhookDeliveries;
  const due = db
    .select({ id: t.id })
    .from(t)
    .where(and(eq(t.provider, provider), isNull(t.deliveredAt), isNull(t.droppedAt), lte(t.nextAttemptAt, now)))
    .orderBy(asc(t.nextAttemptAt))
    .limit(limit)
    .for("update", { skipLocked: true });
  return db
    .update(t)
    .set({
      attempts: sql`${t.attempts} + 1`,
      nextAttemptAt: new Date(now.getTime() + behaviour.retry.timeoutMs + 60_000),
    })
    .where(inArray(t.id, due))
    .returning();
}

/** One attempt: the HTTP status, or 0 for no answer in time / no connection. */
async function attempt(delivery: Delivery): Promise<number> {
  const behaviour = webhookProviders[delivery.provider]!;
  try {
    const response = await fetch(delivery.url, {
      method: delivery.method,
      headers: { ...delivery.headers, ...behaviour.sign(delivery.body, new Date()) },
      body: delivery.body,
      redirect: "manual",
      signal: AbortSignal.timeout(behaviour.retry.timeoutMs),
    });
    await response.body?.cancel().catch(() => undefined);
    return response.status;
  } catch {
    return 0;
  }
}

export interface DeliveryReport {
  delivered: number;
  retrying: number;
  dropped: number;
}

/** Records one attempt's outcome, unless another process has claimed the row since (its lease ran out). */
async function settle(delivery: Delivery, status: number, report: DeliveryReport): Promise<void> {
  const behaviour = webhookProviders[delivery.provider]!;
  const db = await getDb();
  const now = await sandboxClock(delivery.provider);
  const t = sandboxWebhookDeliveries;
  const mine = and(
    eq(t.id, delivery.id),
    eq(t.attempts, delivery.attempts),
    isNull(t.deliveredAt),
    isNull(t.droppedAt),
  );
  const lastStatus = status || null;
  if (behaviour.retry.succeeded(status)) {
    await db.update(t).set({ deliveredAt: now, lastStatus }).where(mine);
    report.delivered++;
    return;
  }
  const gone = delivery.provider === "oura" && status === 410;
  const delay = behaviour.retry.backoffSeconds[delivery.attempts - 1];
  if (gone || delay === undefined) {
    const [dropped] = await db.update(t).set({ droppedAt: now, lastStatus }).where(mine).returning({ id: t.id });
    if (dropped) await behaviour.onGivenUp?.(delivery, gone ? "gone" : "failed");
    report.dropped++;
    return;
  }
  await db
    .update(t)
    .set({ nextAttemptAt: new Date(now.getTime() + delay * 1000), lastStatus })
    .where(mine);
  report.retrying++;
}

/**
 * Sends every delivery that is due (for the given providers, or all that push webhooks), in
 * batches, and records each outcome. Returns what happened; safe to run from several processes.
 */
export async function deliverDueSandboxWebhooks(
  options: { providers?: string[]; batchSize?: number; maxBatches?: number } = {},
): Promise<DeliveryReport> {
  const report: DeliveryReport = { delivered: 0, retrying: 0, dropped: 0 };
  const providers = options.providers ?? Object.keys(webhookProviders);
  for (const provider of providers) {
    if (!webhookProviders[provider]) continue;
    for (let batch = 0; batch < (options.maxBatches ?? 20); batch++) {
      const claimed = await claimDue(provider, options.batchSize ?? 20);
      if (claimed.length === 0) break;
      await Promise.all(claimed.map(async (d) => settle(d, await attempt(d), report)));
    }
  }
  return report;
}

/** How many of a provider's deliveries are waiting, delivered and dropped (shown by `GET /sandbox/<id>/_control`). */
export async function sandboxDeliveryCounts(
  provider: string,
): Promise<{ pending: number; delivered: number; dropped: number }> {
  const db = await getDb();
  const t = sandboxWebhookDeliveries;
  const [row] = await db
    .select({
      pending: sql<number>`count(*) filter (where ${t.deliveredAt} is null and ${t.droppedAt} is null)::int`,
      delivered: sql<number>`count(*) filter (where ${t.deliveredAt} is not null)::int`,
      dropped: sql<number>`count(*) filter (where ${t.droppedAt} is not null)::int`,
    })
    .from(t)
    .where(eq(t.provider, provider));
  return { pending: row?.pending ?? 0, delivered: row?.delivered ?? 0, dropped: row?.dropped ?? 0 };
}
