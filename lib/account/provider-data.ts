import { and, countDistinct, count, eq } from "drizzle-orm";
import { disconnectConnection, type RevocationOutcome } from "@/lib/connections/service";
import { getDb } from "@/lib/db/client";
import { connections, dailyMetrics } from "@/lib/db/schema";
import { getProvider, listProviders } from "@/lib/providers";

/**
 * "Delete a provider's data": the connection is disconnected (revoked at the provider, as Disconnect
 * does) and then deleted with everything hanging off it (sync history and its monthly summaries,
 * pending records, webhook rows), together with every metric day the provider supplied.
 */

export interface ProviderDataSummary {
  provider: string;
  name: string;
  connected: boolean;
  /** Distinct days with at least one metric from this provider. */
  days: number;
  rows: number;
}

/** What would be deleted for one provider (the confirmation says how many days). */
export async function providerDataSummary(userId: string, provider: string): Promise<ProviderDataSummary | undefined> {
  const info = getProvider(provider);
  if (!info) return undefined;
  const db = await getDb();
  const [[metrics], [connection]] = await Promise.all([
    db
      .select({ days: countDistinct(dailyMetrics.day), rows: count() })
      .from(dailyMetrics)
      .where(and(eq(dailyMetrics.userId, userId), eq(dailyMetrics.provider, provider))),
    db
      .select({ id: connections.id })
      .from(connections)
      .where(and(eq(connections.userId, userId), eq(connections.provider, provider))),
  ]);
  return { provider, name: info.name, connected: !!connection, days: metrics?.days ?? 0, rows: metrics?.rows ?? 0 };
}

/** Every provider the user has a connection or data from. */
export async function providerDataSummaries(userId: string): Promise<ProviderDataSummary[]> {
  const all = await Promise.all(listProviders().map((p) => providerDataSummary(userId, p.id)));
  return all.filter((s): s is ProviderDataSummary => !!s && (s.connected || s.rows > 0));
}

export interface ProviderDataDeletion {
  /** Null when there was no connection left to revoke (only history). */
  revocation: RevocationOutcome | null;
  deletedDays: number;
  deletedRows: number;
}

/** Undefined when the provider is unknown or the user has neither a connection nor data from it. */
export async function deleteProviderData(userId: string, provider: string): Promise<ProviderDataDeletion | undefined> {
  const summary = await providerDataSummary(userId, provider);
  if (!summary || (!summary.connected && summary.rows === 0)) return undefined;
  const revocation = summary.connected ? ((await disconnectConnection(userId, provider)) ?? null) : null;
  const db = await getDb();
  const deleted = await db.transaction(async (tx) => {
    await tx.delete(connections).where(and(eq(connections.userId, userId), eq(connections.provider, provider)));
    return tx
      .delete(dailyMetrics)
      .where(and(eq(dailyMetrics.userId, userId), eq(dailyMetrics.provider, provider)))
      .returning({ day: dailyMetrics.day });
  });
  return { revocation, deletedDays: new Set(deleted.map((r) => r.day)).size, deletedRows: deleted.length };
}
