import { format, subDays } from "date-fns";
import { CATEGORIES, type CategoryDefinition, type CategoryId, type RangeDays } from "./categories";
import { providerName, SourcePriorities } from "./source-priority";
import { loadMetricRows, mean, MIN_POINTS_30D, sourceOf } from "./tiles";
import { userToday } from "./time-zone";
import { METRICS, type MetricName } from "./vocabulary";

/**
 * A category's detail view (`/trends/<category>`): the headline metric over the range with its
 * trailing 30-day baseline band and one series per source (for the overlay), the contributors
 * from their preferred sources, and for sleep the stages of each night.
 */

/** The baseline band is the trailing 30 days' mean ± one standard deviation. */
export const BASELINE_DAYS = 30;

type Row = { provider: string; metric: string; day: string; value: number };
export type DayValue = { day: string; value: number };
export type Source = { provider: string; name: string };

export interface MetricTrend {
  metric: MetricName;
  label: string;
  unit: string;
  source: Source | null;
  sources: Source[];
  priority: string[];
  series: DayValue[];
  latest: DayValue | null;
  /** Mean over the range, from the chosen source. */
  average: number | null;
}

export interface BaselinePoint {
  day: string;
  mean: number;
  low: number;
  high: number;
}

export interface StageNight {
  day: string;
  deep: number;
  rem: number;
  light: number;
  awake: number;
}

export interface TrendDetail {
  category: CategoryId;
  title: string;
  range: RangeDays;
  /** First and last day of the range (inclusive). */
  from: string;
  to: string;
  headline: MetricTrend & {
    baseline: BaselinePoint[];
    /** Every source's own series, best first: the overlay when two or more disagree. */
    bySource: (Source & { series: DayValue[] })[];
  };
  contributors: MetricTrend[];
  stages: { source: Source; nights: StageNight[] } | null;
}

