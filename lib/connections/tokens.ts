import crypto from "node:crypto";
import { and, eq, isNull, lt, or, sql } from "drizzle-orm";
import { getDb } from "@/lib/db/client";
import { connections } from "@/lib/db/schema";
import { DEFAULT_TOKEN_REQUEST_TIMEOUT_MS, refreshAccessToken } from "@/lib/oauth/engine";
import { ProviderAuthError, ProviderClientError, ProviderError, ProviderGrantError } from "@/lib/providers/errors";
import { isOAuth2Runtime, resolveProvider, type ProviderRuntime } from "@/lib/providers/runtime";
import type { TokenSet } from "@/lib/providers/types";
import {
  assertClientCredentialsUsable,
  clearClientCredentialFailure,
  recordClientCredentialFailure,
} from "./client-credentials";

/**
 * Token writes that cannot undo each other. Every write is conditional: a refresh writes only
 * while it holds the lease on the token version it read and the connection is still active; a
 * disconnect (here or by the provider) and a reconnect bump the version, so a refresh that was
 * waiting on the provider meanwhile loses and changes nothing.
 */

/** Refresh this long before expiry, so a sync never starts with a token about to die. */
const REFRESH_MARGIN_MS = 5 * 60 * 1000;
const LEASE_WAIT_STEP_MS = 100;
const WRITE_ATTEMPTS = 3;

export interface TokenTiming {
  /** How long one token request may take. */
  requestTimeoutMs: number;
  /** The refresh lease: at least twice the request timeout, so it cannot lapse mid-request… */
  leaseMs: number;
  /** …and renewed this often while held, so even a stalled worker keeps it until it gives up. */
  renewEveryMs: number;
}

export const DEFAULT_TOKEN_TIMING: TokenTiming = {
  requestTimeoutMs: DEFAULT_TOKEN_REQUEST_TIMEOUT_MS,
  leaseMs: 2 * DEFAULT_TOKEN_REQUEST_TIMEOUT_MS + 15_000,
  renewEveryMs: 10_000,
};

let timing: TokenTiming = DEFAULT_TOKEN_TIMING;

export function tokenTiming(): TokenTiming {
  return timing;
}

/**
 * Tests shorten the lease to reach slow-provider races in seconds (and may set a lease shorter
 * than the request timeout to prove that renewal alone keeps it). Returns a restore function.
 */
export function setTokenTimingForTests(overrides: Partial<TokenTiming>): () => void {
  const previous = timing;
  timing = { ...timing, ...overrides };
  return () => {
    timing = previous;
  };
}

export type ConnectionRow = typeof connections.$inferSelect;

export class ConnectionUnavailableError extends ProviderError {
  override name = "ConnectionUnavailableError";
}

/**
 * Marks a connection disconnected because the provider refused it (the user must Reconnect). Only
 * the token version the caller used is disconnected: a connection refreshed or reconnected since
 * is left alone. Returns whether it changed anything.
 */
export async function markConnectionDisconnected(
  connectionId: string,
  message: string,
  expected: { tokenVersion?: number; leaseHolder?: string } = {},
): Promise<boolean> {
  const db = await getDb();
  const rows = await db
    .update(connections)
    .set({
      status: "disconnected",
      lastError: message,
      lastErrorAt: new Date(),
      tokenVersion: sql`${connections.tokenVersion} + 1`,
      refreshLockedUntil: null,
      refreshLeaseHolder: null,
    })
    .where(
      and(
        eq(connections.id, connectionId),
        eq(connections.status, "active"),
        expected.tokenVersion !== undefined ? eq(connections.tokenVersion, expected.tokenVersion) : undefined,
        expected.leaseHolder !== undefined ? eq(connections.refreshLeaseHolder, expected.leaseHolder) : undefined,
      ),
    )
    .returning({ id: connections.id });
  return rows.length > 0;
}

/**
 * Stores a refresh's tokens in one statement, so the new pair is durable at the same instant the
 * old refresh token is forgotten. Conditional on the lease and the version read; false when the
 * connection was disconnected or reconnected meanwhile (those writes win).
 */
