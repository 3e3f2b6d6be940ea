import Link from "next/link";
import type { Tile } from "@/components/api-types";
import { Card } from "@/components/ui/card";
import { cn } from "@/components/ui/cn";
import { Skeleton } from "@/components/ui/skeleton";
import { compareDisplayed, formatMetric, formatMetricParts, type DisplayContext } from "@/lib/metrics/units";
import { describeSources, formatLocalDayLabel, NO_VALUE } from "./format";
import { LazyTrendChart } from "./lazy-trend-chart";

export const TILE_COLORS: Record<string, string> = {
  sleep: "#6366f1",
  readiness: "#0d9488",
  activity: "#ea580c",
  heart: "#e11d48",
  stress: "#7c3aed",
  body: "#0284c7",
};

const GOOD = "text-emerald-700";
const BAD = "text-amber-700";
const NEUTRAL = "text-slate-600";

/** A rise is good news for a score, bad news for resting heart rate or stress, and neither for weight. */
function directionClass(better: Tile["better"], direction: "up" | "down" | "flat"): string {
  if (direction === "flat" || better === "neither") return NEUTRAL;
  return (direction === "up") === (better === "higher") ? GOOD : BAD;
}

export function TileCard({ tile, display }: { tile: Tile; display: DisplayContext }) {
  const sources = describeSources(tile.source, tile.sources);
  const comparison = compareDisplayed(tile.metric, tile.unit, tile.avg7, tile.baseline30, display);
  const missingSomething = tile.latest == null || tile.avg7 == null || tile.baseline30 == null;
  const color = TILE_COLORS[tile.category] ?? "#6366f1";
  const latest = tile.latest ? formatMetricParts(tile.metric, tile.latest.value, tile.unit, display) : null;
  const shown = (value: number | null) =>
    value == null ? NO_VALUE : formatMetric(tile.metric, value, tile.unit, display);

  return (
    <Card>
      <section aria-label={tile.title} className="flex flex-col gap-4 p-5">
        <header className="flex flex-wrap items-baseline justify-between gap-x-4 gap-y-1">
          <h2 className="text-base font-semibold text-slate-900">
            <Link
              href={`/trends/${tile.category}`}
              className="rounded hover:text-indigo-700 hover:underline focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-600"
            >
              {tile.title}
              <span className="sr-only"> details</span>
              <span aria-hidden="true" className="ml-1 text-slate-400">
                ›
              </span>
            </Link>
          </h2>
          {sources.primary && (
            <p className="text-xs text-slate-500" title={`Source priority: ${tile.priority.join(" › ")}`}>
              <span className="font-medium text-slate-700">{sources.primary}</span>
              {sources.also && <span> · {sources.also}</span>}
            </p>
          )}
          {sources.also && (
            <p className="basis-full text-xs text-slate-400">Shown by source priority: {tile.priority.join(" › ")}</p>
          )}
        </header>

        <div className="flex flex-wrap items-end justify-between gap-4">
          <div>
            <p className="text-5xl font-semibold tracking-tight text-slate-900 tabular-nums">
              <span>{latest?.number ?? NO_VALUE}</span>
              {latest?.unit && <span className="ml-1 text-lg font-medium text-slate-500">{latest.unit}</span>}
            </p>
            <p className="mt-1 text-sm text-slate-500">
              {tile.latest ? (
                <time dateTime={tile.latest.day}>{formatLocalDayLabel(tile.latest.day, display.locale)}</time>
              ) : (
                "No value yet"
              )}
            </p>
          </div>
          <p className="text-right text-sm text-slate-600">
            7-day avg <span className="font-semibold text-slate-900 tabular-nums">{shown(tile.avg7)}</span> vs 30-day
            baseline <span className="font-semibold text-slate-900 tabular-nums">{shown(tile.baseline30)}</span>
            {comparison && (
              <>
                {" "}
                <span className={cn("font-semibold tabular-nums", directionClass(tile.better, comparison.direction))}>
                  ({comparison.text})
                </span>
              </>
            )}
          </p>
        </div>

        {missingSomething && tile.insufficient && (
          <p className="text-xs text-slate-500">
            <span aria-hidden="true">{NO_VALUE} </span>
            {tile.insufficient}
          </p>
        )}

        {tile.series.length > 0 ? (
          <LazyTrendChart
            id={tile.id}
            label={tile.title}
            metric={tile.metric}
            unit={tile.unit}
            series={tile.series}
            baseline={tile.baseline30}
            color={color}
            display={display}
          />
        ) : (
          <div className="flex h-40 items-center justify-center rounded-lg border border-dashed border-slate-200 text-sm text-slate-500">
            No data in the last 30 days
          </div>
        )}
      </section>
    </Card>
  );
}

export function TileSkeleton() {
  return (
    <Card className="flex flex-col gap-4 p-5">
      <div className="flex justify-between">
        <Skeleton className="h-4 w-20" />
        <Skeleton className="h-3 w-24" />
      </div>
      <Skeleton className="h-12 w-20" />
      <Skeleton className="h-3 w-48" />
      <Skeleton className="h-40 w-full" />
    </Card>
  );
}
