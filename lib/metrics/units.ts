/**
 * Display units: values are stored in the vocabulary's canonical (metric) units and converted only
 * when shown. Pure functions, shared by server rendering and the browser, so both print the same
 * text (no hydration mismatch).
 */

export type UnitSystem = "metric" | "imperial";

/** Metrics whose °C value is a difference, not a temperature: 1 °C of change is 1.8 °F, with no offset. */
const TEMPERATURE_DIFFERENCES = new Set(["temperature_deviation"]);

const KG_TO_LB = 2.2046226218;
const KM_TO_MI = 0.621371192;

// Countries that weigh in pounds and measure temperature in °F.
const IMPERIAL_REGIONS = new Set(["US", "LR", "MM"]);

/** A safe BCP 47 tag from an Accept-Language header (first supported entry), defaulting to en-GB. */
export function localeFromAcceptLanguage(header: string | null | undefined): string {
  const tags = (header ?? "")
    .split(",")
    .map((part) => part.split(";")[0]!.trim())
    .filter((tag) => tag && tag !== "*");
  for (const tag of tags) {
    try {
      const [supported] = Intl.DateTimeFormat.supportedLocalesOf(tag);
      if (supported) return supported;
    } catch {
      // Not a well-formed tag: try the next one.
    }
  }
  return "en-GB";
}

/** The unit system people in this locale's region use, for users who have not picked one. */
export function unitSystemForLocale(locale: string): UnitSystem {
  try {
    const region = new Intl.Locale(locale).maximize().region;
    return region && IMPERIAL_REGIONS.has(region) ? "imperial" : "metric";
  } catch {
    return "metric";
  }
}

export interface DisplayContext {
  system: UnitSystem;
  locale: string;
}

/** A canonical value in the unit it is shown in (kg → lb, °C → °F, km → mi under imperial). */
export function toDisplayUnit(
  metric: string,
  value: number,
  unit: string,
  system: UnitSystem,
): { value: number; unit: string } {
  if (system === "imperial") {
    if (unit === "kg") return { value: value * KG_TO_LB, unit: "lb" };
    if (unit === "km") return { value: value * KM_TO_MI, unit: "mi" };
    if (unit === "°C")
      return TEMPERATURE_DIFFERENCES.has(metric)
        ? { value: value * 1.8, unit: "°F" }
        : { value: value * 1.8 + 32, unit: "°F" };
  }
  return { value, unit };
}

const DECIMALS: Record<string, number> = { kg: 1, lb: 1, km: 1, mi: 1, "°C": 1, "°F": 1, brpm: 1, index: 1 };

function number(locale: string, value: number, decimals: number): string {
  return new Intl.NumberFormat(locale, { maximumFractionDigits: decimals, minimumFractionDigits: 0 }).format(value);
}

/** "7 h 32 min" / "45 min", from seconds. */
export function formatDuration(seconds: number, locale: string): string {
  const minutes = Math.round(seconds / 60);
  const h = Math.floor(Math.abs(minutes) / 60);
  const m = Math.abs(minutes) % 60;
  const sign = minutes < 0 ? "−" : "";
  if (h === 0) return `${sign}${number(locale, m, 0)} min`;
  return `${sign}${number(locale, h, 0)} h ${number(locale, m, 0)} min`;
}

/** Text after a number; scores and counts have none. */
function suffix(unit: string): string {
  switch (unit) {
    case "score":
    case "count":
    case "index":
      return "";
    case "%":
      return "%";
    case "steps":
      return " steps";
    default:
      return ` ${unit}`;
  }
}

/** A metric's value as shown to the user, in their unit system and locale ("72.4 kg", "159.6 lb", "7 h 5 min"). */
export function formatMetric(metric: string, value: number, unit: string, ctx: DisplayContext): string {
  if (unit === "s") return formatDuration(value, ctx.locale);
  const shown = toDisplayUnit(metric, value, unit, ctx.system);
  const text = number(ctx.locale, shown.value, DECIMALS[shown.unit] ?? 0);
  const signed = TEMPERATURE_DIFFERENCES.has(metric) && shown.value > 0 ? `+${text}` : text;
  return `${signed}${suffix(shown.unit)}`;
}

/** The number alone (for a tile's big figure) and its unit label beside it. */
export function formatMetricParts(
  metric: string,
  value: number,
  unit: string,
  ctx: DisplayContext,
): { number: string; unit: string } {
  if (unit === "s") {
    // Durations read best as hours with one decimal in a headline ("7.5 h").
    return { number: number(ctx.locale, value / 3600, 1), unit: "h" };
  }
  const shown = toDisplayUnit(metric, value, unit, ctx.system);
  const text = number(ctx.locale, shown.value, DECIMALS[shown.unit] ?? 0);
  return {
    number: TEMPERATURE_DIFFERENCES.has(metric) && shown.value > 0 ? `+${text}` : text,
    unit: shown.unit === "score" || shown.unit === "count" || shown.unit === "index" ? "" : shown.unit,
  };
}

/** A value as plotted: durations in hours, everything else in its display unit. */
export function chartValue(metric: string, value: number, unit: string, system: UnitSystem): number {
  if (unit === "s") return value / 3600;
  return toDisplayUnit(metric, value, unit, system).value;
}

export function chartUnit(metric: string, unit: string, system: UnitSystem): string {
  if (unit === "s") return "h";
  return toDisplayUnit(metric, 0, unit, system).unit;
}

export interface DisplayedComparison {
  /** The difference of the two numbers as shown, so "82 vs 79 (+3)" always adds up. */
  delta: number;
  text: string;
  direction: "up" | "down" | "flat";
}

/** A 7-day average against the 30-day baseline, in the unit and precision they are shown in. */
export function compareDisplayed(
  metric: string,
  unit: string,
  avg: number | null,
  baseline: number | null,
  ctx: DisplayContext,
): DisplayedComparison | null {
  if (avg == null || baseline == null || !Number.isFinite(avg) || !Number.isFinite(baseline)) return null;
  // Durations compare in whole minutes; everything else at the precision its number is printed with.
  const [a, b, decimals, label] =
    unit === "s"
      ? [avg / 60, baseline / 60, 0, " min"]
      : (() => {
          const shownA = toDisplayUnit(metric, avg, unit, ctx.system);
          const shownB = toDisplayUnit(metric, baseline, unit, ctx.system);
          return [shownA.value, shownB.value, DECIMALS[shownA.unit] ?? 0, ""] as const;
        })();
  const scale = 10 ** decimals;
  const delta = (Math.round(a * scale) - Math.round(b * scale)) / scale;
  if (delta === 0) return { delta: 0, text: "±0", direction: "flat" };
  const magnitude = number(ctx.locale, Math.abs(delta), decimals);
  return delta > 0
    ? { delta, text: `+${magnitude}${label}`, direction: "up" }
    : { delta, text: `−${magnitude}${label}`, direction: "down" };
}
