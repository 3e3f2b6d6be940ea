import { and, eq } from "drizzle-orm";
import { z } from "zod";
import { getDb } from "@/lib/db/client";
import { metricSourcePriorities } from "@/lib/db/schema";
import { getProvider } from "@/lib/providers";
import { defaultSourcePriority, rankSources } from "./sources";
import { isMetricName, METRICS, type MetricName } from "./vocabulary";

/**
 * Per-user source priority: a user may reorder the providers of any metric that more than one
 * provider reports. Everything that shows a single value for a metric (tiles, detail views) ranks
 * sources through `SourcePriorities.rank`, so the user's order applies everywhere.
 */

export type PriorityOverrides = Partial<Record<MetricName, readonly string[]>>;

export class SourcePriorities {
  constructor(private readonly overrides: PriorityOverrides = {}) {}

  /** The order in effect for a metric: the user's, else the documented default. */
  order(metric: MetricName): readonly string[] {
    return this.overrides[metric] ?? defaultSourcePriority(metric);
  }

  isCustom(metric: MetricName): boolean {
    return this.overrides[metric] !== undefined;
  }

  rank(metric: MetricName, providers: Iterable<string>): string[] {
    return rankSources(metric, providers, this.order(metric));
  }
}

export async function getSourcePriorities(userId: string): Promise<SourcePriorities> {
  const db = await getDb();
  const rows = await db
    .select({ metric: metricSourcePriorities.metric, providers: metricSourcePriorities.providers })
    .from(metricSourcePriorities)
    .where(eq(metricSourcePriorities.userId, userId));
  const overrides: PriorityOverrides = {};
  for (const row of rows) {
    // A metric that left the vocabulary, or a provider list that no longer matches, falls back to the default.
    if (isMetricName(row.metric) && isPermutation(row.providers, defaultSourcePriority(row.metric)))
      overrides[row.metric] = row.providers;
  }
  return new SourcePriorities(overrides);
}

function isPermutation(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && new Set(a).size === a.length && b.every((p) => a.includes(p));
}

/** Metrics a user can reorder: those more than one provider reports. */
export function reorderableMetrics(): MetricName[] {
  return (Object.keys(METRICS) as MetricName[]).filter((m) => defaultSourcePriority(m).length > 1);
}

export const sourcePriorityInput = z.object({
  metric: z.string().refine(isMetricName, "Unknown metric"),
  /** The metric's providers in the new order, or null to go back to the documented default. */
  providers: z.array(z.string()).max(20).nullable(),
});

export type SetPriorityResult = { ok: true; order: readonly string[] } | { ok: false; detail: string };

export async function setSourcePriority(
  userId: string,
  metric: MetricName,
  providers: readonly string[] | null,
): Promise<SetPriorityResult> {
  const db = await getDb();
  const defaults = defaultSourcePriority(metric);
  if (providers === null) {
    await db
      .delete(metricSourcePriorities)
      .where(and(eq(metricSourcePriorities.userId, userId), eq(metricSourcePriorities.metric, metric)));
    return { ok: true, order: defaults };
  }
  if (defaults.length < 2) return { ok: false, detail: `${METRICS[metric].label} has only one source` };
  if (!isPermutation(providers, defaults))
    return {
      ok: false,
      detail: `List each source of ${METRICS[metric].label} exactly once: ${defaults.map(providerName).join(", ")}`,
    };
  await db
    .insert(metricSourcePriorities)
    .values({ userId, metric, providers: [...providers] })
    .onConflictDoUpdate({
      target: [metricSourcePriorities.userId, metricSourcePriorities.metric],
      set: { providers: [...providers], updatedAt: new Date() },
    });
  return { ok: true, order: providers };
}

export function providerName(id: string): string {
  return getProvider(id)?.name ?? id;
}
