import { describe, expect, it } from "vitest";
import { oura, mainSleepPeriod, overnightHrvTrend } from "./oura";
import type { MappingContext, MetricSample } from "./types";

const collection = (id: string) => oura.collections.find((c) => c.id === id)!;
const byMetric = (samples: MetricSample[]) => Object.fromEntries(samples.map((s) => [s.metric, s.value]));

function mapAll(id: string, items: unknown[], ctx: MappingContext = {}): MetricSample[] {
  const c = collection(id);
  return c.aggregate ? c.aggregate(items, ctx) : items.flatMap((item) => c.map(item, ctx));
}

describe("Oura provider module", () => {
  it("declares the OAuth facts of the Oura API", () => {
    expect(oura.kind).toBe("oauth2");
    expect(oura.endpoints.authorization).toBe("https://cloud.ouraring.com/oauth/authorize");
    expect(oura.endpoints.token).toBe("https://api.ouraring.com/oauth/token");
    expect(oura.clientAuthentication).toBe("client_secret_post");
    expect(oura.scopeSeparator).toBe(" ");
    expect(oura.refreshTokens).toBe("single-use");
    expect(oura.checks).toEqual(["state", "pkce"]);
    expect(oura.scopes).toEqual(
      expect.arrayContaining(["daily", "heartrate", "workout", "session", "spo2Daily", "personal", "email"]),
    );
    expect(oura.collections.map((c) => c.id)).toEqual([
      "daily_sleep",
      "sleep",
      "daily_readiness",
      "daily_activity",
      "daily_spo2",
      "daily_stress",
      "daily_resilience",
      "heartrate",
    ]);
  });

  it("maps daily_sleep to the sleep score", () => {
    expect(
      mapAll("daily_sleep", [{ id: "a", day: "2026-11-20", score: 84, timestamp: "2026-11-20T00:00:00+01:00" }]),
    ).toEqual([{ metric: "sleep_score", day: "2026-11-20", value: 84 }]);
  });

  it("maps the night's main sleep period to every sleep and heart metric of the help page", () => {
    const night = {
      id: "s1",
      day: "2026-11-20",
      type: "long_sleep",
      bedtime_start: "2026-11-19T23:01:00+01:00",
      bedtime_end: "2026-11-20T07:05:00+01:00",
      total_sleep_duration: 26_400,
      time_in_bed: 29_040,
      efficiency: 91,
      deep_sleep_duration: 5_400,
      rem_sleep_duration: 6_300,
      light_sleep_duration: 14_700,
      awake_time: 2_640,
      latency: 540,
      restless_periods: 212,
      average_breath: 14.6,
      lowest_heart_rate: 49,
      average_hrv: 61,
      hrv: { interval: 300, items: [50, 52, null, 55, 60, 62, 64, 66, 70], timestamp: "2026-11-19T23:01:00+01:00" },
    };
    const nap = { ...night, id: "s2", type: "late_nap", total_sleep_duration: 1_800, efficiency: 70 };
    const samples = byMetric(mapAll("sleep", [nap, night]));
    expect(samples).toEqual({
      sleep_duration: 26_400,
      time_in_bed: 29_040,
      sleep_efficiency: 91,
      deep_sleep: 5_400,
      rem_sleep: 6_300,
      light_sleep: 14_700,
      awake_time: 2_640,
      sleep_latency: 540,
      restless_periods: 212,
      respiratory_rate: 14.6,
      resting_heart_rate: 49,
      hrv_rmssd: 61,
      hrv_overnight_trend: 17,
    });
  });

  it("maps readiness with its contributors and temperature deviation", () => {
    const samples = byMetric(
      mapAll("daily_readiness", [
        {
          id: "r",
          day: "2026-11-20",
          score: 78,
          timestamp: "2026-11-20T00:00:00+01:00",
          temperature_deviation: -0.21,
          temperature_trend_deviation: 0.1,
          contributors: { hrv_balance: 71, resting_heart_rate: 90, recovery_index: 64, activity_balance: 80 },
        },
      ]),
    );
    expect(samples).toEqual({
      readiness_score: 78,
      hrv_balance_score: 71,
      resting_heart_rate_score: 90,
      recovery_index_score: 64,
      temperature_deviation: -0.21,
    });
  });

  it("maps activity (active minutes are the sum of activity times, in seconds; walking distance in km)", () => {
    const samples = byMetric(
      mapAll("daily_activity", [
        {
          id: "a",
          day: "2026-11-20",
          score: 88,
          steps: 9_812,
          equivalent_walking_distance: 7_421,
          active_calories: 512,
          total_calories: 2_490,
          high_activity_time: 600,
          medium_activity_time: 1_800,
          low_activity_time: 9_000,
        },
      ]),
    );
    expect(samples).toEqual({
      steps: 9_812,
      distance: 7.421,
      active_calories: 512,
      total_calories: 2_490,
      active_time: 11_400,
      activity_score: 88,
    });
  });

  it("maps SpO2 and the breathing disturbance index", () => {
    expect(
      byMetric(
        mapAll("daily_spo2", [
          { id: "o", day: "2026-11-20", spo2_percentage: { average: 96.4 }, breathing_disturbance_index: 3 },
        ]),
      ),
    ).toEqual({
      spo2: 96.4,
      breathing_disturbance_index: 3,
    });
  });

  it("maps daily stress: high stress and recovery seconds, the day summary as a level", () => {
    const day = (summary: string | null) =>
      byMetric(
        mapAll("daily_stress", [
          { id: "s", day: "2026-11-20", stress_high: 5_400, recovery_high: 3_600, day_summary: summary },
        ]),
      );
    expect(day("restored")).toEqual({ stress_high: 5_400, recovery_high: 3_600, stress_day_summary: 1 });
    expect(day("stressful").stress_day_summary).toBe(3);
    // An unknown or missing summary is no sample, never a made-up level.
    expect(day("tense")).not.toHaveProperty("stress_day_summary");
    expect(day(null)).not.toHaveProperty("stress_day_summary");
  });

  it("maps daily resilience: the level as 1–5 and its contributors", () => {
    expect(
      byMetric(
        mapAll("daily_resilience", [
          {
            id: "r",
            day: "2026-11-20",
            level: "strong",
            contributors: { sleep_recovery: 71.5, daytime_recovery: 40.2, stress: 55 },
          },
        ]),
      ),
    ).toEqual({
      resilience_level: 4,
      resilience_sleep_recovery: 71.5,
      resilience_daytime_recovery: 40.2,
      resilience_stress: 55,
    });
    expect(mapAll("daily_resilience", [{ id: "r", day: "2026-11-20", level: null, contributors: null }])).toEqual([]);
  });

  it("asks for the stress scope and reads resilience only with it", () => {
    expect(oura.scopes).toContain("stress");
    expect(oura.collectionScopes?.daily_resilience).toEqual(["stress"]);
  });

  it("never turns missing or null fields into zeros", () => {
    expect(mapAll("daily_sleep", [{ id: "a", day: "2026-11-20", score: null }])).toEqual([]);
    expect(mapAll("daily_spo2", [{ id: "o", day: "2026-11-20", spo2_percentage: null }])).toEqual([]);
    expect(mapAll("daily_readiness", [{ id: "r", day: "2026-11-20", score: 70, contributors: {} }])).toEqual([
      { metric: "readiness_score", day: "2026-11-20", value: 70 },
    ]);
    expect(mapAll("daily_activity", [{ id: "a", day: "2026-11-20" }])).toEqual([]);
    expect(mapAll("daily_sleep", [{ id: "a", score: 80 }])).toEqual([]);
  });

  it("groups 5-minute heart-rate samples into the user's local days", () => {
    const ctx: MappingContext = {};
    mapAll("daily_sleep", [{ id: "a", day: "2026-11-20", score: 80, timestamp: "2026-11-20T00:00:00-05:00" }], ctx);
    const samples = mapAll(
      "heartrate",
      [
        { bpm: 60, source: "awake", timestamp: "2026-11-21T03:00:00+00:00" }, // 22:00 on the 20th in UTC-5
        { bpm: 80, source: "awake", timestamp: "2026-11-21T04:00:00+00:00" }, // 23:00 on the 20th
        { bpm: 100, source: "workout", timestamp: "2026-11-21T06:00:00+00:00" }, // 01:00 on the 21st
      ],
      ctx,
    );
    expect(samples).toEqual([
      { metric: "heart_rate_avg", day: "2026-11-20", value: 70 },
      { metric: "heart_rate_max", day: "2026-11-20", value: 80 },
      { metric: "heart_rate_avg", day: "2026-11-21", value: 100 },
      { metric: "heart_rate_max", day: "2026-11-21", value: 100 },
    ]);
  });

  it("picks the longest long_sleep as the night's main period, ignoring deleted ones", () => {
    const periods = [
      { type: "late_nap", total_sleep_duration: 9000 },
      { type: "long_sleep", total_sleep_duration: 20000 },
      { type: "deleted", total_sleep_duration: 40000 },
      { type: "long_sleep", total_sleep_duration: 25000 },
    ];
    expect(mainSleepPeriod(periods)?.total_sleep_duration).toBe(25000);
    expect(mainSleepPeriod([{ type: "sleep", total_sleep_duration: 5000 }])?.total_sleep_duration).toBe(5000);
    expect(mainSleepPeriod([])).toBeUndefined();
  });

  it("needs enough HRV samples for an overnight trend", () => {
    expect(overnightHrvTrend([40, 41, 42, 43, 44])).toBeUndefined();
    expect(overnightHrvTrend([40, 40, 50, 50, 60, 60])).toBe(20);
  });

  it("pages with next_token and widens the date range by a day on each side", async () => {
    const calls: Array<{ path: string; query: Record<string, unknown> }> = [];
    const api = {
      baseUrl: "http://x",
      async get(path: string, query: Record<string, unknown> = {}) {
        calls.push({ path, query });
        return query.next_token
          ? { data: [{ id: "2" }], next_token: null }
          : { data: [{ id: "1" }], next_token: "abc" };
      },
      post: async () => ({}),
    };
    const range = { startDay: "2026-10-22", endDay: "2026-11-20", start: new Date(), end: new Date() };
    const c = collection("daily_sleep");
    const first = await c.fetchPage(api, range, undefined);
    expect(first.nextCursor).toBe("abc");
    const second = await c.fetchPage(api, range, "abc");
    expect(second.nextCursor).toBeNull();
    expect(calls[0]).toEqual({
      path: "/v2/usercollection/daily_sleep",
      query: { start_date: "2026-10-21", end_date: "2026-11-21", next_token: undefined },
    });
    expect(calls[1]!.query.next_token).toBe("abc");
    await expect(c.fetchPage({ ...api, get: async () => ({ items: [] }) }, range, undefined)).rejects.toThrow(
      /no "data" array/,
    );
  });
});
