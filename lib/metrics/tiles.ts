import { and, eq, gte, inArray, lte, sql } from "drizzle-orm";
import { format, subDays } from "date-fns";
import { getDb } from "@/lib/db/client";
import { dailyMetrics } from "@/lib/db/schema";
import { TILES, type Better, type CategoryId, type TileDefinition } from "./categories";
import { getSourcePriorities, providerName, SourcePriorities } from "./source-priority";
import { userToday } from "./time-zone";
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

/** The tiles as of `today` (by default the user's current day in their saved time zone). */
export async function getDashboardTiles(userId: string, today?: Date): Promise<Tile[]> {
  today ??= await userToday(userId);
  const [byMetric, priorities] = await loadMetricRows(
    userId,
    TILES.map((t) => t.metric),
    format(subDays(today, 29), "yyyy-MM-dd"),
  );
  return TILES.filter((def) => def.always || byMetric.has(def.metric)).map((def) =>
    buildTile(def, byMetric.get(def.metric) ?? [], today, priorities),
  );
}

/**
 * One user's stored days of `metrics` from `from` (to `to`), grouped by metric, each source's days
 * in order, with their source order. PostgreSQL gathers each metric and source's days and values
 * into two JSON arrays (a hashed aggregate, no sort): a year of a dozen metrics from four sources
 * is ~50 rows to decode instead of ~20,000, which the driver decodes several times faster.
 */
export async function loadMetricRows(userId: string, metrics: MetricName[], from: string, to?: string) {
  const db = await getDb();
  const [groups, priorities] = await Promise.all([
    db
      .select({
        metric: dailyMetrics.metric,
        provider: dailyMetrics.provider,
        days: sql<string>`json_agg(${dailyMetrics.day})::text`,
        values: sql<string>`json_agg(${dailyMetrics.value})::text`,
      })
      .from(dailyMetrics)
      .where(
        and(
          eq(dailyMetrics.userId, userId),
          inArray(dailyMetrics.metric, metrics),
          gte(dailyMetrics.day, from),
          to ? lte(dailyMetrics.day, to) : undefined,
        ),
      )
      .groupBy(dailyMetrics.metric, dailyMetrics.provider),
    getSourcePriorities(userId),
  ]);
  const byMetric = new Map<string, MetricRow[]>();
  for (const group of groups) {
    // Both arrays are built from the same rows in the same order, so their positions line up.
    const days = JSON.parse(group.days) as string[];
    const values = JSON.parse(group.values) as number[];
    const { provider, metric } = group;
    const rows: MetricRow[] = [];
    let sorted = true;
    for (let i = 0; i < days.length; i++) {
      rows.push({ provider, metric, day: days[i]!, value: values[i]! });
      if (i > 0 && days[i - 1]! > days[i]!) sorted = false;
    }
    // Usually already in order (rows are stored as the days arrive); sorting is the exception.
    if (!sorted) rows.sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : 0));
    const list = byMetric.get(group.metric);
    if (list) list.push(...rows);
    else byMetric.set(group.metric, rows);
  }
  return [byMetric, priorities] as const;
}

export type MetricRow = { provider: string; metric: string; day: string; value: number };
