"use client";

import { Area, AreaChart, CartesianGrid, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import type { DayValue } from "@/components/api-types";
import { formatLongDay, formatShortDay, formatValue } from "./format";

export const TREND_CHART_HEIGHT = 160;

export interface TrendChartProps {
  /** Used for the gradient id; unique per page. */
  id: string;
  label: string;
  series: DayValue[];
  baseline: number | null;
  color: string;
}

/** Scores live in 0–100: pad the visible range a little without leaving it. */
function lowerBound(min: number): number {
  return Math.max(0, Math.floor((min - 5) / 5) * 5);
}
function upperBound(max: number): number {
  return Math.min(100, Math.ceil((max + 5) / 5) * 5);
}

export function TrendChart({ id, label, series, baseline, color }: TrendChartProps) {
  const gradientId = `trend-fill-${id}`;
  return (
    // A fixed height so the chart also measures and renders in headless browsers.
    <div style={{ height: TREND_CHART_HEIGHT }} role="img" aria-label={`${label}: last ${series.length} days`}>
      <ResponsiveContainer
        width="100%"
        height={TREND_CHART_HEIGHT}
        initialDimension={{ width: 320, height: TREND_CHART_HEIGHT }}
      >
        <AreaChart data={series} margin={{ top: 8, right: 8, bottom: 0, left: -8 }}>
          <defs>
            <linearGradient id={gradientId} x1="0" y1="0" x2="0" y2="1">
              <stop offset="0%" stopColor={color} stopOpacity={0.28} />
              <stop offset="100%" stopColor={color} stopOpacity={0.02} />
            </linearGradient>
          </defs>
          <CartesianGrid vertical={false} stroke="#e2e8f0" strokeDasharray="3 3" />
          <XAxis
            dataKey="day"
            tickFormatter={(day: string) => formatShortDay(day)}
            tick={{ fontSize: 11, fill: "#64748b" }}
            tickLine={false}
            axisLine={false}
            minTickGap={24}
          />
          <YAxis
            dataKey="value"
            domain={[lowerBound, upperBound]}
            allowDecimals={false}
            tick={{ fontSize: 11, fill: "#64748b" }}
            tickLine={false}
            axisLine={false}
            width={40}
          />
          {baseline != null && (
            <ReferenceLine y={baseline} stroke="#94a3b8" strokeDasharray="4 4" ifOverflow="extendDomain" />
          )}
          <Tooltip
            labelFormatter={(day) => formatLongDay(String(day))}
            formatter={(value) => [formatValue(Number(value)), label]}
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
