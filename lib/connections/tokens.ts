import { and, eq, isNull, lt, or, sql } from "drizzle-orm";
import { getDb } from "@/lib/db/client";
import { connections } from "@/lib/db/schema";
import { refreshAccessToken } from "@/lib/oauth/engine";
import { ProviderAuthError, ProviderError } from "@/lib/providers/errors";
import { isOAuth2Runtime, resolveProvider } from "@/lib/providers/runtime";
import type { TokenSet } from "@/lib/providers/types";

/** Refresh this long before expiry, so a sync never starts with a token about to die. */
const REFRESH_MARGIN_MS = 5 * 60 * 1000;
const LEASE_MS = 30 * 1000;
const LEASE_WAIT_STEP_MS = 100;

export type ConnectionRow = typeof connections.$inferSelect;

export class ConnectionUnavailableError extends ProviderError {
  override name = "ConnectionUnavailableError";
}

/** Marks a connection disconnected: tokens no longer work and the user must Reconnect. */
export async function markConnectionDisconnected(connectionId: string, message: string): Promise<void> {
  const db = await getDb();
  await db
    .update(connections)
    .set({ status: "disconnected", lastError: message, lastErrorAt: new Date(), refreshLockedUntil: null })
    .where(eq(connections.id, connectionId));
}

async function writeTokens(
  connectionId: string,
  tokens: TokenSet,
  sessionSecrets?: Record<string, string>,
): Promise<void> {
  const db = await getDb();
  await db
    .update(connections)
    .set({
      accessToken: tokens.accessToken,
      // A refresh answer without a new refresh token keeps the old one.
      ...(tokens.refreshToken ? { refreshToken: tokens.refreshToken } : {}),
      ...(sessionSecrets ? { sessionSecrets: JSON.stringify(sessionSecrets) } : {}),
      tokenExpiresAt: tokens.expiresAt ?? null,
      tokenVersion: sql`${connections.tokenVersion} + 1`,
      refreshLockedUntil: null,
      status: "active",
      lastError: null,
      lastErrorAt: null,
    })
    .where(eq(connections.id, connectionId));
}

async function loadConnection(connectionId: string): Promise<ConnectionRow> {
  const db = await getDb();
  const [row] = await db.select().from(connections).where(eq(connections.id, connectionId));
  if (!row) throw new ConnectionUnavailableError("Connection not found");
  return row;
}

/**
 * Refreshes a connection's tokens once, even with several workers: a database lease (not a
 * process lock) makes one worker call the provider while the others wait for the new tokens.
 * A refused refresh marks the connection disconnected; transient errors leave it untouched.
 */
export async function refreshConnectionTokens(
  connectionId: string,
  options: { seenVersion?: number } = {},
): Promise<ConnectionRow> {
  const db = await getDb();
  const deadline = Date.now() + LEASE_MS + 5_000;
  for (;;) {
    const current = await loadConnection(connectionId);
    if (current.status !== "active") throw new ConnectionUnavailableError("Connection is not active; reconnect it");
    // Someone refreshed since the caller read the row: use their tokens.
    if (options.seenVersion !== undefined && current.tokenVersion !== options.seenVersion) return current;
    const now = new Date();
    const [leased] = await db
      .update(connections)
      .set({ refreshLockedUntil: new Date(now.getTime() + LEASE_MS) })
      .where(
        and(
          eq(connections.id, connectionId),
          eq(connections.tokenVersion, current.tokenVersion),
          or(isNull(connections.refreshLockedUntil), lt(connections.refreshLockedUntil, now)),
        ),
      )
      .returning({ id: connections.id });
    if (!leased) {
      if (Date.now() > deadline) throw new ProviderError("Timed out waiting for another token refresh");
      await new Promise((r) => setTimeout(r, LEASE_WAIT_STEP_MS));
      options = { seenVersion: current.tokenVersion };
      continue;
    }
    try {
      const result = await requestNewTokens(current);
      await writeTokens(connectionId, result.tokens, result.sessionSecrets);
      return loadConnection(connectionId);
    } catch (error) {
      if (error instanceof ProviderAuthError) {
        await markConnectionDisconnected(connectionId, `${error.message}. Reconnect to resume syncing.`);
      } else {
        await db.update(connections).set({ refreshLockedUntil: null }).where(eq(connections.id, connectionId));
      }
      throw error;
    }
  }
}

async function requestNewTokens(
  row: ConnectionRow,
): Promise<{ tokens: TokenSet; sessionSecrets?: Record<string, string> }> {
  const runtime = resolveProvider(row.provider);
  if (!runtime) throw new ConnectionUnavailableError(`${row.provider} is not configured`);
  if (isOAuth2Runtime(runtime)) {
    if (!row.refreshToken) throw new ProviderAuthError(`${runtime.provider.name} gave no refresh token`);
    return { tokens: await refreshAccessToken(runtime, row.refreshToken) };
  }
  const secrets = row.sessionSecrets ? (JSON.parse(row.sessionSecrets) as Record<string, string>) : undefined;
  if (!secrets) throw new ProviderAuthError(`${runtime.provider.name} session cannot be renewed`);
  const result = await runtime.provider.session.refresh(runtime.endpoints, secrets, {
    clientId: runtime.clientId,
    clientSecret: runtime.clientSecret,
  });
  return { tokens: result.tokens, sessionSecrets: result.sessionSecrets };
}

/** A usable access token, refreshed first when it is expired or about to be. */
export async function freshAccessToken(connectionId: string): Promise<{ accessToken: string; tokenVersion: number }> {
  let row = await loadConnection(connectionId);
  if (row.status !== "active" || !row.accessToken)
    throw new ConnectionUnavailableError("Connection is not active; reconnect it");
  if (row.tokenExpiresAt && row.tokenExpiresAt.getTime() - Date.now() < REFRESH_MARGIN_MS) {
    row = await refreshConnectionTokens(connectionId, { seenVersion: row.tokenVersion });
  }
  return { accessToken: row.accessToken!, tokenVersion: row.tokenVersion };
}
