"use client";

import Link from "next/link";
import { useState } from "react";
import { describeSources, formatLocalDayLabel, NO_VALUE } from "@/components/dashboard/format";
import { TILE_COLORS } from "@/components/dashboard/tile-card";
import { Card } from "@/components/ui/card";
import { cn } from "@/components/ui/cn";
import { RANGES } from "@/lib/metrics/categories";
import type { MetricTrend, TrendDetail } from "@/lib/metrics/trends";
import { formatMetric, formatMetricParts, type DisplayContext } from "@/lib/metrics/units";
import { LazyHeadlineChart, LazySparkline, LazyStagesChart } from "./lazy-charts";

function SourceLine({ trend }: { trend: Pick<MetricTrend, "source" | "sources" | "priority"> }) {
  const sources = describeSources(trend.source, trend.sources);
  if (!sources.primary) return null;
  return (
    <p className="text-xs text-slate-500" title={`Source priority: ${trend.priority.join(" › ")}`}>
      <span className="font-medium text-slate-700">{sources.primary}</span>
      {sources.also && <span> · {sources.also}</span>}
    </p>
  );
}

export function RangePicker({ category, range }: { category: string; range: number }) {
  return (
    <nav aria-label="Range" className="inline-flex rounded-lg border border-slate-200 bg-white p-0.5 shadow-sm">
      {RANGES.map((r) => (
        <Link
          key={r}
          href={`/trends/${category}?range=${r}`}
          aria-current={r === range ? "page" : undefined}
          className={cn(
            "rounded-md px-3 py-1.5 text-sm font-medium focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-600",
            r === range ? "bg-indigo-600 text-white" : "text-slate-600 hover:bg-slate-50 hover:text-slate-900",
          )}
        >
          {r} days
        </Link>
      ))}
    </nav>
  );
}

function listDays(from: string, to: string): string[] {
  const days: string[] = [];
  // Calendar days in UTC arithmetic: no daylight-saving day is skipped or doubled.
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= Date.parse(`${to}T00:00:00Z`); t += 86_400_000)
    days.push(new Date(t).toISOString().slice(0, 10));
  return days;
}

export function TrendDetailView({ detail, display }: { detail: TrendDetail; display: DisplayContext }) {
  const [overlay, setOverlay] = useState(false);
  const days = listDays(detail.from, detail.to);
  const { headline } = detail;
  const color = TILE_COLORS[detail.category] ?? "#6366f1";
  const latest = headline.latest
    ? formatMetricParts(headline.metric, headline.latest.value, headline.unit, display)
    : null;
  const canOverlay = headline.bySource.length >= 2;

  return (
    <div className="flex flex-col gap-6">
      <Card>
        <section aria-label={headline.label} className="flex flex-col gap-4 p-5">
          <header className="flex flex-wrap items-start justify-between gap-4">
            <div>
              <h2 className="text-base font-semibold text-slate-900">{headline.label}</h2>
              <SourceLine trend={headline} />
            </div>
            {canOverlay && (
              <button
                type="button"
                aria-pressed={overlay}
                onClick={() => setOverlay((on) => !on)}
                className={cn(
                  "rounded-md border px-3 py-1.5 text-sm font-medium focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-600",
                  overlay
                    ? "border-indigo-600 bg-indigo-50 text-indigo-700"
                    : "border-slate-300 bg-white text-slate-700 hover:bg-slate-50",
                )}
              >
                Compare sources
              </button>
            )}
          </header>
          <div className="flex flex-wrap items-end gap-x-8 gap-y-2">
            <div>
              <p className="text-4xl font-semibold tracking-tight text-slate-900 tabular-nums">
                <span>{latest?.number ?? NO_VALUE}</span>
                {latest?.unit && <span className="ml-1 text-lg font-medium text-slate-500">{latest.unit}</span>}
              </p>
              <p className="mt-1 text-sm text-slate-500">
                {headline.latest ? formatLocalDayLabel(headline.latest.day, display.locale) : "No value in this range"}
              </p>
            </div>
            <p className="text-sm text-slate-600">
              {detail.range}-day average{" "}
              <span className="font-semibold text-slate-900 tabular-nums">
                {headline.average == null
                  ? NO_VALUE
                  : formatMetric(headline.metric, headline.average, headline.unit, display)}
              </span>
            </p>
          </div>
          {overlay && (
            <ul aria-label="Sources compared" className="flex flex-wrap gap-x-4 gap-y-1 text-xs text-slate-600">
              {headline.bySource.map((s) => (
                <li key={s.provider}>
                  {s.name}: latest{" "}
                  <span className="font-semibold text-slate-900">
                    {s.series.length
                      ? formatMetric(headline.metric, s.series.at(-1)!.value, headline.unit, display)
                      : NO_VALUE}
                  </span>
                </li>
              ))}
            </ul>
          )}
          {headline.series.length > 0 ? (
            <LazyHeadlineChart
              label={headline.label}
              metric={headline.metric}
              unit={headline.unit}
              days={days}
              series={headline.series}
              baseline={headline.baseline}
              bySource={headline.bySource}
              overlay={overlay}
              color={color}
              display={display}
            />
          ) : (
            <div className="flex h-40 items-center justify-center rounded-lg border border-dashed border-slate-200 text-sm text-slate-500">
              No {headline.label.toLowerCase()} data in the last {detail.range} days
            </div>
          )}
          <p className="text-xs text-slate-500">
            The shaded band is your 30-day baseline: the mean of the 30 days up to each day, ± one standard deviation
            (from 14 values on).
          </p>
        </section>
      </Card>

      {detail.stages && detail.stages.nights.length > 0 && (
        <Card>
          <section aria-label="Sleep stages" className="flex flex-col gap-3 p-5">
            <header>
              <h2 className="text-base font-semibold text-slate-900">Sleep stages</h2>
              <p className="text-xs text-slate-500">
                Deep, REM, light and awake time per night, from {detail.stages.source.name}
              </p>
            </header>
            <LazyStagesChart nights={detail.stages.nights} days={days} display={display} />
          </section>
        </Card>
      )}

      <section aria-label="Contributors" className="flex flex-col gap-3">
        <h2 className="text-lg font-semibold text-slate-900">Contributors</h2>
        {detail.contributors.length === 0 ? (
          <p className="text-sm text-slate-500">No contributor data in the last {detail.range} days.</p>
        ) : (
          <ul className="grid gap-4 sm:grid-cols-2 lg:grid-cols-3">
            {detail.contributors.map((c) => (
              <li key={c.metric}>
                <Card className="h-full">
                  <section aria-label={c.label} className="flex flex-col gap-2 p-4">
                    <h3 className="text-sm font-semibold text-slate-900">{c.label}</h3>
                    <p className="text-2xl font-semibold text-slate-900 tabular-nums">
                      {c.latest ? formatMetric(c.metric, c.latest.value, c.unit, display) : NO_VALUE}
                    </p>
                    <p className="text-xs text-slate-500">
                      {c.latest && formatLocalDayLabel(c.latest.day, display.locale)} · average{" "}
                      {c.average == null ? NO_VALUE : formatMetric(c.metric, c.average, c.unit, display)}
                    </p>
                    <SourceLine trend={c} />
                    <LazySparkline
                      metric={c.metric}
                      unit={c.unit}
                      label={c.label}
                      series={c.series}
                      days={days}
                      color={color}
                      display={display}
                    />
                  </section>
                </Card>
              </li>
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}
