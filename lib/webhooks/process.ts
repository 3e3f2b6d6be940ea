import { and, eq, inArray, sql } from "drizzle-orm";
import { getDb } from "@/lib/db/client";
import { connections, syncRuns, webhookInbox } from "@/lib/db/schema";
import { freshAccessToken, refreshConnectionTokens, ConnectionUnavailableError } from "@/lib/connections/tokens";
import { createProviderApi } from "@/lib/providers/api-client";
import { ProviderAuthError } from "@/lib/providers/errors";
import { resolveProvider } from "@/lib/providers/runtime";
import { grantedCollections } from "@/lib/providers/scopes";
import type { WebhookNotification, WebhookWork } from "@/lib/providers/types";
import { createSyncRun, failSyncRun, finishSyncRun, markSyncRunRunning, rangeFromDays } from "@/lib/sync/engine";
import { countWebhook } from "./counters";

/**
 * The processing half of webhook ingestion, one plain function per step of `process-webhook`:
 * look at the inbox row, ask the provider module what changed (single-document endpoints), sync
 * only those collections and days as a `webhook` sync run, and close the row. A row is processed
 * once: a redelivered or re-sent event finds it no longer pending.
 */

export type WebhookStart =
  | { kind: "skip"; reason: string }
  | { kind: "work"; provider: string; connectionId: string; notification: WebhookNotification };

export async function startWebhookProcessing(inboxId: string): Promise<WebhookStart> {
  const db = await getDb();
  const [row] = await db
    .update(webhookInbox)
    .set({ attempts: sql`${webhookInbox.attempts} + 1` })
    .where(and(eq(webhookInbox.id, inboxId), eq(webhookInbox.status, "pending")))
    .returning();
  if (!row) return { kind: "skip", reason: "not pending" };
  const [connection] = row.connectionId
    ? await db.select({ status: connections.status }).from(connections).where(eq(connections.id, row.connectionId))
    : [];
  if (!connection || connection.status !== "active") {
    await closeWebhook(inboxId, "ignored", "connection is not active");
    countWebhook(row.provider, "disconnected");
    return { kind: "skip", reason: "connection is not active" };
  }
  return {
    kind: "work",
    provider: row.provider,
    connectionId: row.connectionId!,
    notification: row.notification as WebhookNotification,
  };
}

/**
 * What the notification changed, according to the provider (with the user's token; refused once,
 * the token is refreshed and the call made again). Collections the user did not grant are left out.
 */
export async function resolveWebhookWork(
  provider: string,
  connectionId: string,
  notification: WebhookNotification,
): Promise<WebhookWork> {
  const runtime = resolveProvider(provider);
  const hooks = runtime?.provider.webhooks;
  if (!runtime || !hooks) throw new ConnectionUnavailableError(`${provider} is not configured`);
  let token = await freshAccessToken(connectionId);
  let work: WebhookWork;
  try {
    work = await hooks.resolve(
      createProviderApi(runtime.provider, runtime.endpoints.api, token.accessToken),
      notification,
    );
  } catch (error) {
    if (!(error instanceof ProviderAuthError)) throw error;
    const row = await refreshConnectionTokens(connectionId, { seenVersion: token.tokenVersion });
    token = { accessToken: row.accessToken!, tokenVersion: row.tokenVersion };
    work = await hooks.resolve(
      createProviderApi(runtime.provider, runtime.endpoints.api, token.accessToken),
      notification,
    );
  }
  if (work.kind !== "sync") return work;
  const db = await getDb();
  const [connection] = await db
    .select({ scopes: connections.scopes })
    .from(connections)
    .where(eq(connections.id, connectionId));
  const granted = new Set(grantedCollections(runtime.provider, connection?.scopes ?? []).map((c) => c.id));
  // In the provider's own order: some collections learn context (time zone, sleep days) for the next.
  const collections = runtime.provider.collections
    .map((c) => c.id)
    .filter((id) => work.collections.includes(id) && granted.has(id));
  if (collections.length === 0) return { kind: "ignored", reason: "the changed data is not granted to this app" };
  return { ...work, collections };
}

/**
 * The `webhook` sync run that re-reads the changed days. It takes the inbox row's id, so a retried
 * step finds it instead of adding a second run, and a failure handler can close it.
 */
export async function startWebhookRun(
  inboxId: string,
  connectionId: string,
  work: Extract<WebhookWork, { kind: "sync" }>,
): Promise<string> {
  const db = await getDb();
  const [existing] = await db.select({ id: syncRuns.id }).from(syncRuns).where(eq(syncRuns.id, inboxId));
  if (!existing)
    await createSyncRun({
      id: inboxId,
      connectionId,
      kind: "webhook",
      range: rangeFromDays(work.startDay, work.endDay),
    });
  await markSyncRunRunning(inboxId);
  return inboxId;
}

/** Ends the run (which moves the connection's lastSyncedAt) and closes the inbox row. */
export async function finishWebhook(inboxId: string, provider: string, runId: string): Promise<void> {
  await finishSyncRun(runId);
  await closeWebhook(inboxId, "processed", null);
  countWebhook(provider, "processed");
}

export async function ignoreWebhook(inboxId: string, provider: string, reason: string): Promise<void> {
  await closeWebhook(inboxId, "ignored", reason);
  countWebhook(provider, "ignored");
}

/** Retries are exhausted: the row says so, and so does its run if one was started. */
export async function failWebhook(inboxId: string, error: unknown): Promise<void> {
  const db = await getDb();
  const [run] = await db
    .select({ id: syncRuns.id })
    .from(syncRuns)
    .where(and(eq(syncRuns.id, inboxId), inArray(syncRuns.status, ["queued", "running"])));
  if (run) await failSyncRun(run.id, error);
  const message = error instanceof Error ? error.message.slice(0, 300) : "processing failed";
  const [row] = await db
    .update(webhookInbox)
    .set({ status: "failed", error: message, processedAt: new Date() })
    .where(and(eq(webhookInbox.id, inboxId), eq(webhookInbox.status, "pending")))
    .returning({ provider: webhookInbox.provider });
  if (row) countWebhook(row.provider, "failed");
}

async function closeWebhook(inboxId: string, status: "processed" | "ignored", error: string | null): Promise<void> {
  const db = await getDb();
  await db.update(webhookInbox).set({ status, error, processedAt: new Date() }).where(eq(webhookInbox.id, inboxId));
}
