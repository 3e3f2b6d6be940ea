import { listProviders } from "@/lib/providers";
import type { Provider } from "@/lib/providers/types";
import type { MetricName } from "./vocabulary";

/**
 * Source priority, derived from the provider modules: each module says which metrics it supplies
 * (`metricFields`) and where it ranks for each (`metricPriority`), so a new provider joins every
 * metric's priority by its own module alone. When several providers report the same metric for
 * the same day, all rows are kept and the tiles show the first provider in this order that has a
 * value (the README table is generated from it). Server-side: it reads the provider modules.
 */

/** The metric's documented source priority (provider ids, best first). */
export function defaultSourcePriority(
  metric: MetricName,
  providers: readonly Provider[] = listProviders(),
): readonly string[] {
  return providers
    .filter((p) => p.metricFields[metric] !== undefined)
    .map((p) => ({ id: p.id, rank: p.metricPriority[metric] ?? Number.POSITIVE_INFINITY }))
    .sort((a, b) => a.rank - b.rank || a.id.localeCompare(b.id))
    .map((p) => p.id);
}

/**
 * Orders provider ids by a source priority (best first): the metric's documented one unless a
 * user's own order is given. Providers not in it rank after those in it, alphabetically.
 */
export function rankSources(
  metric: MetricName,
  providers: Iterable<string>,
  priority: readonly string[] = defaultSourcePriority(metric),
): string[] {
  const rank = (p: string) => {
    const i = priority.indexOf(p);
    return i === -1 ? priority.length : i;
  };
  return [...new Set(providers)].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}
