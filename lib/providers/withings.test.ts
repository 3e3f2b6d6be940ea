import { describe, expect, it } from "vitest";
import { ProviderAuthError, ProviderError, ProviderPayloadError, ProviderRateLimitError } from "./errors";
import {
  conformWithingsTokenResponse,
  efficiencyPercent,
  interpretWithingsResponse,
  localDayIn,
  measureValue,
  withings,
} from "./withings";
import type { MappingContext, MetricSample, ProviderApi, QueryParams, SyncRange } from "./types";

const rangeFromDays = (startDay: string, endDay: string): SyncRange => ({
  startDay,
  endDay,
  start: new Date(`${startDay}T00:00:00Z`),
  end: new Date(`${endDay}T23:59:59.999Z`),
});

const collection = (id: string) => withings.collections.find((c) => c.id === id)!;
const byMetric = (list: MetricSample[]) => Object.fromEntries(list.map((s) => [`${s.metric}@${s.day}`, s.value]));
const at = (iso: string) => Math.floor(Date.parse(iso) / 1000);

/** A fake data API answering each POST with the next page, recording what was asked. */
function fakeApi(pages: unknown[]): ProviderApi & { calls: Array<{ path: string; form: QueryParams }> } {
  const calls: Array<{ path: string; form: QueryParams }> = [];
  return {
    baseUrl: "https://wbsapi.withings.net",
    calls,
    get: () => Promise.reject(new Error("Withings is POST only here")),
    post: async (path, form = {}) => {
      calls.push({ path, form });
      const page = pages[calls.length - 1];
      if (page === undefined) throw new Error("no more pages");
      return page;
    },
  };
}

/** Pages a collection through the fake API and maps it as the sync engine does. */
async function syncCollection(
  id: string,
  pages: unknown[],
  ctx: MappingContext = {},
  range = rangeFromDays("2026-11-01", "2026-11-30"),
) {
  const c = collection(id);
  const api = fakeApi(pages);
  const items: unknown[] = [];
  let cursor: string | undefined;
  for (;;) {
    const page = await c.fetchPage(api, range, cursor);
    items.push(...page.items);
    if (!page.nextCursor) break;
    cursor = page.nextCursor;
  }
  return {
    samples: c.aggregate ? c.aggregate(items, ctx) : items.flatMap((i) => c.map(i, ctx)),
    calls: api.calls,
    ctx,
  };
}

const tokenAnswer = (payload: unknown) =>
  new Response(JSON.stringify(payload), { status: 200, headers: { "content-type": "application/json" } });

describe("Withings provider module", () => {
  it("declares Withings' OAuth facts", () => {
    expect(withings).toMatchObject({
      id: "withings",
      kind: "oauth2",
      endpoints: {
        authorization: "https://account.withings.com/oauth2_user/authorize2",
        token: "https://wbsapi.withings.net/v2/oauth2",
        api: "https://wbsapi.withings.net",
      },
      scopes: ["user.info", "user.metrics", "user.activity", "user.sleepevents"],
      scopeSeparator: ",",
      checks: ["state"],
      clientAuthentication: "client_secret_post",
      refreshTokens: "rotating-with-grace",
      token: { params: { action: "requesttoken" } },
    });
    expect(withings.collections.map((c) => c.id)).toEqual(["sleep", "activity", "measures"]);
  });
});

