import { and, desc, eq, inArray, sql } from "drizzle-orm";
import { getDb } from "@/lib/db/client";
import { connections, syncRuns, type ConnectionStatus, type SyncKind, type SyncStatus } from "@/lib/db/schema";
import { listProviders } from "@/lib/providers";
import { providerMode, type ProviderMode } from "@/lib/providers/runtime";
import type { TokenSet } from "@/lib/providers/types";

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

/** Disconnect here: stop syncing and forget the tokens; the synced history stays. */
export async function disconnectConnection(userId: string, provider: string): Promise<boolean> {
  const db = await getDb();
  const rows = await db
    .update(connections)
    .set({
      status: "revoked",
      accessToken: null,
      refreshToken: null,
      sessionSecrets: null,
      tokenExpiresAt: null,
      refreshLockedUntil: null,
    })
    .where(and(eq(connections.userId, userId), eq(connections.provider, provider)))
    .returning({ id: connections.id });
  return rows.length > 0;
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
  mode: ProviderMode;
  status: "not_connected" | ConnectionStatus;
  syncing: boolean;
  connectedAt: string | null;
  lastSyncedAt: string | null;
  lastError: string | null;
  scopes: string[];
  latestSync: SyncSummary | null;
}

/** Every provider with the signed-in user's connection state, for the Accounts page. */
export async function listProviderCards(userId: string): Promise<ProviderCard[]> {
  const db = await getDb();
  const rows = await db.select().from(connections).where(eq(connections.userId, userId));
  const latest = rows.length
    ? await db
        .selectDistinctOn([syncRuns.connectionId])
        .from(syncRuns)
        .where(
          inArray(
            syncRuns.connectionId,
            rows.map((r) => r.id),
          ),
        )
        .orderBy(syncRuns.connectionId, desc(syncRuns.createdAt))
    : [];
  return listProviders().map((provider) => {
    const row = rows.find((r) => r.provider === provider.id);
    const run = row ? latest.find((r) => r.connectionId === row.id) : undefined;
    return {
      provider: provider.id,
      name: provider.name,
      description: provider.description,
      color: provider.color,
      dataSummary: provider.dataSummary,
      kind: provider.kind,
      mode: providerMode(provider.id),
      status: row?.status ?? "not_connected",
      syncing: row?.status === "active" && (run?.status === "queued" || run?.status === "running"),
      connectedAt: row?.connectedAt.toISOString() ?? null,
      lastSyncedAt: row?.lastSyncedAt?.toISOString() ?? null,
      lastError: row?.lastError ?? null,
      scopes: row?.scopes ?? [],
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
