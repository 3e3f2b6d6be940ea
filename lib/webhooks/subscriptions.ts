import { and, eq, lt, sql } from "drizzle-orm";
import { getDb } from "@/lib/db/client";
import { connections, webhookSubscriptions } from "@/lib/db/schema";
import { freshAccessToken } from "@/lib/connections/tokens";
import { listProviders } from "@/lib/providers";
import { createProviderApi } from "@/lib/providers/api-client";
import { ProviderError } from "@/lib/providers/errors";
import {
  resolveProvider,
  revokeOurConnectionSubscriptions,
  webhookCallbackUrl,
  type OAuth2Runtime,
} from "@/lib/providers/runtime";
import { grantedCollections } from "@/lib/providers/scopes";
import type { AppSubscription, AppSubscriptionContext } from "@/lib/providers/types";
import { generateWebhookToken, hashWebhookToken } from "./tokens";

/**
 * Webhook subscriptions, recorded in webhook_subscriptions:
 * - app-level (Oura): one per data type × event type the module reads, created with the app's
 *   client credentials when missing (idempotent) and renewed before they expire;
 * - per connection (Withings): on connect and reconnect a new callback token (only its hash is
 *   stored), our older callbacks revoked, each appli the user granted subscribed.
 * Runs against the live provider or its sandbox alike: the runtime says which.
 */

const APP_SCOPE = "app";
/** Renew app-level subscriptions expiring within this many days (the cron runs daily). */
export const RENEW_WITHIN_DAYS = 7;

function appSubscriptionRuntime(providerId: string) {
  const runtime = resolveProvider(providerId);
  const api = runtime?.provider.webhooks?.appSubscriptions;
  if (!runtime || runtime.provider.kind !== "oauth2" || !api) return undefined;
  const ctx: AppSubscriptionContext = {
    apiBaseUrl: (runtime as OAuth2Runtime).endpoints.api,
    client: { clientId: runtime.clientId, clientSecret: runtime.clientSecret },
  };
  return { api, ctx };
}

async function recordAppSubscription(provider: string, subscription: AppSubscription): Promise<void> {
  const db = await getDb();
  await db
    .insert(webhookSubscriptions)
    .values({
      provider,
      scope: APP_SCOPE,
      topic: subscription.topic,
      externalId: subscription.id,
      callbackUrl: subscription.callbackUrl,
      expiresAt: subscription.expiresAt,
    })
    .onConflictDoUpdate({
      target: [webhookSubscriptions.provider, webhookSubscriptions.scope, webhookSubscriptions.topic],
      set: {
        externalId: sql`excluded.external_id`,
        callbackUrl: sql`excluded.callback_url`,
        expiresAt: sql`excluded.expires_at`,
        updatedAt: new Date(),
      },
    });
}

/** Providers with app-level subscriptions that are configured (live or sandbox). */
export function appSubscriptionProviders(): string[] {
  return listProviders()
    .filter((p) => p.webhooks?.appSubscriptions && resolveProvider(p.id))
    .map((p) => p.id);
}

/**
 * Creates the app-level subscriptions that are missing at the provider for our callback URL, and
 * records every one (existing or new). Running it again changes nothing.
 */
export async function ensureAppSubscriptions(
  providerId: string,
  now = new Date(),
): Promise<{ created: string[]; existing: string[] }> {
  const target = appSubscriptionRuntime(providerId);
  if (!target) return { created: [], existing: [] };
  const callbackUrl = webhookCallbackUrl(providerId);
  const ours = (await target.api.list(target.ctx)).filter(
    (s) => s.callbackUrl === callbackUrl && (!s.expiresAt || s.expiresAt > now),
  );
  const created: string[] = [];
  const existing: string[] = [];
  for (const topic of target.api.topics) {
    const found = ours.find((s) => s.topic === topic);
    if (found) {
      existing.push(topic);
      await recordAppSubscription(providerId, found);
      continue;
    }
    const subscription = await target.api.create(target.ctx, topic, callbackUrl);
    await recordAppSubscription(providerId, { ...subscription, callbackUrl });
    created.push(topic);
  }
  return { created, existing };
}