describe("token.conform", () => {
  it("turns status 0 into an RFC 6749 token response with the Withings user id", async () => {
    const body = {
      userid: 363,
      access_token: "a".repeat(40),
      refresh_token: "r".repeat(40),
      expires_in: 10800,
      scope: "user.info,user.metrics",
      csrf_token: "c",
      token_type: "Bearer",
    };
    const conformed = await conformWithingsTokenResponse(tokenAnswer({ status: 0, body }));
    expect(conformed.status).toBe(200);
    expect(conformed.headers.get("content-type")).toContain("application/json");
    expect(await conformed.json()).toEqual(body);
  });

  it("turns status 503 (invalid code) into HTTP 400 invalid_grant without echoing Withings' text", async () => {
    const conformed = await conformWithingsTokenResponse(
      tokenAnswer({ status: 503, error: "Invalid Params: invalid code" }),
    );
    expect(conformed.status).toBe(400);
    const json = (await conformed.json()) as Record<string, string>;
    expect(json.error).toBe("invalid_grant");
    expect(json.error_description).toContain("503");
  });

  it("turns authentication failures (401, 100–102, 200) into HTTP 400 invalid_client", async () => {
    for (const status of [401, 100, 101, 102, 200]) {
      const conformed = await conformWithingsTokenResponse(
        tokenAnswer({ status, body: {}, error: "Authentication failed" }),
      );
      expect(conformed.status).toBe(400);
      expect(((await conformed.json()) as { error: string }).error).toBe("invalid_client");
    }
  });

  it("throws a rate-limit error with wait_seconds on status 601", async () => {
    const error = await conformWithingsTokenResponse(
      tokenAnswer({ status: 601, body: { wait_seconds: 188 }, error: "Too many requests" }),
    ).catch((e) => e);
    expect(error).toBeInstanceOf(ProviderRateLimitError);
    expect(error.retryAfterSeconds).toBe(188);
    const noWait = await conformWithingsTokenResponse(tokenAnswer({ status: 601, error: "Too many requests" })).catch(
      (e) => e,
    );
    expect(noWait.retryAfterSeconds).toBe(60);
  });

  it("throws a plain provider error on transient statuses and payload errors on other shapes", async () => {
    const transient = await conformWithingsTokenResponse(tokenAnswer({ status: 522, error: "timeout" })).catch(
      (e) => e,
    );
    expect(transient).toBeInstanceOf(ProviderError);
    expect(transient).not.toBeInstanceOf(ProviderRateLimitError);
    await expect(conformWithingsTokenResponse(tokenAnswer({ access_token: "x" }))).rejects.toBeInstanceOf(
      ProviderPayloadError,
    );
    await expect(conformWithingsTokenResponse(new Response("<html>", { status: 200 }))).rejects.toBeInstanceOf(
      ProviderPayloadError,
    );
    await expect(conformWithingsTokenResponse(tokenAnswer({ status: 0 }))).rejects.toBeInstanceOf(ProviderPayloadError);
  });

  it("leaves a non-200 HTTP answer for the engine to classify", async () => {
    const response = new Response("{}", { status: 502 });
    expect(await conformWithingsTokenResponse(response)).toBe(response);
  });
});

describe("interpretResponse", () => {
  const ok = new Response(null, { status: 200 });

  it("unwraps status 0 to its body", () => {
    expect(interpretWithingsResponse(ok, { status: 0, body: { series: [] } })).toEqual({ series: [] });
  });

  it("classifies status 401 as an auth failure, 601 as rate limited, others as a safe provider error", () => {
    expect(() =>
      interpretWithingsResponse(ok, { status: 401, body: {}, error: "XRequestID: Not provided invalid_token" }),
    ).toThrow(ProviderAuthError);
    try {
      interpretWithingsResponse(ok, { status: 601, body: { wait_seconds: 42 }, error: "Too many requests" });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ProviderRateLimitError);
      expect((error as ProviderRateLimitError).retryAfterSeconds).toBe(42);
    }
    try {
      interpretWithingsResponse(ok, { status: 503, body: {}, error: "Invalid Params: secret-looking-value" });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ProviderError);
      expect(error).not.toBeInstanceOf(ProviderAuthError);
      expect((error as Error).message).toBe("Withings refused the request (status 503: invalid parameters)");
      expect((error as ProviderError).status).toBe(503);
    }
  });

  it("refuses answers without a status, and falls back to HTTP classification on non-2xx", () => {
    expect(() => interpretWithingsResponse(ok, { measuregrps: [] })).toThrow(ProviderPayloadError);
    expect(() => interpretWithingsResponse(ok, "nope")).toThrow(ProviderPayloadError);
    expect(() => interpretWithingsResponse(new Response(null, { status: 401 }), undefined)).toThrow(ProviderAuthError);
  });
});

