import { and, asc, eq, gte, inArray } from "drizzle-orm";
import { format, subDays } from "date-fns";
import { getDb } from "@/lib/db/client";
import { dailyMetrics } from "@/lib/db/schema";
import { getProvider } from "@/lib/providers";
import { METRICS, rankSources, type MetricName } from "./vocabulary";

/**
 * The dashboard's trend tiles: the latest value, a 30-day series, and the 7-day average against
 * the 30-day baseline. Too few data points give null (shown as "—") with a short explanation,
 * rather than a misleading number.
 */
export const MIN_POINTS_7D = 3;
export const MIN_POINTS_30D = 14;

const TILES = [
  { id: "sleep", title: "Sleep", metric: "sleep_score" },
  { id: "readiness", title: "Readiness", metric: "readiness_score" },
] as const satisfies ReadonlyArray<{ id: string; title: string; metric: MetricName }>;

export interface Tile {
  id: (typeof TILES)[number]["id"];
  title: string;
  metric: MetricName;
  unit: string;
  source: { provider: string; name: string } | null;
  sources: { provider: string; name: string }[];
  /** The metric's documented source priority (provider names, best first), shown to the user. */
  priority: string[];
  latest: { day: string; value: number } | null;
  series: { day: string; value: number }[];
  avg7: number | null;
  baseline30: number | null;
  insufficient: string | null;
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const round1 = (x: number) => Math.round(x * 10) / 10;
const source = (provider: string) => ({ provider, name: getProvider(provider)?.name ?? provider });

export function buildTile(
  def: (typeof TILES)[number],
  rows: Array<{ provider: string; day: string; value: number }>,
  today: Date,
): Tile {
  const since30 = format(subDays(today, 29), "yyyy-MM-dd");
  const since7 = format(subDays(today, 6), "yyyy-MM-dd");
  const ranked = rankSources(
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
  const avg7 = last7.length >= MIN_POINTS_7D ? round1(mean(last7)) : null;
  const baseline30 = series.length >= MIN_POINTS_30D ? round1(mean(series.map((p) => p.value))) : null;
  const latest = series.at(-1) ?? null;
  const noun = def.id === "sleep" ? "nights" : "days";
  let insufficient: string | null = null;
  if (!latest) insufficient = `No ${def.title.toLowerCase()} data in the last 30 days yet.`;
  else if (avg7 === null)
    insufficient = `Needs at least ${MIN_POINTS_7D} ${noun} in the last week for an average (has ${last7.length}). Give it a few days.`;
  else if (baseline30 === null)
    insufficient = `Needs at least ${MIN_POINTS_30D} ${noun} for a baseline (has ${series.length}). Give it a few more days.`;
  return {
    id: def.id,
    title: def.title,
    metric: def.metric,
    unit: METRICS[def.metric].unit,
    source: chosen ? source(chosen) : null,
    sources: ranked.map(source),
    priority: METRICS[def.metric].sources.map((id) => source(id).name),
    latest,
    series,
    avg7,
    baseline30,
    insufficient,
  };
}

export async function getDashboardTiles(userId: string, today = new Date()): Promise<Tile[]> {
  const db = await getDb();
  const rows = await db
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
        inArray(
          dailyMetrics.metric,
          TILES.map((t) => t.metric),
        ),
        gte(dailyMetrics.day, format(subDays(today, 29), "yyyy-MM-dd")),
      ),
    )
    .orderBy(asc(dailyMetrics.day));
  return TILES.map((def) =>
    buildTile(
      def,
      rows.filter((r) => r.metric === def.metric),
      today,
    ),
  );
}
