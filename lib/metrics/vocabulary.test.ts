import { describe, expect, it } from "vitest";
import { listProviders } from "@/lib/providers";
import { metricTableMarkdown } from "./metric-table";
import { defaultSourcePriority, rankSources } from "./sources";
import { METRICS, type MetricName } from "./vocabulary";

const CANONICAL_UNITS = new Set([
  "s",
  "%",
  "ms",
  "bpm",
  "°C",
  "kg",
  "km",
  "steps",
  "kcal",
  "score",
  "count",
  "brpm",
  "mmHg",
  "index",
]);

describe("metric vocabulary", () => {
  it("uses only canonical units", () => {
    for (const def of Object.values(METRICS)) expect(CANONICAL_UNITS.has(def.unit)).toBe(true);
  });

  it("has an explicit source priority for every provider that supplies a metric, and only for those", () => {
    const providers = listProviders();
    for (const metric of Object.keys(METRICS) as MetricName[]) {
      const suppliers = providers
        .filter((p) => p.metricFields[metric])
        .map((p) => p.id)
        .sort();
      expect([...defaultSourcePriority(metric)].sort(), `sources of ${metric}`).toEqual(suppliers);
    }
    // The priority is declared by each module: a rank for every metric it supplies, and only those.
    for (const p of providers) {
      expect(Object.keys(p.metricPriority).sort(), `${p.id} metricPriority`).toEqual(
        Object.keys(p.metricFields).sort(),
      );
    }
  });

  it("ranks providers by the metric's priority", () => {
    expect(rankSources("sleep_score", ["whoop", "withings", "oura"])).toEqual(["oura", "withings", "whoop"]);
    expect(rankSources("readiness_score", ["garmin", "whoop"])).toEqual(["whoop", "garmin"]);
    expect(rankSources("steps", ["unknown", "oura", "oura"])).toEqual(["oura", "unknown"]);
  });

  it("documents every supplied metric in the README table", () => {
    const table = metricTableMarkdown();
    for (const p of listProviders()) {
      for (const metric of Object.keys(p.metricFields)) expect(table).toContain(`(\`${metric}\`)`);
    }
  });
});

describe("README", () => {
  it("carries the current metric table (regenerate with npm run docs:metrics)", async () => {
    const fs = await import("node:fs");
    const readme = fs.readFileSync(new URL("../../README.md", import.meta.url), "utf8");
    const between = readme.split("<!-- metrics-table:start -->")[1]?.split("<!-- metrics-table:end -->")[0]?.trim();
    expect(between).toBe(metricTableMarkdown());
  });
});