describe("units and days", () => {
  it("computes value × 10^unit exactly", () => {
    expect(measureValue({ value: 65750, unit: -3 })).toBe(65.75);
    expect(measureValue({ value: 2150, unit: -2 })).toBe(21.5);
    expect(measureValue({ value: 124, unit: 0 })).toBe(124);
    expect(measureValue({ value: 7, unit: 1 })).toBe(70);
    expect(measureValue({ value: 65750 })).toBeUndefined();
    expect(measureValue({ unit: -3 })).toBeUndefined();
  });

  it("converts the efficiency ratio to % once, and drops values that are not a ratio", () => {
    expect(efficiencyPercent(0.91)).toBe(91);
    expect(efficiencyPercent(0.876)).toBe(87.6);
    expect(efficiencyPercent(1)).toBe(100);
    expect(efficiencyPercent(91)).toBeUndefined();
    expect(efficiencyPercent(null)).toBeUndefined();
  });

  it("places an instant on the local day of its IANA time zone", () => {
    // 23:30 UTC on 1 Nov is 00:30 on 2 Nov in Paris and 19:30 on 1 Nov in New York.
    expect(localDayIn(at("2026-11-01T23:30:00Z"), "Europe/Paris")).toBe("2026-11-02");
    expect(localDayIn(at("2026-11-01T23:30:00Z"), "America/New_York")).toBe("2026-11-01");
    // 03:30 UTC on 2 Nov is still 1 Nov in Los Angeles.
    expect(localDayIn(at("2026-11-02T03:30:00Z"), "America/Los_Angeles")).toBe("2026-11-01");
  });
});

