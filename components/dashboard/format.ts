import { differenceInCalendarDays, format, isValid, parseISO } from "date-fns";

/** Shown in place of a value that cannot be computed yet. */
export const NO_VALUE = "—";

/** A tile number as a whole number, or "—". */
export function formatValue(value: number | null | undefined): string {
  if (value == null || !Number.isFinite(value)) return NO_VALUE;
  return String(Math.round(value));
}

export type TrendDirection = "up" | "down" | "flat";

export interface BaselineComparison {
  /** Difference of the rounded numbers as shown, so "82 vs 79 (+3)" always adds up. */
  delta: number;
  text: string;
  direction: TrendDirection;
}

/** 7-day average against the 30-day baseline; null when either is missing. */
export function compareToBaseline(avg7: number | null, baseline30: number | null): BaselineComparison | null {
  if (avg7 == null || baseline30 == null || !Number.isFinite(avg7) || !Number.isFinite(baseline30)) return null;
  const delta = Math.round(avg7) - Math.round(baseline30);
  if (delta === 0) return { delta, text: "±0", direction: "flat" };
  return delta > 0
    ? { delta, text: `+${delta}`, direction: "up" }
    : { delta, text: `−${Math.abs(delta)}`, direction: "down" };
}

function parseDay(day: string): Date | null {
  const date = parseISO(day);
  return isValid(date) ? date : null;
}

/** "Today", "Yesterday", "Tue 4 Nov", or "4 Nov 2025" for another year. */
export function formatDayLabel(day: string, now: Date = new Date()): string {
  const date = parseDay(day);
  if (!date) return day;
  const ago = differenceInCalendarDays(now, date);
  if (ago === 0) return "Today";
  if (ago === 1) return "Yesterday";
  return date.getFullYear() === now.getFullYear() ? format(date, "EEE d MMM") : format(date, "d MMM yyyy");
}

/** "4 Nov", for chart axes. */
export function formatShortDay(day: string): string {
  const date = parseDay(day);
  return date ? format(date, "d MMM") : day;
}

/** "Tuesday 4 November 2025", for chart tooltips. */
export function formatLongDay(day: string): string {
  const date = parseDay(day);
  return date ? format(date, "EEEE d MMMM yyyy") : day;
}

/** "from Oura" and "also from: Whoop, Garmin" for a tile's sources. */
export function describeSources(
  source: { provider: string; name: string } | null,
  sources: readonly { provider: string; name: string }[],
): { primary: string | null; also: string | null } {
  if (!source) return { primary: null, also: null };
  const others = sources.filter((s) => s.provider !== source.provider).map((s) => s.name);
  return { primary: `from ${source.name}`, also: others.length ? `also from: ${others.join(", ")}` : null };
}

/* ---- Locale-aware labels: the same text on the server and in the browser ---- */

function utcDay(day: string): Date | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  return m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : null;
}

// A calendar day has no time zone: format it as the UTC day it was built from, wherever this runs.
function formatUtcDay(day: string, locale: string, options: Intl.DateTimeFormatOptions): string {
  const date = utcDay(day);
  return date ? new Intl.DateTimeFormat(locale, { ...options, timeZone: "UTC" }).format(date) : day;
}

/** "Today", "Yesterday", or the weekday and date in the user's locale ("Tue, Nov 3" / "Di., 3. Nov."). */
export function formatLocalDayLabel(day: string, locale: string, now: Date = new Date()): string {
  const date = parseDay(day);
  if (!date) return day;
  const ago = differenceInCalendarDays(now, date);
  if (ago === 0) return "Today";
  if (ago === 1) return "Yesterday";
  return date.getFullYear() === now.getFullYear()
    ? formatUtcDay(day, locale, { weekday: "short", day: "numeric", month: "short" })
    : formatUtcDay(day, locale, { day: "numeric", month: "short", year: "numeric" });
}

/** Axis label: "3 Nov" / "Nov 3", or the weekday ("Tue") on a week-long chart. */
export function formatAxisDay(day: string, locale: string, weekday = false): string {
  return formatUtcDay(day, locale, weekday ? { weekday: "short" } : { day: "numeric", month: "short" });
}

/** Tooltip label: "Tuesday, 3 November 2026" in the user's locale. */
export function formatFullDay(day: string, locale: string): string {
  return formatUtcDay(day, locale, { weekday: "long", day: "numeric", month: "long", year: "numeric" });
}
