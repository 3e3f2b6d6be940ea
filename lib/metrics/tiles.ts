import { and, eq, gte, inArray, lte } from "drizzle-orm";
import { format, subDays } from "date-fns";
import { getDb } from "@/lib/db/client";
import { dailyMetrics } from "@/lib/db/schema";
import { TILES, type Better, type CategoryId, type TileDefinition } from "./categories";
import { getSourcePriorities, providerName, SourcePriorities } from "./source-priority";
import { METRICS, type MetricName } from "./vocabulary";

/**
 * The dashboard's trend tiles: the latest value, a 30-day series, and the 7-day average against
 * the 30-day baseline. Too few data points give null (shown as "—") with a short explanation,
 * rather than a misleading number. Sleep and Readiness always show; the other tiles only for a
 * metric the user has data for in the last 30 days.
 */
export const MIN_POINTS_7D = 3;
export const MIN_POINTS_30D = 14;

export interface Tile {
  id: string;
  title: string;
  metric: MetricName;
  category: CategoryId;
  better: Better;
  unit: string;
  source: { provider: string; name: string } | null;
  sources: { provider: string; name: string }[];
  /** The source priority in effect for this user (provider names, best first), shown to the user. */
  priority: string[];
  latest: { day: string; value: number } | null;
  series: { day: string; value: number }[];
  avg7: number | null;
  baseline30: number | null;
  insufficient: string | null;
}

export const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const round2 = (x: number) => Math.round(x * 100) / 100;
export function groupBy<T, K>(items: readonly T[], key: (item: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k);
    if (group) group.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

export const sourceOf = (provider: string) => ({ provider, name: providerName(provider) });

export function buildTile(
  def: TileDefinition,
  rows: Array<{ provider: string; day: string; value: number }>,
  today: Date,
  priorities: SourcePriorities = new SourcePriorities(),
): Tile {
  const since30 = format(subDays(today, 29), "yyyy-MM-dd");
  const since7 = format(subDays(today, 6), "yyyy-MM-dd");
  const ranked = priorities.rank(
    def.metric,
    rows.map((r) => r.provider),
  );
  const chosen = ranked[0];
  const series = chosen
    ? rows
        .filter((r) => r.provider === chosen && r.day >= since30)
        .sort((a, b) => a.day.localeCompare(b.day))
        .map(({ day, value }) => ({ day, value }))
    : [];
  const last7 = series.filter((p) => p.day >= since7).map((p) => p.value);
  const avg7 = last7.length >= MIN_POINTS_7D ? round2(mean(last7)) : null;
  const baseline30 = series.length >= MIN_POINTS_30D ? round2(mean(series.map((p) => p.value))) : null;
  const latest = series.at(-1) ?? null;
  let insufficient: string | null = null;
  if (!latest) insufficient = `No ${def.title.toLowerCase()} data in the last 30 days yet.`;
  else if (avg7 === null)
    insufficient = `Needs at least ${MIN_POINTS_7D} ${def.noun} in the last week for an average (has ${last7.length}). Give it a few days.`;
  else if (baseline30 === null)
    insufficient = `Needs at least ${MIN_POINTS_30D} ${def.noun} for a baseline (has ${series.length}). Give it a few more days.`;
  return {
    id: def.id,
    title: def.title,
    metric: def.metric,
    category: def.category,
    better: def.better,
    unit: METRICS[def.metric].unit,
    source: chosen ? sourceOf(chosen) : null,
    sources: ranked.map(sourceOf),
    priority: priorities.order(def.metric).map(providerName),
    latest,
    series,
    avg7,
    baseline30,
    insufficient,
  };
}

export async function getDashboardTiles(userId: string, today = new Date()): Promise<Tile[]> {
  const [byMetric, priorities] = await loadMetricRows(
    userId,
    TILES.map((t) => t.metric),
    format(subDays(today, 29), "yyyy-MM-dd"),
  );
  return TILES.filter((def) => def.always || byMetric.has(def.metric)).map((def) =>
    buildTile(def, byMetric.get(def.metric) ?? [], today, priorities),
  );
}

/** One user's stored days of `metrics` from `from` (to `to`), grouped by metric, with their source order. */
export async function loadMetricRows(userId: string, metrics: MetricName[], from: string, to?: string) {
  const db = await getDb();
  const [rows, priorities] = await Promise.all([
    db
      .select({
        provider: dailyMetrics.provider,
        metric: dailyMetrics.metric,
        day: dailyMetrics.day,
        value: dailyMetrics.value,
      })
      .from(dailyMetrics)
      .where(
        and(
          eq(dailyMetrics.userId, userId),
          inArray(dailyMetrics.metric, metrics),
          gte(dailyMetrics.day, from),
          to ? lte(dailyMetrics.day, to) : undefined,
        ),
      ),
    getSourcePriorities(userId),
  ]);
  return [groupBy(rows, (r) => r.metric), priorities] as const;
}