describe("measures (getmeas)", () => {
  const group = (date: number, measures: Array<[number, number, number]>, extra: Record<string, unknown> = {}) => ({
    grpid: date,
    attrib: 0,
    date,
    created: date + 30,
    modified: date + 30,
    category: 1,
    deviceid: "abc",
    hash_deviceid: "abc",
    model: "Body+",
    model_id: 5,
    measures: measures.map(([type, value, unit]) => ({ value, type, unit, algo: 3, fm: 131 })),
    comment: null,
    ...extra,
  });

  it("maps every measure type with its unit, on the local day, keeping the latest of the day; pages with more/offset", async () => {
    const morning = at("2026-11-10T06:45:00Z"); // 07:45 Paris
    const evening = at("2026-11-10T20:15:00Z"); // 21:15 Paris
    const lateNight = at("2026-11-11T23:20:00Z"); // 00:20 on 12 Nov in Paris
    const pages = [
      {
        status: 0,
        body: {
          updatetime: at("2026-11-30T12:00:00Z"),
          timezone: "Europe/Paris",
          measuregrps: [
            group(evening, [[1, 79150, -3]]),
            group(morning, [
              [1, 78400, -3],
              [6, 1960, -2],
              [8, 15366, -3],
              [76, 5980, -2],
              [5, 63034, -3], // fat-free mass: not in the vocabulary, ignored
            ]),
          ],
          more: 1,
          offset: 2,
        },
      },
      {
        status: 0,
        body: {
          updatetime: at("2026-11-30T12:00:00Z"),
          timezone: "Europe/Paris",
          measuregrps: [
            group(lateNight, [
              [9, 79, 0],
              [10, 124, 0],
              [11, 62, 0],
            ]),
            group(at("2026-11-12T10:00:00Z"), [[54, 97, 0]]),
            group(at("2026-11-12T11:00:00Z"), [
              [71, 367, -1],
              [73, 3362, -2],
            ]),
            // A guest on the scale (attrib 1) and a goal (category 2) are not the user's measurements.
            group(at("2026-11-13T08:00:00Z"), [[1, 61200, -3]], { attrib: 1 }),
            group(at("2026-11-13T09:00:00Z"), [[1, 75000, -3]], { category: 2 }),
            // Missing value / unit: no sample, never a zero.
            group(at("2026-11-14T08:00:00Z"), [[1, null as unknown as number, -3]]),
            { ...group(at("2026-11-15T08:00:00Z"), []), measures: undefined },
          ],
          more: 0,
          offset: 0,
        },
      },
    ].map((p) => interpretWithingsResponse(new Response(null, { status: 200 }), p));
    const { samples, calls } = await syncCollection("measures", pages);
    expect(calls).toHaveLength(2);
    expect(calls[0]!.path).toBe("/measure");
    expect(calls[0]!.form).toMatchObject({ action: "getmeas", category: 1, meastypes: "1,6,8,9,10,11,54,71,73,76" });
    expect(calls[0]!.form.startdate).toBe(at("2026-11-01T00:00:00Z") - 86_400);
    expect(calls[0]!.form.enddate).toBe(at("2026-12-01T00:00:00Z") + 86_400);
    expect(calls[0]!.form.offset).toBeUndefined();
    expect(calls[1]!.form.offset).toBe(2);
    expect(byMetric(samples)).toEqual({
      "weight@2026-11-10": 79.15, // the evening weigh-in is the day's latest
      "body_fat@2026-11-10": 19.6,
      "fat_mass@2026-11-10": 15.366,
      "muscle_mass@2026-11-10": 59.8,
      "blood_pressure_diastolic@2026-11-12": 79,
      "blood_pressure_systolic@2026-11-12": 124,
      "pulse@2026-11-12": 62,
      "spo2@2026-11-12": 97,
      "body_temperature@2026-11-12": 36.7,
      "skin_temperature@2026-11-12": 33.62,
    });
  });

  it("uses the page's time zone for local days, and a learnt one when a page has none", async () => {
    const instant = at("2026-11-10T03:00:00Z"); // 22:00 on 9 Nov in New York
    const page = (timezone?: string) => ({
      updatetime: 0,
      timezone,
      measuregrps: [group(instant, [[1, 80000, -3]])],
      more: 0,
      offset: 0,
    });
    expect((await syncCollection("measures", [page("America/New_York")])).samples).toEqual([
      { metric: "weight", day: "2026-11-09", value: 80 },
    ]);
    expect((await syncCollection("measures", [page(undefined)], { withingsTimeZone: "Asia/Tokyo" })).samples).toEqual([
      { metric: "weight", day: "2026-11-10", value: 80 },
    ]);
    // No time zone at all: the local day is unknown, so nothing is guessed.
    expect((await syncCollection("measures", [page("Not/AZone")])).samples).toEqual([]);
  });

  it("fails loudly on a page without measuregrps", async () => {
    await expect(syncCollection("measures", [{ updatetime: 0, timezone: "UTC" }])).rejects.toBeInstanceOf(
      ProviderPayloadError,
    );
  });
});

