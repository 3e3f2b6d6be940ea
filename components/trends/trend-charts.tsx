"use client";

import {
  Area,
  Bar,
  BarChart,
  CartesianGrid,
  ComposedChart,
  Legend,
  Line,
  LineChart,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from "recharts";
import { formatAxisDay, formatFullDay } from "@/components/dashboard/format";
import type { BaselinePoint, DayValue, StageNight } from "@/lib/metrics/trends";
import { chartUnit, chartValue, formatDuration, formatMetric, type DisplayContext } from "@/lib/metrics/units";

/**
 * The detail views' charts. This module pulls in recharts: load it through `next/dynamic`
 * (components/trends/lazy-charts.tsx), never statically from a page.
 */

export const PROVIDER_COLORS: Record<string, string> = {
  oura: "#4f46e5",
  whoop: "#dc2626",
  garmin: "#0891b2",
  withings: "#65a30d",
};
const AXIS_TICK = { fontSize: 11, fill: "#64748b" };

function numberFormatter(locale: string, decimals: number) {
  const f = new Intl.NumberFormat(locale, { maximumFractionDigits: decimals, notation: "compact" });
  return (v: number) => f.format(v);
}

export interface HeadlineChartProps {
  label: string;
  metric: string;
  unit: string;
  days: string[];
  series: DayValue[];
  baseline: BaselinePoint[];
  /** One series per source; shown instead of `series` when `overlay` is on. */
  bySource: { provider: string; name: string; series: DayValue[] }[];
  overlay: boolean;
  color: string;
  display: DisplayContext;
}

export const HEADLINE_HEIGHT = 280;

export function HeadlineChart(props: HeadlineChartProps) {
  const { label, metric, unit, days, series, baseline, bySource, overlay, color, display } = props;
  const plot = (v: number) => chartValue(metric, v, unit, display.system);
  const values = new Map(series.map((p) => [p.day, p.value]));
  const band = new Map(baseline.map((b) => [b.day, b]));
  const perSource = bySource.map((s) => ({ ...s, values: new Map(s.series.map((p) => [p.day, p.value])) }));
  const data = days.map((day) => {
    const row: Record<string, unknown> = { day };
    const v = values.get(day);
    if (v != null) row.value = plot(v);
    const b = band.get(day);
    if (b) {
      row.band = [plot(b.low), plot(b.high)];
      row.mean = plot(b.mean);
    }
    if (overlay) for (const s of perSource) if (s.values.has(day)) row[s.provider] = plot(s.values.get(day)!);
    return row;
  });
  const weekly = days.length <= 7;
  const shownUnit = chartUnit(metric, unit, display.system);
  return (
    <div style={{ height: HEADLINE_HEIGHT }}>
      <ResponsiveContainer
        width="100%"
        height={HEADLINE_HEIGHT}
        initialDimension={{ width: 640, height: HEADLINE_HEIGHT }}
      >
        <ComposedChart data={data} margin={{ top: 8, right: 8, bottom: 0, left: -4 }}>
          <CartesianGrid vertical={false} stroke="#e2e8f0" strokeDasharray="3 3" />
          <XAxis
            dataKey="day"
            tickFormatter={(day: string) => formatAxisDay(day, display.locale, weekly)}
            tick={AXIS_TICK}
            tickLine={false}
            axisLine={false}
            minTickGap={24}
          />
          <YAxis
            domain={["auto", "auto"]}
            tickFormatter={numberFormatter(display.locale, shownUnit === "h" || shownUnit === "lb" ? 1 : 0)}
            tick={AXIS_TICK}
            tickLine={false}
            axisLine={false}
            width={44}
          />
          <Tooltip
            labelFormatter={(day) => (typeof day === "string" ? formatFullDay(day, display.locale) : "")}
            formatter={(value, name) => {
              if (Array.isArray(value)) return [value.map((v) => Number(v).toFixed(1)).join(" – "), name];
              return [
                `${Number(value).toLocaleString(display.locale, { maximumFractionDigits: 1 })} ${shownUnit === "score" ? "" : shownUnit}`.trim(),
                name,
              ];
            }}
            contentStyle={{ borderRadius: 8, borderColor: "#e2e8f0", fontSize: 12 }}
          />
          <Legend wrapperStyle={{ fontSize: 12 }} />
          <Area
            dataKey="band"
            name="30-day baseline (±1 SD)"
            stroke="none"
            fill="#94a3b8"
            fillOpacity={0.22}
            isAnimationActive={false}
            connectNulls
          />
          <Line
            dataKey="mean"
            name="30-day baseline"
            stroke="#94a3b8"
            strokeDasharray="4 4"
            dot={false}
            isAnimationActive={false}
            connectNulls
          />
          {overlay ? (
            perSource.map((s) => (
              <Line
                key={s.provider}
                dataKey={s.provider}
                name={s.name}
                stroke={PROVIDER_COLORS[s.provider] ?? "#334155"}
                strokeWidth={2}
                dot={days.length <= 31}
                isAnimationActive={false}
                connectNulls
              />
            ))
          ) : (
            <Line
              dataKey="value"
              name={label}
              stroke={color}
              strokeWidth={2}
              dot={days.length <= 31}
              isAnimationActive={false}
              connectNulls
            />
          )}
        </ComposedChart>
      </ResponsiveContainer>
    </div>
  );
}

export const STAGES_HEIGHT = 240;

const STAGES = [
  { key: "deep", name: "Deep", color: "#312e81" },
  { key: "rem", name: "REM", color: "#6366f1" },
  { key: "light", name: "Light", color: "#a5b4fc" },
  { key: "awake", name: "Awake", color: "#fbbf24" },
] as const;

export function StagesChart({
  nights,
  days,
  display,
}: {
  nights: StageNight[];
  days: string[];
  display: DisplayContext;
}) {
  const byDay = new Map(nights.map((n) => [n.day, n]));
  // Hours, so the stack reads as the night's length.
  const data = days.map((day) => {
    const n = byDay.get(day);
    return n ? { day, deep: n.deep / 3600, rem: n.rem / 3600, light: n.light / 3600, awake: n.awake / 3600 } : { day };
  });
  return (
    <div style={{ height: STAGES_HEIGHT }}>
      <ResponsiveContainer width="100%" height={STAGES_HEIGHT} initialDimension={{ width: 640, height: STAGES_HEIGHT }}>
        <BarChart data={data} margin={{ top: 8, right: 8, bottom: 0, left: -4 }}>
          <CartesianGrid vertical={false} stroke="#e2e8f0" strokeDasharray="3 3" />
          <XAxis
            dataKey="day"
            tickFormatter={(day: string) => formatAxisDay(day, display.locale, days.length <= 7)}
            tick={AXIS_TICK}
            tickLine={false}
            axisLine={false}
            minTickGap={24}
          />
          <YAxis
            tickFormatter={(v: number) => `${v} h`}
            tick={AXIS_TICK}
            tickLine={false}
            axisLine={false}
            width={44}
          />
          <Tooltip
            labelFormatter={(day) => (typeof day === "string" ? formatFullDay(day, display.locale) : "")}
            formatter={(value, name) => [formatDuration(Number(value) * 3600, display.locale), name]}
            contentStyle={{ borderRadius: 8, borderColor: "#e2e8f0", fontSize: 12 }}
          />
          <Legend wrapperStyle={{ fontSize: 12 }} />
          {STAGES.map((s) => (
            <Bar key={s.key} dataKey={s.key} name={s.name} stackId="night" fill={s.color} isAnimationActive={false} />
          ))}
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}

export const SPARKLINE_HEIGHT = 72;

export function Sparkline({
  metric,
  unit,
  label,
  series,
  days,
  color,
  display,
}: {
  metric: string;
  unit: string;
  label: string;
  series: DayValue[];
  days: string[];
  color: string;
  display: DisplayContext;
}) {
  const values = new Map(series.map((p) => [p.day, p.value]));
  const data = days.map((day) =>
    values.has(day)
      ? { day, value: chartValue(metric, values.get(day)!, unit, display.system), raw: values.get(day)! }
      : { day },
  );
  return (
    <div style={{ height: SPARKLINE_HEIGHT }}>
      <ResponsiveContainer
        width="100%"
        height={SPARKLINE_HEIGHT}
        initialDimension={{ width: 280, height: SPARKLINE_HEIGHT }}
      >
        <LineChart data={data} margin={{ top: 4, right: 4, bottom: 4, left: 4 }}>
          <XAxis dataKey="day" hide />
          <YAxis domain={["auto", "auto"]} hide />
          <Tooltip
            labelFormatter={(day) => (typeof day === "string" ? formatFullDay(day, display.locale) : "")}
            formatter={(_value, _name, item) => [
              formatMetric(metric, Number((item.payload as { raw: number }).raw), unit, display),
              label,
            ]}
            contentStyle={{ borderRadius: 8, borderColor: "#e2e8f0", fontSize: 12 }}
          />
          <Line dataKey="value" stroke={color} strokeWidth={1.5} dot={false} isAnimationActive={false} connectNulls />
        </LineChart>
      </ResponsiveContainer>
    </div>
  );
}
