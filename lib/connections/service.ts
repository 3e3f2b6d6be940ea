import { and, eq, inArray, or, sql } from "drizzle-orm";
import { getDb } from "@/lib/db/client";
import {
  connections,
  webhookSubscriptions,
  type ConnectionStatus,
  type SyncKind,
  type SyncStatus,
} from "@/lib/db/schema";
import { listProviders } from "@/lib/providers";
import { latestDueSyncRuns } from "@/lib/sync/history";
import { ProviderError } from "@/lib/providers/errors";
import { getProvider } from "@/lib/providers";
import { createProviderApi } from "@/lib/providers/api-client";
import {
  isOAuth2Runtime,
  providerMode,
  resolveProvider,
  revokeOurConnectionSubscriptions,
  type OAuth2Runtime,
  type ProviderMode,
} from "@/lib/providers/runtime";
import { providerCredentialWarnings } from "./client-credentials";
import { collectionGranted } from "@/lib/providers/scopes";
import type { Provider, SessionDialogKind, TokenSet } from "@/lib/providers/types";

export interface SavedConnection {
  id: string;
  userId: string;
  provider: string;
}

/**
 * Stores a fresh grant. Reconnecting updates the user's existing connection for the provider (the
 * unique user+provider key), so history and ids survive; it never adds a second one.
 */
export async function saveConnectionGrant(input: {
  userId: string;
  provider: string;
  tokens: TokenSet;
  sessionSecrets?: Record<string, string>;
}): Promise<SavedConnection> {
  const db = await getDb();
  const values = {
    status: "active" as const,
    providerUserId: input.tokens.providerUserId ?? null,
    scopes: input.tokens.scopes ?? [],
    accessToken: input.tokens.accessToken,
    refreshToken: input.tokens.refreshToken ?? null,
    sessionSecrets: input.sessionSecrets ? JSON.stringify(input.sessionSecrets) : null,
    tokenExpiresAt: input.tokens.expiresAt ?? null,
    connectedAt: new Date(),
    lastError: null,
    lastErrorAt: null,
    refreshLockedUntil: null,
    refreshLeaseHolder: null,
    // A new grant may include scopes the old one lacked: every collection gets another chance.
    unavailableCollections: {},
    // A new grant gets its own backfill; until it completes, the poll planner treats it as missing.
    backfilledAt: null,
  };
  const [row] = await db
    .insert(connections)
    .values({ userId: input.userId, provider: input.provider, ...values })
    .onConflictDoUpdate({
      target: [connections.userId, connections.provider],
      set: {
        ...values,
        providerUserId: sql`coalesce(excluded.provider_user_id, ${connections.providerUserId})`,
        tokenVersion: sql`${connections.tokenVersion} + 1`,
        updatedAt: new Date(),
      },
    })
    .returning({ id: connections.id, userId: connections.userId, provider: connections.provider });
  return row!;
}

export async function setProviderUserId(connectionId: string, providerUserId: string): Promise<void> {
  const db = await getDb();
  await db.update(connections).set({ providerUserId }).where(eq(connections.id, connectionId));
}

export async function findConnection(userId: string, provider: string) {
  const db = await getDb();
  const [row] = await db
    .select()
    .from(connections)
    .where(and(eq(connections.userId, userId), eq(connections.provider, provider)));
  return row;
}

/** What happened at the provider when the user disconnected. */
export interface RevocationOutcome {
  /** `revoked`: the provider confirmed; `failed`: it did not (we disconnected anyway); `not_supported`: no revocation API. */
  status: "revoked" | "failed" | "not_supported";
  detail: string;
}

/**
 * Disconnect: stop syncing, forget the tokens (the synced history stays), and revoke the grant at
 * the provider where its API allows. The row is updated first, conditionally on the token version
 * read and bumping it, so a refresh in flight cannot bring the tokens back; the provider is then
 * asked to revoke with the tokens read. A revocation that fails still disconnects here, and says so.
 * Returns undefined when the user has no such connection.
 */
