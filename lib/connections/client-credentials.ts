import crypto from "node:crypto";
import { eq, sql } from "drizzle-orm";
import { getDb } from "@/lib/db/client";
import { providerCredentialFailures } from "@/lib/db/schema";
import { ProviderClientError } from "@/lib/providers/errors";
import type { ProviderRuntime } from "@/lib/providers/runtime";

/**
 * `invalid_client` / `unauthorized_client` on a refresh means this app's client credentials are
 * wrong (a rotated secret, a typo): an operator problem. Users stay connected; refreshes for the
 * provider pause while the same credentials are configured, and resume by themselves when the
 * configuration changes (a new fingerprint) or at `retryAt` (backing off from 15 minutes to 6 hours).
 */

const FIRST_RETRY_MS = 15 * 60 * 1000;
const MAX_RETRY_MS = 6 * 60 * 60 * 1000;

/** Identifies a client id + secret pair without storing the secret (truncated SHA-256). */
export function clientFingerprint(runtime: Pick<ProviderRuntime, "clientId" | "clientSecret">): string {
  return crypto.createHash("sha256").update(`${runtime.clientId}\n${runtime.clientSecret}`).digest("hex").slice(0, 16);
}

/** Throws a ProviderClientError while refreshes for this provider are paused. */
export async function assertClientCredentialsUsable(runtime: ProviderRuntime, now = new Date()): Promise<void> {
  const db = await getDb();
  const [failure] = await db
    .select()
    .from(providerCredentialFailures)
    .where(eq(providerCredentialFailures.provider, runtime.provider.id));
  if (!failure) return;
  if (failure.clientFingerprint !== clientFingerprint(runtime)) return; // configuration changed: try again
  if (failure.retryAt.getTime() <= now.getTime()) return; // time to check whether it was fixed elsewhere
  throw new ProviderClientError(
    `${runtime.provider.name} refused this app's client credentials (${failure.errorCode}); token refreshes are paused until the configuration is fixed`,
    failure.errorCode,
  );
}

/** Remembers the refusal (and logs it loudly: someone has to fix the configuration). */
export async function recordClientCredentialFailure(
  runtime: ProviderRuntime,
  error: ProviderClientError,
  now = new Date(),
): Promise<void> {
  const db = await getDb();
  const fingerprint = clientFingerprint(runtime);
  const [row] = await db
    .insert(providerCredentialFailures)
    .values({
      provider: runtime.provider.id,
      clientFingerprint: fingerprint,
      errorCode: error.code,
      failures: 1,
      failedAt: now,
      retryAt: new Date(now.getTime() + FIRST_RETRY_MS),
    })
    .onConflictDoUpdate({
      target: providerCredentialFailures.provider,
      set: {
        errorCode: error.code,
        failedAt: now,
        // Same credentials failing again: back off further. New credentials failing: start over.
        failures: sql`case when ${providerCredentialFailures.clientFingerprint} = ${fingerprint} then ${providerCredentialFailures.failures} + 1 else 1 end`,
        retryAt: sql`${now.toISOString()}::timestamptz + least(${FIRST_RETRY_MS}::bigint * power(2, case when ${providerCredentialFailures.clientFingerprint} = ${fingerprint} then ${providerCredentialFailures.failures} else 0 end), ${MAX_RETRY_MS}) * interval '1 millisecond'`,
        clientFingerprint: fingerprint,
      },
    })
    .returning();
  console.error(
    `[tokens] ${runtime.provider.name} (${runtime.mode}) refused this app's client credentials (${error.code}). ` +
      `Check ${runtime.provider.id.toUpperCase()}_CLIENT_ID / _CLIENT_SECRET. Users stay connected; ` +
      `token refreshes for ${runtime.provider.name} are paused until ${row?.retryAt.toISOString()} or a configuration change.`,
  );
}

/** A refresh with these credentials worked: lift the pause and the warning. */
export async function clearClientCredentialFailure(providerId: string): Promise<void> {
  const db = await getDb();
  await db.delete(providerCredentialFailures).where(eq(providerCredentialFailures.provider, providerId));
}

/**
 * Provider-level warnings for the Accounts page, by provider id: only while the credentials that
 * failed are still the configured ones.
 */
export async function providerCredentialWarnings(
  runtimeOf: (providerId: string) => ProviderRuntime | undefined,
): Promise<Record<string, string>> {
  const db = await getDb();
  const rows = await db.select().from(providerCredentialFailures);
  const warnings: Record<string, string> = {};
  for (const row of rows) {
    const runtime = runtimeOf(row.provider);
    if (!runtime || clientFingerprint(runtime) !== row.clientFingerprint) continue;
    warnings[row.provider] =
      `${runtime.provider.name} is refusing this app's credentials (${row.errorCode}). Your connection is kept; ` +
      `syncing resumes once the server is fixed.`;
  }
  return warnings;
}