async function writeRefreshedTokens(
  connectionId: string,
  expected: { tokenVersion: number; leaseHolder: string },
  tokens: TokenSet,
  sessionSecrets?: Record<string, string>,
): Promise<boolean> {
  const db = await getDb();
  for (let attempt = 1; ; attempt++) {
    try {
      const rows = await db
        .update(connections)
        .set({
          accessToken: tokens.accessToken,
          // A refresh answer without a new refresh token keeps the old one.
          ...(tokens.refreshToken ? { refreshToken: tokens.refreshToken } : {}),
          ...(sessionSecrets ? { sessionSecrets: JSON.stringify(sessionSecrets) } : {}),
          ...(tokens.scopes?.length ? { scopes: tokens.scopes } : {}),
          tokenExpiresAt: tokens.expiresAt ?? null,
          tokenVersion: sql`${connections.tokenVersion} + 1`,
          refreshLockedUntil: null,
          refreshLeaseHolder: null,
          lastError: null,
          lastErrorAt: null,
        })
        .where(
          and(
            eq(connections.id, connectionId),
            eq(connections.status, "active"),
            eq(connections.tokenVersion, expected.tokenVersion),
            eq(connections.refreshLeaseHolder, expected.leaseHolder),
          ),
        )
        .returning({ id: connections.id });
      return rows.length > 0;
    } catch (error) {
      // The provider has already spent the old refresh token: losing these tokens to a database
      // blip would lose the grant (Oura, Whoop), so try again briefly before giving up.
      if (attempt >= WRITE_ATTEMPTS) throw error;
      await new Promise((r) => setTimeout(r, 200 * attempt));
    }
  }
}

async function releaseLease(connectionId: string, leaseHolder: string): Promise<void> {
  const db = await getDb();
  await db
    .update(connections)
    .set({ refreshLockedUntil: null, refreshLeaseHolder: null })
    .where(and(eq(connections.id, connectionId), eq(connections.refreshLeaseHolder, leaseHolder)));
}

/** Keeps the lease alive while the provider takes its time; stops when the holder is done. */
function renewWhileHeld(connectionId: string, leaseHolder: string): () => void {
  const timer = setInterval(() => {
    void (async () => {
      const db = await getDb();
      await db
        .update(connections)
        .set({ refreshLockedUntil: new Date(Date.now() + timing.leaseMs) })
        .where(and(eq(connections.id, connectionId), eq(connections.refreshLeaseHolder, leaseHolder)));
    })().catch((error: Error) => console.error(`[tokens] lease renewal failed: ${error.name}`));
  }, timing.renewEveryMs);
  return () => clearInterval(timer);
}

async function loadConnection(connectionId: string): Promise<ConnectionRow> {
  const db = await getDb();
  const [row] = await db.select().from(connections).where(eq(connections.id, connectionId));
  if (!row) throw new ConnectionUnavailableError("Connection not found");
  return row;
}

function activeOrUnavailable(row: ConnectionRow): ConnectionRow {
  if (row.status !== "active") throw new ConnectionUnavailableError("Connection is not active; reconnect it");
  return row;
}

/**
 * Refreshes a connection's tokens once, even with several workers: a database lease (not a
 * process lock) makes one worker call the provider while the others wait for the new tokens.
 * Only a refused grant disconnects, and only the token version that was refused; refused client
 * credentials pause the provider's refreshes (nobody is disconnected); anything else is transient.
 */