export async function disconnectConnection(userId: string, provider: string): Promise<RevocationOutcome | undefined> {
  const db = await getDb();
  for (;;) {
    const [row] = await db
      .select()
      .from(connections)
      .where(and(eq(connections.userId, userId), eq(connections.provider, provider)));
    if (!row) return undefined;
    const updated = await db
      .update(connections)
      .set({
        status: "revoked",
        accessToken: null,
        refreshToken: null,
        sessionSecrets: null,
        tokenExpiresAt: null,
        tokenVersion: sql`${connections.tokenVersion} + 1`,
        refreshLockedUntil: null,
        refreshLeaseHolder: null,
        // The callback URL's token stops working at once: a late notification is refused.
        webhookTokenHash: null,
      })
      .where(and(eq(connections.id, row.id), eq(connections.tokenVersion, row.tokenVersion)))
      .returning({ id: connections.id });
    // A refresh or reconnect wrote meanwhile: read again so the newest tokens are the ones revoked.
    if (updated.length === 0) continue;
    await db.delete(webhookSubscriptions).where(eq(webhookSubscriptions.connectionId, row.id));
    if (row.status === "revoked" || (!row.accessToken && !row.refreshToken))
      return { status: "not_supported", detail: "There was no access left to revoke." };
    return revokeAtProvider(row);
  }
}

/**
 * Per-user webhook subscriptions (Withings) are revoked before the grant. A failure is logged and
 * never blocks the disconnect: the token in the callback URL is already void, so notifications the
 * provider still sends are refused, and the provider drops a subscription that keeps failing.
 */
async function revokeWebhookSubscriptions(runtime: OAuth2Runtime, row: typeof connections.$inferSelect): Promise<void> {
  if (!runtime.provider.webhooks?.connectionSubscriptions || !row.accessToken) return;
  try {
    await revokeOurConnectionSubscriptions(
      row.provider,
      createProviderApi(runtime.provider, runtime.endpoints.api, row.accessToken),
    );
  } catch (error) {
    const reason = error instanceof ProviderError ? error.message : "the request failed";
    console.warn(`[connections] ${runtime.provider.name} webhook subscriptions not revoked: ${reason}`);
  }
}

async function revokeAtProvider(row: typeof connections.$inferSelect): Promise<RevocationOutcome> {
  const runtime = resolveProvider(row.provider);
  const provider = getProvider(row.provider);
  const name = provider?.name ?? row.provider;
  if (!runtime || !isOAuth2Runtime(runtime) || !runtime.provider.revoke) {
    return {
      status: "not_supported",
      detail: `${name} has no way for apps to revoke access; remove this app in your ${name} account settings.`,
    };
  }
  await revokeWebhookSubscriptions(runtime, row);
  try {
    await runtime.provider.revoke({
      endpoints: runtime.endpoints,
      clientId: runtime.clientId,
      clientSecret: runtime.clientSecret,
      accessToken: row.accessToken,
      refreshToken: row.refreshToken,
      providerUserId: row.providerUserId,
    });
    return { status: "revoked", detail: `${name} confirmed that this app's access was revoked.` };
  } catch (error) {
    const reason = error instanceof ProviderError ? error.message : "the request failed";
    console.warn(`[connections] ${name} revocation failed: ${reason}`);
    return {
      status: "failed",
      detail: `Disconnected here, but ${name} did not confirm the revocation (${reason}). You can also remove this app in your ${name} account settings.`,
    };
  }
}

export interface SyncSummary {
  kind: SyncKind;
  status: SyncStatus;
  progress: number;
  metricsWritten: number;
  error: string | null;
  finishedAt: string | null;
}

export interface ProviderCard {
  provider: string;
  name: string;
  description: string;
  color: string;
  dataSummary: string;
  kind: "oauth2" | "session";
  /** Session providers: the connect dialog the Accounts page opens (declared by the module). */
  connectDialog: SessionDialogKind | null;
  mode: ProviderMode;
  status: "not_connected" | ConnectionStatus;
  syncing: boolean;
  connectedAt: string | null;
  lastSyncedAt: string | null;
  lastError: string | null;
  scopes: string[];
  /** Collections that will not sync, with why (a scope not granted, or the provider refused it). */
  unavailableCollections: Array<{ collection: string; reason: string }>;
  /** A provider-level problem that is the operator's, not the user's (refused client credentials). */
  providerWarning: string | null;
  latestSync: SyncSummary | null;
  /**
   * How new data reaches this connection: `webhooks` when the provider pushes notifications for it
   * (app-level subscriptions in place, its own per-user subscriptions, or, for providers configured
   * in a developer dashboard, a notification already received); `polling` (every 2 h) otherwise.
   */
  updates: "webhooks" | "polling";
}

