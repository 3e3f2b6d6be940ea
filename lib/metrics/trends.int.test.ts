import { format, subDays } from "date-fns";
import { describe, expect, it } from "vitest";
import { serveAppForTests } from "@/lib/testing/serve-app";
import { upsertDailyMetrics } from "@/lib/sync/engine";
import { createSignedInUser } from "@/lib/testing/users";
import { CATEGORY_IDS, RANGES } from "./categories";
import { setSourcePriority } from "./source-priority";
import { baselineBand, getTrendDetail } from "./trends";
import type { MetricName } from "./vocabulary";

const today = new Date("2026-11-21T12:00:00Z");
const day = (n: number) => format(subDays(today, n), "yyyy-MM-dd");
const samples = (metric: MetricName, count: number, value: (i: number) => number) =>
  Array.from({ length: count }, (_, i) => ({ metric, day: day(i), value: value(i) }));

const app = serveAppForTests();

describe("trend detail views", () => {
  it("shows the headline over each range with a 30-day baseline band, and one series per source", async () => {
    const user = await createSignedInUser();
    await upsertDailyMetrics(user.id, "oura", [
      ...samples("sleep_score", 400, (i) => 70 + (i % 10)),
      ...samples("deep_sleep", 40, () => 5400),
      ...samples("rem_sleep", 40, () => 6000),
      ...samples("light_sleep", 40, () => 14000),
      ...samples("awake_time", 40, () => 1800),
      ...samples("hrv_rmssd", 40, (i) => 40 + i),
    ]);
    await upsertDailyMetrics(
      user.id,
      "whoop",
      samples("sleep_score", 20, () => 55),
    );

    for (const range of RANGES) {
      const detail = await getTrendDetail(user.id, "sleep", range, today);
      expect(detail).toMatchObject({ category: "sleep", title: "Sleep", range, from: day(range - 1), to: day(0) });
      expect(detail.headline.source?.name).toBe("Oura");
      expect(detail.headline.series).toHaveLength(range);
      // The band needs the 30 days before the range too, so every day of the range has one.
      expect(detail.headline.baseline).toHaveLength(range);
      expect(detail.headline.bySource.map((s) => s.name)).toEqual(["Oura", "Whoop"]);
      expect(detail.headline.bySource[1]!.series).toHaveLength(Math.min(range, 20));
      expect(detail.stages?.source.name).toBe("Oura");
      expect(detail.stages?.nights).toHaveLength(Math.min(range, 40));
      expect(detail.stages?.nights.at(-1)).toEqual({ day: day(0), deep: 5400, rem: 6000, light: 14000, awake: 1800 });
      expect(detail.contributors.map((c) => c.metric)).toEqual(["hrv_rmssd"]);
    }
    const week = await getTrendDetail(user.id, "sleep", 7, today);
    // Values cycle 70..79 over any 30 consecutive days: mean 74.5, SD √8.25.
    expect(week.headline.baseline.at(-1)).toEqual({
      day: day(0),
      mean: 74.5,
      low: Math.round((74.5 - Math.sqrt(8.25)) * 100) / 100,
      high: Math.round((74.5 + Math.sqrt(8.25)) * 100) / 100,
    });

    // The user's order picks the other source for the headline.
    await setSourcePriority(user.id, "sleep_score", ["whoop", "oura", "garmin", "withings"]);
    const reordered = await getTrendDetail(user.id, "sleep", 30, today);
    expect(reordered.headline.source?.name).toBe("Whoop");
    expect(reordered.headline.latest).toEqual({ day: day(0), value: 55 });
  });

  it("lists distance (km) under Activity, from the best source that has it", async () => {
    const user = await createSignedInUser();
    await upsertDailyMetrics(user.id, "oura", [
      ...samples("steps", 10, () => 9000),
      ...samples("distance", 10, () => 6.5),
    ]);
    await upsertDailyMetrics(
      user.id,
      "garmin",
      samples("distance", 10, (i) => 8 + i / 10),
    );
    const detail = await getTrendDetail(user.id, "activity", 7, today);
    const distance = detail.contributors.find((c) => c.metric === "distance");
    expect(distance).toMatchObject({ label: "Distance", unit: "km", source: { name: "Garmin" } });
    expect(distance?.sources.map((s) => s.name)).toEqual(["Garmin", "Oura"]);
    expect(distance?.latest).toEqual({ day: day(0), value: 8 });
    expect(detail.contributors[0]?.metric).toBe("distance");
  });

  it("answers every category for every range, with only the signed-in user's data", async () => {
    const user = await createSignedInUser();
    const other = await createSignedInUser();
    await upsertDailyMetrics(
      other.id,
      "withings",
      samples("weight", 30, () => 90),
    );
    await upsertDailyMetrics(
      user.id,
      "withings",
      samples("weight", 5, (i) => 70 + i / 10),
    );
    for (const category of CATEGORY_IDS)
      for (const range of RANGES) {
        const detail = await getTrendDetail(user.id, category, range, today);
        expect(detail.category).toBe(category);
        if (category === "body") expect(detail.headline.series.map((p) => p.value)).not.toContain(90);
        else expect(detail.headline.series).toEqual([]);
      }
    const body = await getTrendDetail(user.id, "body", 7, today);
    expect(body.headline.latest).toEqual({ day: day(0), value: 70 });
    expect(body.headline.baseline).toEqual([]); // 5 values are too few for a baseline
  });

  it("baseline band: none below 14 values, then the trailing window's mean ± SD", () => {
    const series = Array.from({ length: 20 }, (_, i) => ({ day: day(19 - i), value: i < 10 ? 10 : 20 }));
    const band = baselineBand(
      series,
      series.map((p) => p.day),
    );
    expect(band[0]!.day).toBe(day(6)); // the 14th value
    expect(band.at(-1)).toEqual({ day: day(0), mean: 15, low: 10, high: 20 });
  });
});