const day = (d: Date) => format(d, "yyyy-MM-dd");
/** A calendar day `n` days from `d` (both "yyyy-MM-dd"), by UTC arithmetic: no time zone, no DST. */
const shiftDay = (d: string, n: number) =>
  new Date(Date.parse(`${d}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
const byDay = (a: { day: string }, b: { day: string }) => a.day.localeCompare(b.day);
const round2 = (x: number) => Math.round(x * 100) / 100;

function metricTrend(
  metric: MetricName,
  rows: readonly Row[],
  from: string,
  priorities: SourcePriorities,
): MetricTrend & { all: Map<string, DayValue[]> } {
  const all = new Map<string, DayValue[]>();
  for (const r of rows) {
    const list = all.get(r.provider) ?? [];
    list.push({ day: r.day, value: r.value });
    all.set(r.provider, list);
  }
  for (const list of all.values()) list.sort(byDay);
  const inRange = [...all].filter(([, list]) => list.some((p) => p.day >= from)).map(([provider]) => provider);
  const ranked = priorities.rank(metric, inRange);
  const chosen = ranked[0];
  const series = chosen ? all.get(chosen)!.filter((p) => p.day >= from) : [];
  return {
    metric,
    label: METRICS[metric].label,
    unit: METRICS[metric].unit,
    source: chosen ? sourceOf(chosen) : null,
    sources: ranked.map(sourceOf),
    priority: priorities.order(metric).map(providerName),
    series,
    latest: series.at(-1) ?? null,
    average: series.length ? round2(mean(series.map((p) => p.value))) : null,
    all,
  };
}

/**
 * For each day of the range with enough history, the mean ± SD of the source's values over the 30
 * days ending that day. A sliding window over the sorted series: linear in the number of points.
 */
export function baselineBand(series: readonly DayValue[], days: readonly string[]): BaselinePoint[] {
  const band: BaselinePoint[] = [];
  let start = 0;
  let end = 0;
  let sum = 0;
  let sumSq = 0;
  for (const d of days) {
    while (end < series.length && series[end]!.day <= d) {
      sum += series[end]!.value;
      sumSq += series[end]!.value ** 2;
      end++;
    }
    const windowStart = shiftDay(d, -(BASELINE_DAYS - 1));
    while (start < end && series[start]!.day < windowStart) {
      sum -= series[start]!.value;
      sumSq -= series[start]!.value ** 2;
      start++;
    }
    const n = end - start;
    if (n < MIN_POINTS_30D) continue;
    const m = sum / n;
    const sd = Math.sqrt(Math.max(0, sumSq / n - m * m));
    band.push({ day: d, mean: round2(m), low: round2(m - sd), high: round2(m + sd) });
  }
  return band;
}

function stageNights(
  stages: NonNullable<CategoryDefinition["stages"]>,
  rowsByMetric: Map<string, Row[]>,
  from: string,
  priorities: SourcePriorities,
): TrendDetail["stages"] {
  const deepRows = (rowsByMetric.get(stages.deep) ?? []).filter((r) => r.day >= from);
  // One source for the whole stack, so a night's bars add up to one device's night.
  const provider = priorities.rank(
    stages.deep,
    deepRows.map((r) => r.provider),
  )[0];
  if (!provider) return null;
  const valuesOf = (metric: MetricName) =>
    new Map(
      (rowsByMetric.get(metric) ?? [])
        .filter((r) => r.provider === provider && r.day >= from)
        .map((r) => [r.day, r.value] as const),
    );
  const rem = valuesOf(stages.rem);
  const light = valuesOf(stages.light);
  const awake = valuesOf(stages.awake);
  const nights = deepRows
    .filter((r) => r.provider === provider)
    .map((r) => ({
      day: r.day,
      deep: r.value,
      rem: rem.get(r.day) ?? 0,
      light: light.get(r.day) ?? 0,
      awake: awake.get(r.day) ?? 0,
    }))
    .sort(byDay);
  return { source: sourceOf(provider), nights };
}

export function listDays(from: Date, count: number): string[] {
  const last = day(from);
  return Array.from({ length: count }, (_, i) => shiftDay(last, i - (count - 1)));
}

export async function getTrendDetail(
  userId: string,
  category: CategoryId,
  range: RangeDays,
  /** By default the user's current day in their saved time zone. */
  today?: Date,
): Promise<TrendDetail> {
  today ??= await userToday(userId);
  const def: CategoryDefinition = CATEGORIES[category];
  const days = listDays(today, range);
  const from = days[0]!;
  const to = days.at(-1)!;
  // The headline needs 30 more days before the range for its baseline.
  const historyFrom = day(subDays(today, range - 1 + BASELINE_DAYS - 1));
  const stageMetrics = def.stages ? Object.values(def.stages) : [];
  const metrics = [...new Set<MetricName>([def.headline, ...def.contributors, ...stageMetrics])];

  const [rowsByMetric, priorities] = await loadMetricRows(userId, metrics, historyFrom, to);

  const { all, ...headline } = metricTrend(def.headline, rowsByMetric.get(def.headline) ?? [], from, priorities);
  const chosenHistory = headline.source ? all.get(headline.source.provider)! : [];
  const bySource = headline.sources.map((s) => ({ ...s, series: all.get(s.provider)!.filter((p) => p.day >= from) }));

  const contributors = def.contributors
    .map((metric) => {
      const rowsInRange = (rowsByMetric.get(metric) ?? []).filter((r) => r.day >= from);
      const { all: _all, ...trend } = metricTrend(metric, rowsInRange, from, priorities);
      return trend;
    })
    .filter((t) => t.series.length > 0);

  return {
    category,
    title: def.title,
    range,
    from,
    to,
    headline: { ...headline, baseline: baselineBand(chosenHistory, days), bySource },
    contributors,
    stages: def.stages ? stageNights(def.stages, rowsByMetric, from, priorities) : null,
  };
}