/** Every provider with the signed-in user's connection state, for the Accounts page. */
export async function listProviderCards(userId: string): Promise<ProviderCard[]> {
  const db = await getDb();
  const rows = await db.select().from(connections).where(eq(connections.userId, userId));
  // O(providers): one indexed probe per connection, however long the sync history.
  const [latest, warnings, subscribed] = await Promise.all([
    latestDueSyncRuns(rows.map((r) => r.id)),
    providerCredentialWarnings(resolveProvider),
    subscribedScopes(rows.map((r) => r.id)),
  ]);
  return listProviders().map((provider) => {
    const row = rows.find((r) => r.provider === provider.id);
    const run = row ? latest.get(row.id) : undefined;
    return {
      provider: provider.id,
      name: provider.name,
      description: provider.description,
      color: provider.color,
      dataSummary: provider.dataSummary,
      kind: provider.kind,
      connectDialog: provider.kind === "session" ? provider.connectDialog : null,
      mode: providerMode(provider.id),
      status: row?.status ?? "not_connected",
      syncing: row?.status === "active" && (run?.status === "queued" || run?.status === "running"),
      connectedAt: row?.connectedAt.toISOString() ?? null,
      lastSyncedAt: row?.lastSyncedAt?.toISOString() ?? null,
      lastError: row?.lastError ?? null,
      scopes: row?.scopes ?? [],
      unavailableCollections: row ? unavailableCollections(provider, row) : [],
      providerWarning: warnings[provider.id] ?? null,
      updates: row?.status === "active" && receivesWebhooks(provider, row, subscribed) ? "webhooks" : "polling",
      latestSync: run
        ? {
            kind: run.kind,
            status: run.status,
            progress: run.progress,
            metricsWritten: run.metricsWritten,
            error: run.error,
            finishedAt: run.finishedAt?.toISOString() ?? null,
          }
        : null,
    };
  });
}

/** "<provider>:app" for app-level webhook subscriptions, "<connection id>" for per-connection ones. */
async function subscribedScopes(connectionIds: string[]): Promise<Set<string>> {
  const db = await getDb();
  const rows = await db
    .selectDistinct({ provider: webhookSubscriptions.provider, scope: webhookSubscriptions.scope })
    .from(webhookSubscriptions)
    .where(
      connectionIds.length
        ? or(eq(webhookSubscriptions.scope, "app"), inArray(webhookSubscriptions.connectionId, connectionIds))
        : eq(webhookSubscriptions.scope, "app"),
    );
  return new Set(rows.map((r) => (r.scope === "app" ? `${r.provider}:app` : r.scope)));
}

function receivesWebhooks(
  provider: Provider,
  row: Pick<typeof connections.$inferSelect, "id" | "lastWebhookAt">,
  subscribed: Set<string>,
): boolean {
  const hooks = provider.webhooks;
  if (!hooks || !resolveProvider(provider.id)) return false;
  if (hooks.appSubscriptions) return subscribed.has(`${provider.id}:app`);
  if (hooks.connectionSubscriptions) return subscribed.has(row.id);
  return row.lastWebhookAt !== null;
}

/** Collections skipped for a scope the user did not grant, then those the provider refused. */
function unavailableCollections(
  provider: Provider,
  row: Pick<typeof connections.$inferSelect, "scopes" | "unavailableCollections">,
): Array<{ collection: string; reason: string }> {
  const skipped = provider.collections
    .filter((c) => !collectionGranted(provider, c.id, row.scopes))
    .map((c) => ({
      collection: c.id,
      reason: `not granted (needs ${provider.collectionScopes![c.id]!.join(" or ")})`,
    }));
  const refused = Object.entries(row.unavailableCollections ?? {})
    .filter(([id]) => !skipped.some((s) => s.collection === id))
    .map(([collection, reason]) => ({ collection, reason }));
  return [...skipped, ...refused];
}
