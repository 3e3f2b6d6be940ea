import { describe, expect, it } from "vitest";
import { CTX_SLEEP_DAYS, cycleDay, mapWhoopItems, sleepDay, whoop, WHOOP_PAGE_LIMIT } from "./whoop";
import type { MappingContext, MetricSample, ProviderApi, QueryParams } from "./types";

const collection = (id: string) => whoop.collections.find((c) => c.id === id)!;
const byMetric = (samples: MetricSample[]) => Object.fromEntries(samples.map((s) => [s.metric, s.value]));
const days = (samples: MetricSample[]) => [...new Set(samples.map((s) => s.day))];

/* Payloads in the shapes of WHOOP-SPEC (provider-apis.md §2.2). */

const night = {
  id: "ecfc6a15-4661-442f-a9a4-f160dd7afae8",
  cycle_id: 93845,
  v1_id: 93845,
  user_id: 10129,
  created_at: "2026-11-20T13:25:44.774Z",
  updated_at: "2026-11-20T14:25:44.774Z",
  // 23:10 → 07:05 in UTC-5: the night of the 20th.
  start: "2026-11-20T04:10:00.000Z",
  end: "2026-11-20T12:05:00.000Z",
  timezone_offset: "-05:00",
  nap: false,
  score_state: "SCORED",
  score: {
    stage_summary: {
      total_in_bed_time_milli: 28_500_000,
      total_awake_time_milli: 2_100_000,
      total_no_data_time_milli: 0,
      total_light_sleep_time_milli: 13_800_000,
      total_slow_wave_sleep_time_milli: 6_300_000,
      total_rem_sleep_time_milli: 6_300_000,
      sleep_cycle_count: 4,
      disturbance_count: 11,
    },
    sleep_needed: {
      baseline_milli: 27_395_716,
      need_from_sleep_debt_milli: 352_230,
      need_from_recent_strain_milli: 208_595,
      need_from_recent_nap_milli: -12_312,
    },
    respiratory_rate: 16.11328125,
    sleep_performance_percentage: 93,
    sleep_consistency_percentage: 81,
    sleep_efficiency_percentage: 92.63158,
  },
};

const recovery = {
  cycle_id: 93845,
  sleep_id: night.id,
  user_id: 10129,
  created_at: "2026-11-20T12:09:00.000Z",
  updated_at: "2026-11-20T12:30:00.000Z",
  score_state: "SCORED",
  score: {
    user_calibrating: false,
    recovery_score: 44,
    resting_heart_rate: 64,
    hrv_rmssd_milli: 31.813562,
    spo2_percentage: 95.6875,
    skin_temp_celsius: 33.7,
  },
};

const cycle = {
  id: 93845,
  user_id: 10129,
  created_at: "2026-11-20T12:08:00.000Z",
  updated_at: "2026-11-21T05:00:00.000Z",
  // Starts when falling asleep: 23:10 on the 19th, local.
  start: "2026-11-20T04:10:00.000Z",
  end: "2026-11-21T04:40:00.000Z",
  timezone_offset: "-05:00",
  score_state: "SCORED",
  score: { strain: 5.2951527, kilojoule: 8288.297, average_heart_rate: 68, max_heart_rate: 141 },
};

const RANGE = {
  startDay: "2026-11-01",
  endDay: "2026-11-30",
  start: new Date("2026-11-01T00:00:00Z"),
  end: new Date("2026-11-30T23:59:59.999Z"),
};

/** Answers each GET with the next of `pages` (as `{records, next_token}`), recording the calls. */
function fakeApi(pages: unknown[][]): ProviderApi & { calls: Array<{ path: string; query?: QueryParams }> } {
  const calls: Array<{ path: string; query?: QueryParams }> = [];
  return {
    calls,
    baseUrl: "https://api.prod.whoop.com/developer",
    get: async (path, query) => {
      calls.push({ path, query });
      const index = query?.nextToken ? Number(String(query.nextToken).replace("token-", "")) : 0;
      const more = index + 1 < pages.length;
      return { records: pages[index] ?? [], ...(more ? { next_token: `token-${index + 1}` } : {}) };
    },
    post: async () => {
      throw new Error("WHOOP has no POST data routes");
    },
  };
}

