import { describe, expect, it } from "vitest";
import {
  chartValue,
  compareDisplayed,
  formatMetric,
  formatMetricParts,
  localeFromAcceptLanguage,
  unitSystemForLocale,
} from "./units";

const metric = { system: "metric", locale: "en-GB" } as const;
const imperial = { system: "imperial", locale: "en-US" } as const;

describe("units", () => {
  it("picks a supported locale from Accept-Language and falls back to en-GB", () => {
    expect(localeFromAcceptLanguage("de-DE,de;q=0.9,en;q=0.8")).toBe("de-DE");
    expect(localeFromAcceptLanguage("not a tag!!, fr-FR")).toBe("fr-FR");
    expect(localeFromAcceptLanguage(null)).toBe("en-GB");
    expect(localeFromAcceptLanguage("*")).toBe("en-GB");
  });

  it("uses imperial units where people do", () => {
    expect(unitSystemForLocale("en-US")).toBe("imperial");
    expect(unitSystemForLocale("en")).toBe("imperial"); // en maximises to en-Latn-US
    expect(unitSystemForLocale("en-GB")).toBe("metric");
    expect(unitSystemForLocale("de-DE")).toBe("metric");
  });

  it("converts weight and temperature under imperial, temperature deviation without the offset", () => {
    expect(formatMetric("weight", 72.4, "kg", metric)).toBe("72.4 kg");
    expect(formatMetric("weight", 72.4, "kg", imperial)).toBe("159.6 lb");
    expect(formatMetric("body_temperature", 37, "°C", imperial)).toBe("98.6 °F");
    expect(formatMetric("temperature_deviation", 0.5, "°C", imperial)).toBe("+0.9 °F");
    expect(formatMetric("temperature_deviation", -0.3, "°C", metric)).toBe("-0.3 °C");
    expect(chartValue("weight", 100, "kg", "imperial")).toBeCloseTo(220.46, 2);
  });

  it("shows distance in km, or in miles under imperial", () => {
    expect(formatMetric("distance", 8.137, "km", metric)).toBe("8.1 km");
    expect(formatMetric("distance", 8.137, "km", imperial)).toBe("5.1 mi");
    expect(formatMetric("distance", 8.137, "km", { system: "metric", locale: "de-DE" })).toBe("8,1 km");
    expect(chartValue("distance", 10, "km", "imperial")).toBeCloseTo(6.214, 3);
    expect(compareDisplayed("distance", "km", 8, 6.4, imperial)?.text).toBe("+1");
  });

  it("formats numbers in the user's locale and durations in hours and minutes", () => {
    expect(formatMetric("steps", 10234, "steps", metric)).toBe("10,234 steps");
    expect(formatMetric("steps", 10234, "steps", { system: "metric", locale: "de-DE" })).toBe("10.234 steps");
    expect(formatMetric("weight", 72.4, "kg", { system: "metric", locale: "de-DE" })).toBe("72,4 kg");
    expect(formatMetric("sleep_duration", 7 * 3600 + 32 * 60, "s", metric)).toBe("7 h 32 min");
    expect(formatMetric("sleep_latency", 540, "s", metric)).toBe("9 min");
    expect(formatMetric("sleep_score", 81.6, "score", metric)).toBe("82");
    expect(formatMetricParts("sleep_duration", 27000, "s", metric)).toEqual({ number: "7.5", unit: "h" });
  });

  it("compares averages at the precision they are shown with", () => {
    expect(compareDisplayed("sleep_score", "score", 81.6, 79.4, metric)).toEqual({
      delta: 3,
      text: "+3",
      direction: "up",
    });
    expect(compareDisplayed("weight", "kg", 72.4, 72.9, metric)).toEqual({
      delta: -0.5,
      text: "−0.5",
      direction: "down",
    });
    expect(compareDisplayed("sleep_duration", "s", 7 * 3600, 7 * 3600 + 600, metric)?.text).toBe("−10 min");
    expect(compareDisplayed("weight", "kg", null, 72, metric)).toBeNull();
  });
});