export async function refreshConnectionTokens(
  connectionId: string,
  options: { seenVersion?: number } = {},
): Promise<ConnectionRow> {
  const db = await getDb();
  const waitUntil = Date.now() + timing.requestTimeoutMs + timing.leaseMs;
  let seenVersion = options.seenVersion;
  for (;;) {
    const current = activeOrUnavailable(await loadConnection(connectionId));
    // Someone refreshed (or reconnected) since the caller read the row: use their tokens.
    if (seenVersion !== undefined && current.tokenVersion !== seenVersion) return current;
    const runtime = resolveProvider(current.provider);
    if (!runtime) throw new ConnectionUnavailableError(`${current.provider} is not configured`);
    await assertClientCredentialsUsable(runtime);

    const leaseHolder = crypto.randomUUID();
    const now = new Date();
    const [leased] = await db
      .update(connections)
      .set({ refreshLockedUntil: new Date(now.getTime() + timing.leaseMs), refreshLeaseHolder: leaseHolder })
      .where(
        and(
          eq(connections.id, connectionId),
          eq(connections.status, "active"),
          eq(connections.tokenVersion, current.tokenVersion),
          or(isNull(connections.refreshLockedUntil), lt(connections.refreshLockedUntil, now)),
        ),
      )
      .returning({ id: connections.id });
    if (!leased) {
      if (Date.now() > waitUntil) throw new ProviderError("Timed out waiting for another token refresh");
      await new Promise((r) => setTimeout(r, LEASE_WAIT_STEP_MS));
      seenVersion = current.tokenVersion;
      continue;
    }

    const stopRenewing = renewWhileHeld(connectionId, leaseHolder);
    let result: { tokens: TokenSet; sessionSecrets?: Record<string, string> };
    try {
      result = await requestNewTokens(runtime, current);
    } catch (error) {
      stopRenewing();
      const settled = await settleFailedRefresh(runtime, current, leaseHolder, error);
      if (settled) return settled;
      throw error;
    }
    stopRenewing();
    // Nothing else happens between the provider's answer and this write (see README: a crash here
    // loses the new tokens; whether the old refresh token still works depends on the provider).
    // When the write loses (disconnected or reconnected meanwhile), the row read below says
    // which: a reconnect's grant is kept, a disconnect stays a disconnect.
    await writeRefreshedTokens(
      connectionId,
      { tokenVersion: current.tokenVersion, leaseHolder },
      result.tokens,
      result.sessionSecrets,
    );
    await clearClientCredentialFailure(runtime.provider.id);
    return activeOrUnavailable(await loadConnection(connectionId));
  }
}

/**
 * Records what a failed refresh means. Returns the connection when the failure turns out to be
 * someone else's success (the caller returns it); otherwise the caller rethrows the error.
 */
async function settleFailedRefresh(
  runtime: ProviderRuntime,
  current: ConnectionRow,
  leaseHolder: string,
  error: unknown,
): Promise<ConnectionRow | undefined> {
  if (error instanceof ProviderClientError) {
    await releaseLease(current.id, leaseHolder);
    await recordClientCredentialFailure(runtime, error);
    return undefined;
  }
  if (error instanceof ProviderAuthError) {
    // `invalid_grant` may only mean another worker already spent this refresh token and stored
    // the result: re-read before believing the grant is gone.
    const latest = await loadConnection(current.id);
    if (latest.tokenVersion !== current.tokenVersion) return activeOrUnavailable(latest);
    const disconnected = await markConnectionDisconnected(
      current.id,
      `${error.message}. Reconnect to resume syncing.`,
      { tokenVersion: current.tokenVersion, leaseHolder },
    );
    if (!disconnected) {
      await releaseLease(current.id, leaseHolder);
      const after = await loadConnection(current.id);
      if (after.tokenVersion !== current.tokenVersion) return activeOrUnavailable(after);
    }
    return undefined;
  }
  await releaseLease(current.id, leaseHolder);
  return undefined;
}

async function requestNewTokens(
  runtime: ProviderRuntime,
  row: ConnectionRow,
): Promise<{ tokens: TokenSet; sessionSecrets?: Record<string, string> }> {
  if (isOAuth2Runtime(runtime)) {
    if (!row.refreshToken) throw new ProviderGrantError(`${runtime.provider.name} gave no refresh token`);
    return {
      tokens: await refreshAccessToken(runtime, row.refreshToken, { timeoutMs: timing.requestTimeoutMs }),
    };
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