/** Renews the recorded app-level subscriptions that expire within `withinDays`; one the provider lost is created again. */
export async function renewExpiringAppSubscriptions(
  providerId: string,
  options: { now?: Date; withinDays?: number } = {},
): Promise<{ renewed: string[]; recreated: string[] }> {
  const target = appSubscriptionRuntime(providerId);
  if (!target) return { renewed: [], recreated: [] };
  const now = options.now ?? new Date();
  const cutoff = new Date(now.getTime() + (options.withinDays ?? RENEW_WITHIN_DAYS) * 86_400_000);
  const db = await getDb();
  const expiring = await db
    .select()
    .from(webhookSubscriptions)
    .where(
      and(
        eq(webhookSubscriptions.provider, providerId),
        eq(webhookSubscriptions.scope, APP_SCOPE),
        lt(webhookSubscriptions.expiresAt, cutoff),
      ),
    );
  const renewed: string[] = [];
  const recreated: string[] = [];
  for (const row of expiring) {
    try {
      const subscription = await target.api.renew(target.ctx, row.externalId!);
      await recordAppSubscription(providerId, { ...subscription, callbackUrl: row.callbackUrl, topic: row.topic });
      renewed.push(row.topic);
    } catch (error) {
      // Expired or deleted at the provider: subscribe again.
      if (!(error instanceof ProviderError && error.status === 404)) throw error;
      const subscription = await target.api.create(target.ctx, row.topic, webhookCallbackUrl(providerId));
      await recordAppSubscription(providerId, { ...subscription, callbackUrl: webhookCallbackUrl(providerId) });
      recreated.push(row.topic);
    }
  }
  return { renewed, recreated };
}

/** What is recorded for a per-connection subscription: never the token itself. */
const redactedCallback = (providerId: string) => `${webhookCallbackUrl(providerId)}/{token}`;

/**
 * On connect and reconnect (providers with per-user subscriptions): a new token, our older
 * callbacks revoked at the provider, one subscription per topic whose collections the user granted.
 */
export async function subscribeConnectionWebhooks(connectionId: string): Promise<{ subscribed: string[] }> {
  const db = await getDb();
  const [connection] = await db.select().from(connections).where(eq(connections.id, connectionId));
  if (!connection || connection.status !== "active") return { subscribed: [] };
  const runtime = resolveProvider(connection.provider);
  const api = runtime?.provider.webhooks?.connectionSubscriptions;
  if (!runtime || !api) return { subscribed: [] };
  const token = generateWebhookToken();
  await db
    .update(connections)
    .set({ webhookTokenHash: hashWebhookToken(token) })
    .where(eq(connections.id, connectionId));
  const { accessToken } = await freshAccessToken(connectionId);
  const client = createProviderApi(runtime.provider, runtime.endpoints.api, accessToken);
  // Callbacks with an older token no longer work: drop them at the provider too.
  await revokeOurConnectionSubscriptions(connection.provider, client);
  await db.delete(webhookSubscriptions).where(eq(webhookSubscriptions.connectionId, connectionId));
  const granted = new Set(grantedCollections(runtime.provider, connection.scopes).map((c) => c.id));
  const callbackUrl = webhookCallbackUrl(connection.provider, token);
  const subscribed: string[] = [];
  for (const [topic, collections] of Object.entries(api.topics)) {
    if (!collections.some((c) => granted.has(c))) continue;
    await api.subscribe(client, callbackUrl, topic);
    await db
      .insert(webhookSubscriptions)
      .values({
        provider: connection.provider,
        scope: connectionId,
        connectionId,
        topic,
        callbackUrl: redactedCallback(connection.provider),
      })
      .onConflictDoNothing();
    subscribed.push(topic);
  }
  return { subscribed };
}