describe("trend and settings routes", () => {
  it("GET /api/v1/trends/{category} answers each range and refuses bad input with a clear 4xx", async () => {
    const user = await createSignedInUser();
    const get = (path: string, cookie = user.cookie) => fetch(`${app.url}${path}`, { headers: { cookie } });
    for (const range of RANGES) {
      const res = await get(`/api/v1/trends/heart?range=${range}`);
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ category: "heart", range });
    }
    expect((await get("/api/v1/trends/heart")).status).toBe(200);
    const bad = await get("/api/v1/trends/heart?range=14");
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ detail: "range must be one of 7, 30, 90, 365" });
    expect((await get("/api/v1/trends/nope?range=7")).status).toBe(404);
    expect((await get("/api/v1/trends/heart?range=7", "")).status).toBe(401);
  });

  it("PUT /api/v1/settings/source-priority and /units validate, refuse other origins, and save", async () => {
    const user = await createSignedInUser();
    const put = (path: string, body: unknown, headers: Record<string, string> = {}) =>
      fetch(`${app.url}${path}`, {
        method: "PUT",
        headers: { cookie: user.cookie, "content-type": "application/json", origin: app.url, ...headers },
        body: JSON.stringify(body),
      });
    const order = ["whoop", "oura", "garmin"];
    const ok = await put("/api/v1/settings/source-priority", { metric: "readiness_score", providers: order });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ metric: "readiness_score", providers: order });

    const wrong = await put("/api/v1/settings/source-priority", { metric: "readiness_score", providers: ["oura"] });
    expect(wrong.status).toBe(400);
    expect((await wrong.json()).detail).toMatch(/exactly once/);
    expect((await put("/api/v1/settings/source-priority", { metric: "nope", providers: null })).status).toBe(422);
    const crossSite = await put(
      "/api/v1/settings/source-priority",
      { metric: "readiness_score", providers: null },
      { origin: "https://evil.example" },
    );
    expect(crossSite.status).toBe(403);
    const detail = await getTrendDetail(user.id, "readiness", 7, today);
    expect(detail.headline.priority).toEqual(["Whoop", "Oura", "Garmin"]);

    expect((await put("/api/v1/settings/units", { unitSystem: "imperial" })).status).toBe(200);
    expect((await put("/api/v1/settings/units", { unitSystem: "furlongs" })).status).toBe(422);
  });
});
