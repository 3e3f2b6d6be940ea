"use client";

import { Area, AreaChart, CartesianGrid, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import type { DayValue } from "@/components/api-types";
import { chartValue, formatMetric, toDisplayUnit, type DisplayContext } from "@/lib/metrics/units";
import { formatAxisDay, formatFullDay } from "./format";

export const TREND_CHART_HEIGHT = 160;

export interface TrendChartProps {
  /** Used for the gradient id; unique per page. */
  id: string;
  label: string;
  metric: string;
  unit: string;
  series: DayValue[];
  baseline: number | null;
  color: string;
  display: DisplayContext;
}

/** Scores live in 0–100: pad the visible range a little without leaving it. */
function scoreDomain(): [(min: number) => number, (max: number) => number] {
  return [(min) => Math.max(0, Math.floor((min - 5) / 5) * 5), (max) => Math.min(100, Math.ceil((max + 5) / 5) * 5)];
}

/** This module pulls in recharts: load it through `LazyTrendChart`, never statically from a page. */
export function TrendChart({ id, label, metric, unit, series, baseline, color, display }: TrendChartProps) {
  const gradientId = `trend-fill-${id}`;
  const data = series.map((p) => ({ day: p.day, value: chartValue(metric, p.value, unit, display.system) }));
  const shownBaseline = baseline == null ? null : chartValue(metric, baseline, unit, display.system);
  const isScore = unit === "score" || unit === "%";
  // The raw value back from the plotted one, for the tooltip's text.
  const tooltipText = (plotted: number, day: string) => {
    const original = series.find((p) => p.day === day)?.value;
    return original == null ? String(plotted) : formatMetric(metric, original, unit, display);
  };
  const decimals = toDisplayUnit(metric, 0, unit, display.system).unit === "kg" || unit === "s" ? 1 : 0;
  return (
    // A fixed height so the chart also measures and renders in headless browsers.
    <div style={{ height: TREND_CHART_HEIGHT }} role="img" aria-label={`${label}: last ${series.length} days`}>
      <ResponsiveContainer
        width="100%"
        height={TREND_CHART_HEIGHT}
        initialDimension={{ width: 320, height: TREND_CHART_HEIGHT }}
      >
        <AreaChart data={data} margin={{ top: 8, right: 8, bottom: 0, left: -8 }}>
          <defs>
            <linearGradient id={gradientId} x1="0" y1="0" x2="0" y2="1">
              <stop offset="0%" stopColor={color} stopOpacity={0.28} />
              <stop offset="100%" stopColor={color} stopOpacity={0.02} />
            </linearGradient>
          </defs>
          <CartesianGrid vertical={false} stroke="#e2e8f0" strokeDasharray="3 3" />
          <XAxis
            dataKey="day"
            tickFormatter={(day: string) => formatAxisDay(day, display.locale)}
            tick={{ fontSize: 11, fill: "#64748b" }}
            tickLine={false}
            axisLine={false}
            minTickGap={24}
          />
          <YAxis
            dataKey="value"
            domain={isScore ? scoreDomain() : ["auto", "auto"]}
            allowDecimals={decimals > 0}
            tickFormatter={(v: number) =>
              new Intl.NumberFormat(display.locale, { maximumFractionDigits: decimals, notation: "compact" }).format(v)
            }
            tick={{ fontSize: 11, fill: "#64748b" }}
            tickLine={false}
            axisLine={false}
            width={44}
          />
          {shownBaseline != null && (
            <ReferenceLine y={shownBaseline} stroke="#94a3b8" strokeDasharray="4 4" ifOverflow="extendDomain" />
          )}
          <Tooltip
            labelFormatter={(day) => (typeof day === "string" ? formatFullDay(day, display.locale) : "")}
            formatter={(value, _name, item) => [
              tooltipText(Number(value), String((item.payload as { day: string }).day)),
              label,
            ]}
            contentStyle={{ borderRadius: 8, borderColor: "#e2e8f0", fontSize: 12 }}
          />
          <Area
            type="monotone"
            dataKey="value"
            name={label}
            stroke={color}
            strokeWidth={2}
            fill={`url(#${gradientId})`}
            dot={series.length <= 7}
            activeDot={{ r: 4 }}
            isAnimationActive={false}
          />
        </AreaChart>
      </ResponsiveContainer>
    </div>
  );
}
