import crypto from "node:crypto";
import { and, eq, lt } from "drizzle-orm";
import { getDb } from "@/lib/db/client";
import { oauthStates } from "@/lib/db/schema";

/**
 * OAuth `state`: 32 random bytes (URL-safe), stored only as its SHA-256, bound to the user and the
 * provider, usable once, and expiring after 15 minutes.
 */
export const STATE_TTL_MS = 15 * 60 * 1000;
const STATE_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export type OAuthStateFailure = "malformed" | "unknown_or_used" | "expired" | "provider_mismatch" | "wrong_user";

export class OAuthStateError extends Error {
  override name = "OAuthStateError";
  constructor(readonly reason: OAuthStateFailure) {
    super(`OAuth state invalid (${reason})`);
  }
}

export function hashState(state: string): string {
  return crypto.createHash("sha256").update(state).digest("hex");
}

export interface NewOAuthState {
  userId: string;
  provider: string;
  redirectPath: string;
  codeVerifier?: string;
}

export async function createOAuthState(input: NewOAuthState, now = new Date()): Promise<string> {
  const db = await getDb();
  const state = crypto.randomBytes(32).toString("base64url");
  // Housekeeping on the way: expired states are useless and only grow the table.
  await db.delete(oauthStates).where(lt(oauthStates.expiresAt, now));
  await db.insert(oauthStates).values({
    stateHash: hashState(state),
    userId: input.userId,
    provider: input.provider,
    redirectPath: input.redirectPath,
    codeVerifier: input.codeVerifier ?? null,
    expiresAt: new Date(now.getTime() + STATE_TTL_MS),
  });
  return state;
}

export interface ConsumedOAuthState {
  userId: string;
  provider: string;
  redirectPath: string;
  codeVerifier: string | null;
}

/**
 * Consumes a state exactly once, and only for the user who started the flow: the row is deleted
 * atomically where both the hash and the user match, so a replay finds nothing and another user's
 * attempt consumes nothing (they can neither use the state nor burn it for its owner). A state of
 * the right user but for another provider, or expired, is refused (and burnt).
 */
export async function consumeOAuthState(
  input: { state: string | null | undefined; provider: string; userId: string },
  now = new Date(),
): Promise<ConsumedOAuthState> {
  if (!input.state || !STATE_PATTERN.test(input.state)) throw new OAuthStateError("malformed");
  const db = await getDb();
  const stateHash = hashState(input.state);
  const [row] = await db
    .delete(oauthStates)
    .where(and(eq(oauthStates.stateHash, stateHash), eq(oauthStates.userId, input.userId)))
    .returning();
  if (!row) {
    // Only to say why; nothing of another user's row is changed or returned.
    const [foreign] = await db
      .select({ userId: oauthStates.userId })
      .from(oauthStates)
      .where(eq(oauthStates.stateHash, stateHash));
    throw new OAuthStateError(foreign ? "wrong_user" : "unknown_or_used");
  }
  if (row.expiresAt.getTime() <= now.getTime()) throw new OAuthStateError("expired");
  if (row.provider !== input.provider) throw new OAuthStateError("provider_mismatch");
  return { userId: row.userId, provider: row.provider, redirectPath: row.redirectPath, codeVerifier: row.codeVerifier };
}

/** Drops a user's pending states for a provider (used when a flow is abandoned). */
export async function deleteOAuthStates(userId: string, provider: string): Promise<void> {
  const db = await getDb();
  await db.delete(oauthStates).where(and(eq(oauthStates.userId, userId), eq(oauthStates.provider, provider)));
}
