"use client";

import type { Tile } from "@/components/api-types";
import { Card } from "@/components/ui/card";
import { cn } from "@/components/ui/cn";
import { Skeleton } from "@/components/ui/skeleton";
import {
  compareToBaseline,
  describeSources,
  formatDayLabel,
  formatValue,
  NO_VALUE,
  type TrendDirection,
} from "./format";
import { TrendChart } from "./trend-chart";

const TILE_COLORS: Record<string, string> = { sleep: "#6366f1", readiness: "#0d9488" };

// Scores: higher is better, so a rise reads as good news.
const DIRECTION_CLASSES: Record<TrendDirection, string> = {
  up: "text-emerald-700",
  down: "text-amber-700",
  flat: "text-slate-600",
};

export function TileCard({ tile }: { tile: Tile }) {
  const sources = describeSources(tile.source, tile.sources);
  const comparison = compareToBaseline(tile.avg7, tile.baseline30);
  const missingSomething = tile.latest == null || tile.avg7 == null || tile.baseline30 == null;
  const color = TILE_COLORS[tile.id] ?? "#6366f1";

  return (
    <Card>
      <section aria-label={tile.title} className="flex flex-col gap-4 p-5">
        <header className="flex flex-wrap items-baseline justify-between gap-x-4 gap-y-1">
          <h2 className="text-base font-semibold text-slate-900">{tile.title}</h2>
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

        <div className="flex items-end justify-between gap-4">
          <div>
            <p className="text-5xl font-semibold tracking-tight text-slate-900 tabular-nums">
              {formatValue(tile.latest?.value)}
            </p>
            <p className="mt-1 text-sm text-slate-500">
              {tile.latest ? <time dateTime={tile.latest.day}>{formatDayLabel(tile.latest.day)}</time> : "No score yet"}
            </p>
          </div>
          <p className="text-right text-sm text-slate-600">
            7-day avg <span className="font-semibold text-slate-900 tabular-nums">{formatValue(tile.avg7)}</span> vs
            30-day baseline{" "}
            <span className="font-semibold text-slate-900 tabular-nums">{formatValue(tile.baseline30)}</span>
            {comparison && (
              <>
                {" "}
                <span className={cn("font-semibold tabular-nums", DIRECTION_CLASSES[comparison.direction])}>
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
          <TrendChart id={tile.id} label={tile.title} series={tile.series} baseline={tile.baseline30} color={color} />
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