describe("WHOOP provider module", () => {
  it("declares the OAuth facts of the WHOOP API", () => {
    expect(whoop).toMatchObject({
      id: "whoop",
      name: "Whoop",
      kind: "oauth2",
      endpoints: {
        authorization: "https://api.prod.whoop.com/oauth/oauth2/auth",
        token: "https://api.prod.whoop.com/oauth/oauth2/token",
        api: "https://api.prod.whoop.com/developer",
      },
      scopeSeparator: " ",
      checks: ["state", "pkce"],
      clientAuthentication: "client_secret_post",
      refreshTokens: "single-use",
      token: { refreshParams: { scope: "offline" } },
      backfillDays: 30,
    });
    expect(whoop.scopes.join(whoop.scopeSeparator)).toBe(
      "offline read:recovery read:cycles read:sleep read:workout read:profile read:body_measurement",
    );
    // Sleeps first: recoveries take their day from their sleep.
    expect(whoop.collections.map((c) => c.id)).toEqual(["sleep", "recovery", "cycle", "workout"]);
  });

  it("maps a scored night: stages ms → s, total sleep = light + slow wave + REM, on the local day it ends", () => {
    const samples = mapWhoopItems("sleep", [night]);
    expect(days(samples)).toEqual(["2026-11-20"]);
    expect(byMetric(samples)).toEqual({
      sleep_duration: 26_400,
      time_in_bed: 28_500,
      light_sleep: 13_800,
      deep_sleep: 6_300,
      rem_sleep: 6_300,
      awake_time: 2_100,
      wakeup_count: 11,
      sleep_performance: 93,
      sleep_score: 93,
      sleep_efficiency: 92.63158,
      sleep_consistency: 81,
      respiratory_rate: 16.11328125,
    });
  });

  it("maps a recovery: recovery score as readiness, HRV, resting HR, SpO2 and skin temperature, on its sleep's day", () => {
    const ctx: MappingContext = {};
    mapWhoopItems("sleep", [night], ctx);
    const samples = mapWhoopItems("recovery", [recovery], ctx);
    expect(days(samples)).toEqual(["2026-11-20"]);
    expect(byMetric(samples)).toEqual({
      readiness_score: 44,
      resting_heart_rate: 64,
      hrv_rmssd: 31.813562,
      spo2: 95.6875,
      skin_temperature: 33.7,
    });
  });

  it("totals a day's scored workouts: count, time, energy, HR zones; the hardest workout's strain", () => {
    const workout = (id: string, start: string, end: string, strain: number, kilojoule: number, zoneMs: number) => ({
      id,
      user_id: 10129,
      start,
      end,
      timezone_offset: "-05:00",
      sport_name: "running",
      score_state: "SCORED",
      score: {
        strain,
        average_heart_rate: 140,
        max_heart_rate: 170,
        kilojoule,
        zone_durations: {
          zone_zero_milli: 60_000,
          zone_one_milli: zoneMs,
          zone_two_milli: zoneMs,
          zone_three_milli: zoneMs,
          zone_four_milli: zoneMs,
          zone_five_milli: null,
        },
      },
    });
    const items = [
      // 07:00–07:45 and 18:00–18:30 local (UTC-5) on the 20th; a repeat of the first; one pending; one on the 21st.
      workout(
        "a0000000-0000-4000-8000-000000000001",
        "2026-11-20T12:00:00.000Z",
        "2026-11-20T12:45:00.000Z",
        11.5,
        2092,
        600_000,
      ),
      workout(
        "a0000000-0000-4000-8000-000000000002",
        "2026-11-20T23:00:00.000Z",
        "2026-11-20T23:30:00.000Z",
        8.25,
        1046,
        300_000,
      ),
      workout(
        "a0000000-0000-4000-8000-000000000001",
        "2026-11-20T12:00:00.000Z",
        "2026-11-20T12:45:00.000Z",
        11.5,
        2092,
        600_000,
      ),
      {
        id: "a0000000-0000-4000-8000-000000000003",
        start: "2026-11-20T14:00:00.000Z",
        end: "2026-11-20T15:00:00.000Z",
        timezone_offset: "-05:00",
        score_state: "PENDING_SCORE",
      },
      // 23:30 local on the 21st is 04:30 UTC on the 22nd: still the 21st.
      workout(
        "a0000000-0000-4000-8000-000000000004",
        "2026-11-22T04:30:00.000Z",
        "2026-11-22T05:00:00.000Z",
        5,
        418.4,
        0,
      ),
    ];
    const samples = collection("workout").aggregate!(items, {});
    const on = (day: string) => byMetric(samples.filter((s) => s.day === day));
    expect(on("2026-11-20")).toEqual({
      workout_count: 2,
      workout_duration: 75 * 60,
      workout_calories: Math.round(3138 / 4.184),
      workout_strain: 11.5,
      workout_zone_1: 900,
      workout_zone_2: 900,
      workout_zone_3: 900,
      workout_zone_4: 900,
    });
    expect(on("2026-11-21")).toMatchObject({
      workout_count: 1,
      workout_duration: 1800,
      workout_calories: 100,
      workout_strain: 5,
    });
    expect(days(samples).sort()).toEqual(["2026-11-20", "2026-11-21"]);
    // The pending one is remembered, to be counted once scored.
    expect(collection("workout").pending!(items[3] as never)).toMatchObject({
      day: "2026-11-20",
      state: "PENDING_SCORE",
    });
  });

  it("maps a cycle on the local day it starts: strain, kJ → kcal once, heart rate", () => {
    const samples = mapWhoopItems("cycle", [cycle]);
    expect(days(samples)).toEqual(["2026-11-19"]);
    expect(byMetric(samples)).toEqual({
      strain: 5.2951527,
      total_calories: 1981,
      heart_rate_avg: 68,
      heart_rate_max: 141,
    });
    expect(byMetric(mapWhoopItems("cycle", [{ ...cycle, score: { kilojoule: 4184 } }])).total_calories).toBe(1000);
  });

  it("uses each record's own timezone_offset for its local day", () => {
    // 00:30 on the 20th in Tokyo is still the 19th in UTC.
    expect(sleepDay({ end: "2026-11-19T15:30:00.000Z", timezone_offset: "+09:00" })).toBe("2026-11-20");
    expect(sleepDay({ end: "2026-11-20T03:00:00.000Z", timezone_offset: "-05:00" })).toBe("2026-11-19");
    expect(cycleDay({ start: "2026-11-20T04:10:00.000Z", timezone_offset: "-05:00" })).toBe("2026-11-19");
    expect(cycleDay({ start: "2026-11-20T04:10:00.000Z", timezone_offset: "+01:00" })).toBe("2026-11-20");
    // Without an offset, one learnt from an earlier record is used; without any, no day at all.
    const ctx: MappingContext = {};
    expect(cycleDay({ start: "2026-11-20T04:10:00.000Z" }, ctx)).toBeUndefined();
    cycleDay({ start: "2026-11-18T04:10:00.000Z", timezone_offset: "-05:00" }, ctx);
    expect(cycleDay({ start: "2026-11-20T04:10:00.000Z" }, ctx)).toBe("2026-11-19");
  });

  it("never turns missing or null fields into zeros", () => {
    const sparseNight = {
      ...night,
      score: {
        stage_summary: {
          total_in_bed_time_milli: 28_500_000,
          total_light_sleep_time_milli: 13_800_000,
          total_rem_sleep_time_milli: null,
        },
        respiratory_rate: null,
      },
    };
    // Without every stage, total sleep is unknown rather than a partial sum.
    expect(byMetric(mapWhoopItems("sleep", [sparseNight]))).toEqual({ time_in_bed: 28_500, light_sleep: 13_800 });
    expect(mapWhoopItems("sleep", [{ ...night, score: {} }])).toEqual([]);
    // WHOOP 3.0 straps have no SpO2 or skin temperature.
    const ctx: MappingContext = {};
    mapWhoopItems("sleep", [night], ctx);
    const older = {
      ...recovery,
      score: { user_calibrating: false, recovery_score: 70, resting_heart_rate: 52, hrv_rmssd_milli: 80.2 },
    };
    expect(byMetric(mapWhoopItems("recovery", [older], ctx))).toEqual({
      readiness_score: 70,
      resting_heart_rate: 52,
      hrv_rmssd: 80.2,
    });
    expect(byMetric(mapWhoopItems("cycle", [{ ...cycle, score: { strain: 0.1, kilojoule: null } }]))).toEqual({
      strain: 0.1,
    });
    expect(mapWhoopItems("cycle", [{ ...cycle, start: undefined }])).toEqual([]);
  });

  it("a calibrating member's recovery score is not a readiness score yet; the measurements still are", () => {
    const ctx: MappingContext = {};
    mapWhoopItems("sleep", [night], ctx);
    const calibrating = { ...recovery, score: { ...recovery.score, user_calibrating: true } };
    expect(byMetric(mapWhoopItems("recovery", [calibrating], ctx))).toEqual({
      resting_heart_rate: 64,
      hrv_rmssd: 31.813562,
      spo2: 95.6875,
      skin_temperature: 33.7,
    });
  });

  it("unscored records give no samples and are pending until scored", () => {
    const sleep = collection("sleep");
    const recoveries = collection("recovery");
    const cycles = collection("cycle");
    const pendingNight = { ...night, score_state: "PENDING_SCORE", score: undefined };
    const unscorableNight = {
      ...night,
      id: "0b5f7d0e-3c51-4d43-9a44-3a5b1a1d9d10",
      score_state: "UNSCORABLE",
      end: "2026-11-21T12:05:00.000Z",
    };
    const ctx: MappingContext = {};
    expect(mapWhoopItems("sleep", [pendingNight, unscorableNight], ctx)).toEqual([]);
    expect(sleep.pending!(pendingNight)).toEqual({ externalId: night.id, day: "2026-11-20", state: "PENDING_SCORE" });
    // An UNSCORABLE record that still carries a stale score is not trusted either.
    expect(sleep.pending!(unscorableNight)).toEqual({
      externalId: unscorableNight.id,
      day: "2026-11-21",
      state: "UNSCORABLE",
    });
    expect(sleep.pending!(night)).toBeUndefined();
    expect(sleep.externalId!(night)).toBe(night.id);

    const pendingRecovery = { ...recovery, score_state: "PENDING_SCORE", score: undefined };
    expect(mapWhoopItems("recovery", [pendingRecovery], ctx)).toEqual([]);
    // The pending sleep still told the context which day the recovery belongs to.
    expect(recoveries.pending!(pendingRecovery)).toEqual({
      externalId: "93845",
      day: "2026-11-20",
      state: "PENDING_SCORE",
    });
    expect(recoveries.pending!(recovery)).toBeUndefined();
    expect(recoveries.externalId!(recovery)).toBe("93845");

    const pendingCycle = {
      id: 93846,
      start: "2026-11-21T04:40:00.000Z",
      timezone_offset: "-05:00",
      score_state: "PENDING_SCORE",
    };
    expect(mapWhoopItems("cycle", [pendingCycle])).toEqual([]);
    expect(cycles.pending!(pendingCycle)).toEqual({ externalId: "93846", day: "2026-11-20", state: "PENDING_SCORE" });
    expect(cycles.externalId!(cycle)).toBe("93845");
  });

  it("naps do not speak for the night and are never pending", () => {
    const nap = {
      ...night,
      id: "6a1b0f0e-1111-4d43-9a44-3a5b1a1d9d10",
      nap: true,
      start: "2026-11-20T19:00:00.000Z",
      end: "2026-11-20T19:40:00.000Z",
    };
    const ctx: MappingContext = {};
    expect(mapWhoopItems("sleep", [nap], ctx)).toEqual([]);
    expect(mapWhoopItems("sleep", [night, nap], ctx).length).toBeGreaterThan(0);
    expect(collection("sleep").pending!({ ...nap, score_state: "PENDING_SCORE" })).toBeUndefined();
    expect(Object.keys(ctx[CTX_SLEEP_DAYS] as object)).toEqual([night.id]);
  });

  it("when two night sleeps end on the same day, the longer one in bed speaks for it, and its recovery", async () => {
    const short = {
      ...night,
      id: "2c1b0f0e-2222-4d43-9a44-3a5b1a1d9d10",
      start: "2026-11-20T13:00:00.000Z",
      end: "2026-11-20T15:00:00.000Z",
      score: {
        ...night.score,
        stage_summary: { ...night.score.stage_summary, total_in_bed_time_milli: 7_200_000 },
        sleep_performance_percentage: 20,
      },
    };
    // WHOOP lists newest first; the collection puts the longest first and the first one claims the day.
    const { items } = await collection("sleep").fetchPage(fakeApi([[short, night]]), RANGE, undefined);
    expect(items.map((s: { id: string }) => s.id)).toEqual([night.id, short.id]);
    const ctx: MappingContext = {};
    const samples = mapWhoopItems("sleep", items, ctx);
    expect(samples.filter((s) => s.metric === "sleep_performance").map((s) => s.value)).toEqual([93]);
    expect(days(samples)).toEqual(["2026-11-20"]);
    const shortRecovery = {
      ...recovery,
      cycle_id: 93846,
      sleep_id: short.id,
      score: { ...recovery.score, recovery_score: 5 },
    };
    expect(
      mapWhoopItems("recovery", [shortRecovery, recovery], ctx)
        .filter((s) => s.metric === "readiness_score")
        .map((s) => s.value),
    ).toEqual([44]);
  });

  it("when two cycles start on the same date, the earlier one speaks for the day", async () => {
    const early = {
      ...cycle,
      id: 93844,
      start: "2026-11-19T06:20:00.000Z",
      end: cycle.start,
      score: { ...cycle.score, strain: 12.5 },
    };
    const { items } = await collection("cycle").fetchPage(fakeApi([[cycle], [early]]), RANGE, undefined);
    expect(items.map((c: { id: number }) => c.id)).toEqual([93844, 93845]);
    const samples = mapWhoopItems("cycle", items);
    expect(samples.filter((s) => s.metric === "strain")).toEqual([
      { metric: "strain", day: "2026-11-19", value: 12.5 },
    ]);
  });

  it("a recovery whose sleep was not seen gets no day and no sample", () => {
    expect(mapWhoopItems("recovery", [recovery], {})).toEqual([]);
    expect(collection("recovery").pending!({ ...recovery, score_state: "PENDING_SCORE", score: undefined })).toEqual({
      externalId: "93845",
      day: undefined,
      state: "PENDING_SCORE",
    });
  });

  it("keeps the mapping context JSON-serialisable (it travels between job steps)", () => {
    const ctx: MappingContext = {};
    mapWhoopItems("sleep", [night], ctx);
    mapWhoopItems("cycle", [cycle], ctx);
    const carried = JSON.parse(JSON.stringify(ctx)) as MappingContext;
    expect(carried).toEqual(ctx);
    expect(byMetric(mapWhoopItems("recovery", [recovery], carried)).readiness_score).toBe(44);
  });

  it("reads each collection's whole window, following next_token with limit 25", async () => {
    const api = fakeApi([[night], [{ ...night, id: "older" }]]);
    const page = await collection("sleep").fetchPage(api, RANGE, undefined);
    expect(page.nextCursor).toBeNull();
    expect(page.items).toHaveLength(2);
    expect(api.calls).toEqual([
      {
        path: "/v2/activity/sleep",
        query: {
          start: "2026-10-29T00:00:00.000Z",
          end: "2026-12-03T00:00:00.000Z",
          limit: WHOOP_PAGE_LIMIT,
          nextToken: undefined,
        },
      },
      {
        path: "/v2/activity/sleep",
        query: {
          start: "2026-10-29T00:00:00.000Z",
          end: "2026-12-03T00:00:00.000Z",
          limit: WHOOP_PAGE_LIMIT,
          nextToken: "token-1",
        },
      },
    ]);
    const other = fakeApi([[]]);
    await collection("recovery").fetchPage(other, RANGE, undefined);
    await collection("cycle").fetchPage(other, RANGE, undefined);
    expect(other.calls.map((c) => [c.path, c.query!.start, c.query!.end])).toEqual([
      ["/v2/recovery", "2026-10-30T00:00:00.000Z", "2026-12-02T00:00:00.000Z"],
      ["/v2/cycle", "2026-10-30T00:00:00.000Z", "2026-12-02T00:00:00.000Z"],
    ]);
    const wrongShape: ProviderApi = { ...other, get: async () => ({ data: [] }) };
    await expect(collection("cycle").fetchPage(wrongShape, RANGE, undefined)).rejects.toThrow(/records/);
    const endless: ProviderApi = {
      ...other,
      get: async (_path, query) => ({ records: [], next_token: `${String(query?.nextToken ?? "")}x` }),
    };
    await expect(collection("cycle").fetchPage(endless, RANGE, undefined)).rejects.toThrow(/did not stop paging/);
  });

  it("documents in metricFields exactly the metrics its mapping produces", () => {
    const ctx: MappingContext = {};
    const produced = [
      ...mapWhoopItems("sleep", [night], ctx),
      ...mapWhoopItems("recovery", [recovery], ctx),
      ...mapWhoopItems("cycle", [cycle], ctx),
      ...mapWhoopItems(
        "workout",
        [
          {
            id: "a0000000-0000-4000-8000-000000000009",
            start: "2026-11-20T12:00:00.000Z",
            end: "2026-11-20T13:00:00.000Z",
            timezone_offset: "-05:00",
            score_state: "SCORED",
            score: {
              strain: 12,
              kilojoule: 2000,
              zone_durations: Object.fromEntries(
                ["zero", "one", "two", "three", "four", "five"].map((z) => [`zone_${z}_milli`, 600_000]),
              ),
            },
          },
        ],
        ctx,
      ),
    ];
    expect(new Set(produced.map((s) => s.metric))).toEqual(new Set(Object.keys(whoop.metricFields ?? {})));
  });

  it("reads the user id from the basic profile", async () => {
    const api = (body: unknown): ProviderApi => ({ baseUrl: "x", get: async () => body, post: async () => body });
    expect(await whoop.fetchUserId!(api({ user_id: 10129, email: "a@b.c", first_name: "A", last_name: "B" }))).toBe(
      "10129",
    );
    expect(await whoop.fetchUserId!(api({}))).toBeUndefined();
  });
});
