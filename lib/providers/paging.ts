import { addDays, format, parseISO } from "date-fns";
import { ProviderPayloadError } from "./errors";
import type { MetricSample } from "./types";
import type { MetricName } from "@/lib/metrics/vocabulary";

/** Shifts a YYYY-MM-DD day by whole days (calendar arithmetic, no time zone involved). */
export function shiftDay(day: string, days: number): string {
  return format(addDays(parseISO(day), days), "yyyy-MM-dd");
}

/** Reads `{ <itemsKey>: [...], <cursorKey>: string|null }` pages, failing loudly on any other shape. */
export function readEnvelope<T>(
  provider: string,
  body: unknown,
  itemsKey: string,
  cursorKey: string,
): { items: T[]; nextCursor: string | null } {
  if (typeof body !== "object" || body === null) throw new ProviderPayloadError(`${provider} page is not an object`);
  const record = body as Record<string, unknown>;
  const items = record[itemsKey];
  if (!Array.isArray(items)) throw new ProviderPayloadError(`${provider} page has no "${itemsKey}" array`);
  const cursor = record[cursorKey];
  return { items: items as T[], nextCursor: typeof cursor === "string" && cursor.length > 0 ? cursor : null };
}

/** A finite number, or undefined for null/missing/NaN (so missing fields never become zeros). */
export function num(value: unknown): number | undefined {
  return typeof value === "number" && Number.isFinite(value) ? value : undefined;
}

/** Metres (as the providers report distances) to kilometres (the vocabulary's unit), to the metre. */
export function metresToKm(metres: number | undefined): number | undefined {
  return metres === undefined ? undefined : Math.round(metres) / 1000;
}

/** Builds samples from `[metric, value]` pairs, dropping the ones without a value. */
export function samples(day: string, pairs: Array<[MetricName, number | undefined]>): MetricSample[] {
  return pairs
    .filter((p): p is [MetricName, number] => p[1] !== undefined)
    .map(([metric, value]) => ({ metric, day, value }));
}

/** `YYYY-MM-DD` check for provider-reported days. */
export function isDay(value: unknown): value is string {
  return typeof value === "string" && /^\d{4}-\d{2}-\d{2}$/.test(value);
}

/** UTC offset in minutes of an ISO timestamp such as `2026-11-20T04:00:00+01:00` (Z → 0). */
export function utcOffsetMinutes(timestamp: unknown): number | undefined {
  if (typeof timestamp !== "string") return undefined;
  const match = /(Z|([+-])(\d{2}):?(\d{2}))$/.exec(timestamp);
  if (!match) return undefined;
  if (match[1] === "Z") return 0;
  const minutes = Number(match[3]) * 60 + Number(match[4]);
  return match[2] === "-" ? -minutes : minutes;
}

/** The local calendar day of an instant for a fixed UTC offset. */
export function localDay(instant: Date, offsetMinutes: number): string {
  return new Date(instant.getTime() + offsetMinutes * 60_000).toISOString().slice(0, 10);
}
