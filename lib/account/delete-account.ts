import { and, eq, isNull, or } from "drizzle-orm";
import { z } from "zod";
import { findUserById } from "@/lib/auth/users";
import { disconnectConnection, type RevocationOutcome } from "@/lib/connections/service";
import { getDb } from "@/lib/db/client";
import { connections, users, webhookInbox } from "@/lib/db/schema";
import { clearAttempts, LIMITS } from "@/lib/rate-limit/limits";

/**
 * "Delete my account": every connection is revoked at its provider (as Disconnect does), then every
 * row that belongs to the user goes. The user row's foreign keys cascade to everything keyed by the
 * user or by one of their connections (connections, metrics, sync runs and their monthly summaries,
 * pending records, OAuth states, sign-in challenges, preferences, source orders, webhook inbox rows
 * and subscriptions); what is keyed otherwise is deleted here by hand: webhook notifications that
 * name one of the user's provider accounts without being tied to the connection, and the attempt
 * counters kept under the (hashed) email. `delete-account.int.test.ts` walks every table of the
 * schema, so a table added later cannot be forgotten.
 */

export const deleteAccountInput = z.object({
  /** The user types their email to confirm. */
  email: z.string().max(254),
});

/** The typed email is not the account's. */
export class ConfirmationMismatchError extends Error {
  override name = "ConfirmationMismatchError";
  constructor() {
    super("Type the email address of this account to confirm");
  }
}

export interface ProviderRevocation extends RevocationOutcome {
  provider: string;
}

export async function deleteAccount(userId: string, confirmationEmail: string): Promise<ProviderRevocation[]> {
  const user = await findUserById(userId);
  if (!user || confirmationEmail.trim().toLowerCase() !== user.email) throw new ConfirmationMismatchError();
  const db = await getDb();
  const owned = await db
    .select({ provider: connections.provider, providerUserId: connections.providerUserId })
    .from(connections)
    .where(eq(connections.userId, userId));
  // Revoke first, while the tokens are still there; a provider that does not confirm does not stop the deletion.
  const revocations: ProviderRevocation[] = [];
  for (const { provider } of owned) {
    const outcome = await disconnectConnection(userId, provider);
    if (outcome) revocations.push({ provider, ...outcome });
  }
  const accounts = owned.filter((c) => c.providerUserId !== null);
  await db.transaction(async (tx) => {
    if (accounts.length > 0)
      await tx
        .delete(webhookInbox)
        .where(
          and(
            isNull(webhookInbox.connectionId),
            or(
              ...accounts.map((a) =>
                and(eq(webhookInbox.provider, a.provider), eq(webhookInbox.providerUserId, a.providerUserId!)),
              ),
            ),
          ),
        );
    await tx.delete(users).where(eq(users.id, userId));
  });
  await clearAttempts([
    [LIMITS.signInAccount, user.email],
    [LIMITS.signUpAccount, user.email],
  ]);
  return revocations;
}