describe("sleep summaries (v2/sleep getsummary)", () => {
  const series = (date: string, data: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
    id: 1,
    timezone: "Europe/Paris",
    model: 32,
    model_id: 63,
    startdate: at(`${date}T00:00:00Z`) - 8 * 3600,
    enddate: at(`${date}T06:00:00Z`),
    date,
    created: 0,
    modified: 0,
    data,
    ...extra,
  });

  it("maps every documented field once, picks the longest series of a day, and pages with more/offset", async () => {
    const night = series("2026-11-10", {
      total_sleep_time: 26_400,
      total_timeinbed: 29_040,
      lightsleepduration: 14_700,
      deepsleepduration: 5_400,
      remsleepduration: 6_300,
      wakeupduration: 2_640,
      sleep_latency: 540,
      sleep_efficiency: 0.91,
      wakeupcount: 3,
      hr_average: 56,
      rr_average: 14,
      rmssd_start_avg: 48,
      rmssd_end_avg: 61,
      sleep_score: 84,
      snoring: 1200,
    });
    const nap = series("2026-11-10", { total_sleep_time: 1_800, sleep_score: 40 }, { id: 2, model: 16 });
    const sparse = series("2026-11-11", { total_sleep_time: 25_000, sleep_efficiency: null, rmssd_end_avg: 55 });
    const empty = series("2026-11-12", {});
    const undated = series("2026-11-13", { total_sleep_time: 1 }, { date: undefined });
    const { samples, calls, ctx } = await syncCollection("sleep", [
      { series: [nap, night], more: true, offset: 2 },
      { series: [sparse, empty, undated], more: false, offset: 0 },
    ]);
    expect(calls[0]).toMatchObject({
      path: "/v2/sleep",
      form: { action: "getsummary", startdateymd: "2026-10-31", enddateymd: "2026-12-01" },
    });
    expect(String(calls[0]!.form.data_fields).split(",")).toEqual(
      expect.arrayContaining([
        "sleep_efficiency",
        "rmssd_start_avg",
        "rmssd_end_avg",
        "hr_average",
        "rr_average",
        "sleep_score",
        "wakeupduration",
      ]),
    );
    expect(calls[1]!.form.offset).toBe(2);
    expect(byMetric(samples)).toEqual({
      "sleep_duration@2026-11-10": 26_400,
      "time_in_bed@2026-11-10": 29_040,
      "light_sleep@2026-11-10": 14_700,
      "deep_sleep@2026-11-10": 5_400,
      "rem_sleep@2026-11-10": 6_300,
      "awake_time@2026-11-10": 2_640,
      "sleep_latency@2026-11-10": 540,
      "sleep_efficiency@2026-11-10": 91,
      "wakeup_count@2026-11-10": 3,
      "resting_heart_rate@2026-11-10": 56,
      "respiratory_rate@2026-11-10": 14,
      "hrv_rmssd@2026-11-10": 54.5,
      "sleep_score@2026-11-10": 84,
      "sleep_duration@2026-11-11": 25_000,
      "hrv_rmssd@2026-11-11": 55,
    });
    expect(ctx.withingsTimeZone).toBe("Europe/Paris");
  });

  it("stops when `more` is false, and refuses `more` without an offset", async () => {
    const { calls } = await syncCollection("sleep", [{ series: [], more: false, offset: 0 }]);
    expect(calls).toHaveLength(1);
    await expect(syncCollection("sleep", [{ series: [], more: true }])).rejects.toBeInstanceOf(ProviderPayloadError);
  });
});

describe("activity (v2/measure getactivity)", () => {
  it("maps steps, distance (m → km), calories, active time and heart rate; prefers a tracker's day; missing fields give no sample", async () => {
    const phone = {
      date: "2026-11-10",
      timezone: "Europe/Paris",
      deviceid: null,
      brand: 1,
      is_tracker: false,
      steps: 9_100,
      calories: 300,
      totalcalories: 2_100,
      active: 1_800,
    };
    const watch = {
      date: "2026-11-10",
      timezone: "Europe/Paris",
      deviceid: "w",
      brand: 1,
      is_tracker: true,
      steps: 8_740,
      distance: 6_817.2,
      soft: 12_000,
      moderate: 2_100,
      intense: 600,
      active: 2_700,
      calories: 412.5,
      totalcalories: 2_254.3,
      hr_average: 71,
      hr_min: 50,
      hr_max: 148,
    };
    const partsOnly = { date: "2026-11-11", timezone: "Europe/Paris", steps: 4_000, moderate: 600, intense: null };
    const bare = { date: "2026-11-12", timezone: "Europe/Paris" };
    const { samples, calls } = await syncCollection("activity", [
      { activities: [phone, watch], more: true, offset: 2 },
      { activities: [partsOnly, bare], more: false, offset: 0 },
    ]);
    expect(calls[0]).toMatchObject({
      path: "/v2/measure",
      form: { action: "getactivity", startdateymd: "2026-10-31", enddateymd: "2026-12-01" },
    });
    expect(calls[1]!.form.offset).toBe(2);
    expect(byMetric(samples)).toEqual({
      "steps@2026-11-10": 8_740,
      "distance@2026-11-10": 6.817,
      "active_calories@2026-11-10": 412.5,
      "total_calories@2026-11-10": 2_254.3,
      "active_time@2026-11-10": 2_700,
      "heart_rate_avg@2026-11-10": 71,
      "heart_rate_max@2026-11-10": 148,
      "steps@2026-11-11": 4_000,
      "active_time@2026-11-11": 600,
    });
  });
});
