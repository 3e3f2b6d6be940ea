import { describe, expect, it } from "vitest";
import {
  ProviderAuthError,
  ProviderClientError,
  ProviderError,
  ProviderGrantError,
  ProviderPayloadError,
  ProviderRateLimitError,
} from "./errors";
import {
  CookieJar,
  createGarminSession,
  garmin,
  GARMIN_OLD_SESSION_MESSAGE,
  mapDailySummary,
  mapHrv,
  mapSleep,
  mapTrainingReadiness,
} from "./garmin";
import {
  SessionAccountLockedError,
  SessionCredentialsError,
  SessionMfaCodeError,
  SessionMfaExpiredError,
} from "./session-errors";
import type { ProviderApi, QueryParams } from "./types";

/* Payloads in the shapes connectapi answers (provider-apis.md §4.4, garth data/*.py). */

const dailySummary = {
  userProfileId: 81234567,
  calendarDate: "2026-11-20",
  totalKilocalories: 2480,
  activeKilocalories: 612,
  bmrKilocalories: 1868,
  totalSteps: 10432,
  totalDistanceMeters: 8137,
  minHeartRate: 49,
  maxHeartRate: 163,
  restingHeartRate: 52,
  averageStressLevel: 31,
  maxStressLevel: 88,
  stressQualifier: "BALANCED",
  bodyBatteryChargedValue: 64,
  bodyBatteryDrainedValue: 58,
  activeSeconds: 5400,
  highlyActiveSeconds: 1260,
  sedentarySeconds: 41000,
};

const sleepData = {
  dailySleepDTO: {
    id: 1763596800000,
    userProfilePK: 81234567,
    calendarDate: "2026-11-20",
    sleepTimeSeconds: 26_400,
    sleepStartTimestampGMT: 1_763_593_200_000,
    sleepEndTimestampGMT: 1_763_622_000_000,
    deepSleepSeconds: 4_800,
    lightSleepSeconds: 14_700,
    remSleepSeconds: 6_900,
    awakeSleepSeconds: 2_400,
    averageSpO2Value: 95.4,
    averageRespirationValue: 14.8,
    sleepScores: { overall: { value: 83, qualifierKey: "GOOD" }, totalDuration: { qualifierKey: "GOOD" } },
  },
  remSleepData: true,
};

describe("Garmin daily summary mapping", () => {
  it("maps the documented fields into the vocabulary's units", () => {
    expect(mapDailySummary(dailySummary)).toEqual([
      { metric: "steps", day: "2026-11-20", value: 10432 },
      { metric: "distance", day: "2026-11-20", value: 8.137 },
      { metric: "resting_heart_rate", day: "2026-11-20", value: 52 },
      { metric: "heart_rate_max", day: "2026-11-20", value: 163 },
      { metric: "stress_avg", day: "2026-11-20", value: 31 },
      { metric: "body_battery_charged", day: "2026-11-20", value: 64 },
      { metric: "body_battery_drained", day: "2026-11-20", value: 58 },
      { metric: "active_calories", day: "2026-11-20", value: 612 },
      { metric: "total_calories", day: "2026-11-20", value: 2480 },
      { metric: "active_time", day: "2026-11-20", value: 6660 },
    ]);
  });

  it("treats a stress level of −1 (and other negatives) as no data", () => {
    const metrics = (stress: number | null) =>
      mapDailySummary({ ...dailySummary, averageStressLevel: stress }).map((s) => s.metric);
    expect(metrics(-1)).not.toContain("stress_avg");
    expect(metrics(-2)).not.toContain("stress_avg");
    expect(metrics(null)).not.toContain("stress_avg");
    expect(mapDailySummary({ ...dailySummary, averageStressLevel: 0 })).toContainEqual({
      metric: "stress_avg",
      day: "2026-11-20",
      value: 0,
    });
  });

  it("gives no samples for a day without wellness data (nulls), never zeros", () => {
    expect(
      mapDailySummary({
        calendarDate: "2026-11-21",
        includesWellnessData: false,
        totalSteps: null,
        restingHeartRate: null,
        averageStressLevel: null,
        bodyBatteryChargedValue: null,
        bodyBatteryDrainedValue: null,
        activeKilocalories: null,
        activeSeconds: null,
        highlyActiveSeconds: null,
      }),
    ).toEqual([]);
    // Missing keys behave like nulls; one active part is enough for active_time.
    expect(mapDailySummary({ calendarDate: "2026-11-21", highlyActiveSeconds: 600 })).toEqual([
      { metric: "active_time", day: "2026-11-21", value: 600 },
    ]);
    expect(mapDailySummary({ ...dailySummary, calendarDate: "20.11.2026" })).toEqual([]);
    expect(mapDailySummary({ ...dailySummary, calendarDate: undefined })).toEqual([]);
  });
});

describe("Garmin sleep mapping", () => {
  it("maps dailySleepDTO onto the morning it ends (calendarDate)", () => {
    expect(mapSleep(sleepData)).toEqual([
      { metric: "sleep_duration", day: "2026-11-20", value: 26_400 },
      { metric: "deep_sleep", day: "2026-11-20", value: 4_800 },
      { metric: "light_sleep", day: "2026-11-20", value: 14_700 },
      { metric: "rem_sleep", day: "2026-11-20", value: 6_900 },
      { metric: "awake_time", day: "2026-11-20", value: 2_400 },
      { metric: "time_in_bed", day: "2026-11-20", value: 28_800 },
      { metric: "sleep_score", day: "2026-11-20", value: 83 },
      { metric: "spo2", day: "2026-11-20", value: 95.4 },
      { metric: "respiratory_rate", day: "2026-11-20", value: 14.8 },
    ]);
  });

  it("leaves out an unscored night's score, SpO2 and stages that are missing", () => {
    const { sleepScores: _s, averageSpO2Value: _o, remSleepSeconds: _r, ...rest } = sleepData.dailySleepDTO;
    const metrics = mapSleep({ dailySleepDTO: { ...rest, averageRespirationValue: null } }).map((s) => s.metric);
    expect(metrics).toEqual(["sleep_duration", "deep_sleep", "light_sleep", "awake_time", "time_in_bed"]);
    expect(
      mapSleep({ dailySleepDTO: { ...sleepData.dailySleepDTO, sleepScores: { overall: { value: null } } } }).map(
        (s) => s.metric,
      ),
    ).not.toContain("sleep_score");
  });

  it("gives nothing for a night without sleep", () => {
    expect(
      mapSleep({
        dailySleepDTO: { id: null, calendarDate: "2026-11-20", sleepTimeSeconds: null, deepSleepSeconds: null },
      }),
    ).toEqual([]);
    expect(
      mapSleep({
        dailySleepDTO: { calendarDate: "2026-11-20", sleepTimeSeconds: 0, sleepScores: { overall: { value: 12 } } },
      }),
    ).toEqual([]);
    expect(mapSleep({ dailySleepDTO: null })).toEqual([]);
    expect(mapSleep({})).toEqual([]);
  });
});

describe("Garmin HRV and training readiness mapping", () => {
  it("maps hrvSummary.lastNightAvg to hrv_rmssd (ms)", () => {
    expect(
      mapHrv({
        hrvSummary: {
          calendarDate: "2026-11-20",
          weeklyAvg: 44,
          lastNightAvg: 47,
          lastNight5MinHigh: 71,
          status: "BALANCED",
        },
        hrvReadings: [],
      }),
    ).toEqual([{ metric: "hrv_rmssd", day: "2026-11-20", value: 47 }]);
    expect(mapHrv({ hrvSummary: { calendarDate: "2026-11-20", lastNightAvg: null } })).toEqual([]);
    expect(mapHrv({})).toEqual([]);
  });

  it("uses the morning (after wake-up) readiness for the day, whatever the order", () => {
    const entries = [
      {
        calendarDate: "2026-11-20",
        timestamp: "2026-11-20T17:41:00.0",
        score: 48,
        inputContext: "AFTER_POST_EXERCISE_RESET",
      },
      { calendarDate: "2026-11-20", timestamp: "2026-11-20T06:12:00.0", score: 71, inputContext: "AFTER_WAKEUP_RESET" },
      { calendarDate: "2026-11-19", timestamp: "2026-11-19T12:00:00.0", score: 66, inputContext: "AFTER_NAP" },
      {
        calendarDate: "2026-11-19",
        timestamp: "2026-11-19T15:00:00.0",
        score: 60,
        inputContext: "AFTER_POST_EXERCISE_RESET",
      },
      {
        calendarDate: "2026-11-18",
        timestamp: "2026-11-18T06:00:00.0",
        score: null,
        inputContext: "AFTER_WAKEUP_RESET",
      },
    ];
    expect(mapTrainingReadiness(entries)).toEqual([
      { metric: "readiness_score", day: "2026-11-20", value: 71 },
      // No morning entry: the earliest scored one.
      { metric: "readiness_score", day: "2026-11-19", value: 66 },
    ]);
    expect(mapTrainingReadiness([])).toEqual([]);
  });
});

describe("Garmin metricFields", () => {
  it("documents exactly the metrics the mappings produce", () => {
    const produced = [
      ...mapDailySummary(dailySummary),
      ...mapSleep(sleepData),
      ...mapHrv({ hrvSummary: { calendarDate: "2026-11-20", lastNightAvg: 47 } }),
      ...mapTrainingReadiness([{ calendarDate: "2026-11-20", score: 71, inputContext: "AFTER_WAKEUP_RESET" }]),
    ];
    expect(new Set(produced.map((s) => s.metric))).toEqual(new Set(Object.keys(garmin.metricFields)));
  });
});

/** A fake connectapi client that records what was asked. */
function fakeApi(
  answer: (path: string, query?: QueryParams) => unknown,
): ProviderApi & { calls: Array<{ path: string; query?: QueryParams }> } {
  const calls: Array<{ path: string; query?: QueryParams }> = [];
  return {
    baseUrl: "https://connectapi.garmin.com",
    calls,
    get: async (path, query) => {
      calls.push({ path, query });
      return answer(path, query);
    },
    post: async () => {
      throw new Error("not used");
    },
  };
}

describe("Garmin collections page one day at a time", () => {
  const collection = (id: string) => garmin.collections.find((c) => c.id === id)!;
  const range = {
    startDay: "2026-11-18",
    endDay: "2026-11-20",
    start: new Date("2026-11-18T00:00:00Z"),
    end: new Date("2026-11-20T23:59:59.999Z"),
  };

  async function walk(id: string, api: ProviderApi) {
    const pages = [];
    let cursor: string | undefined;
    for (;;) {
      const page = await collection(id).fetchPage(api, range, cursor);
      pages.push(page);
      if (!page.nextCursor) return pages;
      cursor = page.nextCursor;
    }
  }

  it("sleep: looks up the displayName once and asks dailySleepData for each day", async () => {
    const api = fakeApi((path, query) =>
      path === "/userprofile-service/socialProfile"
        ? { displayName: "a1b2 c3", profileId: 81234567 }
        : { dailySleepDTO: { calendarDate: query?.date } },
    );
    const pages = await walk("sleep", api);
    expect(pages).toHaveLength(3);
    expect(api.calls).toEqual([
      { path: "/userprofile-service/socialProfile", query: undefined },
      {
        path: "/wellness-service/wellness/dailySleepData/a1b2%20c3",
        query: { date: "2026-11-18", nonSleepBufferMinutes: "60" },
      },
      {
        path: "/wellness-service/wellness/dailySleepData/a1b2%20c3",
        query: { date: "2026-11-19", nonSleepBufferMinutes: "60" },
      },
      {
        path: "/wellness-service/wellness/dailySleepData/a1b2%20c3",
        query: { date: "2026-11-20", nonSleepBufferMinutes: "60" },
      },
    ]);
  });

  it("hrv: asks the range endpoint, 28 days a page, and maps hrvSummaries; readiness lists are kept whole", async () => {
    const hrvApi = fakeApi((path) =>
      path.endsWith("2026-11-20")
        ? {
            hrvSummaries: [
              { calendarDate: "2026-11-18", lastNightAvg: 40 },
              { calendarDate: "2026-11-20", lastNightAvg: 44 },
            ],
          }
        : undefined,
    );
    const hrvPages = await walk("hrv", hrvApi);
    expect(hrvPages.flatMap((p) => p.items.flatMap((item) => mapHrv(item as never)))).toEqual([
      { metric: "hrv_rmssd", day: "2026-11-18", value: 40 },
      { metric: "hrv_rmssd", day: "2026-11-20", value: 44 },
    ]);
    expect(hrvApi.calls.map((c) => c.path)).toEqual(["/hrv-service/hrv/daily/2026-11-18/2026-11-20"]);
    const month = { ...range, startDay: "2026-10-21" };
    const monthApi = fakeApi(() => ({ hrvSummaries: [] }));
    let cursor: string | undefined;
    do {
      cursor = (await collection("hrv").fetchPage(monthApi, month, cursor)).nextCursor ?? undefined;
    } while (cursor);
    expect(monthApi.calls.map((c) => c.path)).toEqual([
      "/hrv-service/hrv/daily/2026-10-21/2026-11-17",
      "/hrv-service/hrv/daily/2026-11-18/2026-11-20",
    ]);
    await expect(
      collection("hrv").fetchPage(
        fakeApi(() => ({ hrvSummaries: { calendarDate: "2026-11-18" } })),
        range,
        undefined,
      ),
    ).rejects.toBeInstanceOf(ProviderPayloadError);

    const readinessApi = fakeApi(() => [
      { calendarDate: "2026-11-18", score: 70 },
      { calendarDate: "2026-11-18", score: 50 },
    ]);
    const readinessPages = await walk("training_readiness", readinessApi);
    expect(readinessPages.flatMap((p) => p.items)).toHaveLength(6);
    await expect(
      collection("training_readiness").fetchPage(
        fakeApi(() => ({ score: 1 })),
        range,
        undefined,
      ),
    ).rejects.toBeInstanceOf(ProviderPayloadError);
  });

  it("a 30-day backfill (31 days) costs 97 requests: 31 each for sleep, summary and readiness, 2 for HRV, 2 profile look-ups", async () => {
    const month = { ...range, startDay: "2026-10-21" };
    const api = fakeApi((path) => (path.startsWith("/userprofile") ? { displayName: "runner" } : undefined));
    for (const c of garmin.collections) {
      let cursor: string | undefined;
      do {
        cursor = (await c.fetchPage(api, month, cursor)).nextCursor ?? undefined;
      } while (cursor);
    }
    expect(api.calls).toHaveLength(97);
    expect(api.calls.filter((c) => c.path.startsWith("/hrv-service"))).toHaveLength(2);
  });

  it("daily summary: names the displayName in the path and the day in calendarDate", async () => {
    const api = fakeApi((path, query) =>
      path.startsWith("/userprofile") ? { displayName: "runner" } : { calendarDate: query?.calendarDate },
    );
    await walk("daily_summary", api);
    expect(api.calls.slice(1).map((c) => [c.path, c.query?.calendarDate])).toEqual([
      ["/usersummary-service/usersummary/daily/runner", "2026-11-18"],
      ["/usersummary-service/usersummary/daily/runner", "2026-11-19"],
      ["/usersummary-service/usersummary/daily/runner", "2026-11-20"],
    ]);
  });
});

/* ---------- the sign-in flow against a scripted fake Garmin ---------- */

const ENDPOINTS = { sso: "https://sso.test", api: "https://connectapi.test", auth: "https://diauth.test" };
const PASSWORD = "hunter2-very-secret";
const CLIENT_ID = "GARMIN_CONNECT_MOBILE_ANDROID_DI_2025Q2";
const TICKET_GRANT = "https://connectapi.garmin.com/di-oauth2-service/oauth/grant/service_ticket";

type Script = (url: URL, init: RequestInit) => Response | Promise<Response>;

/** A request body the session code sent; it only ever sends strings (JSON or a form). */
const bodyText = (init: RequestInit): string => (typeof init.body === "string" ? init.body : "");
const headerOf = (init: RequestInit, name: string) => (init.headers as Record<string, string>)[name];

function scripted(script: Script) {
  const requests: Array<{ url: URL; init: RequestInit }> = [];
  const fetchImpl = (async (input: string | URL | Request, init?: RequestInit) => {
    const url = new URL(input instanceof Request ? input.url : input);
    requests.push({ url, init: init ?? {} });
    return script(url, init ?? {});
  }) as typeof fetch;
  const session = createGarminSession({
    clientId: CLIENT_ID,
    fetch: fetchImpl,
    now: () => new Date("2026-11-20T08:00:00Z"),
  });
  return { session, requests };
}

const verdict = (status: number, type: string, extra: Record<string, unknown> = {}, headers?: HeadersInit) =>
  Response.json(
    {
      serviceURL: null,
      serviceTicketId: null,
      responseStatus: { type, message: "", httpStatus: "X" },
      customerMfaInfo: null,
      authType: "CAS",
      ...extra,
    },
    { status, headers },
  );

const diTokens = (extra: Record<string, unknown> = {}) =>
  Response.json({
    access_token: "di-at",
    refresh_token: "di-rt",
    token_type: "bearer",
    expires_in: 86_400,
    refresh_token_expires_in: 7_776_000,
    scope: "CONNECT_READ CONNECT_WRITE",
    ...extra,
  });

function garminScript(
  loginAnswer: () => Response,
  tokenAnswer: (form: URLSearchParams) => Response = () => diTokens(),
): Script {
  return (url, init) => {
    if (url.pathname === "/mobile/api/login") return loginAnswer();
    if (url.pathname === "/mobile/api/mfa/verifyCode")
      return verdict(200, "SUCCESSFUL", { serviceTicketId: "ST-1-abc-sso" });
    if (url.pathname === "/di-oauth2-service/oauth/token") return tokenAnswer(new URLSearchParams(bodyText(init)));
    if (url.pathname === "/userprofile-service/socialProfile")
      return Response.json({ displayName: "runner", profileId: 81234567 });
    return new Response("not found", { status: 404 });
  };
}

const mfaLogin = () =>
  verdict(
    200,
    "MFA_REQUIRED",
    { customerMfaInfo: { mfaLastMethodUsed: "email" } },
    { "set-cookie": "SESSIONID=abc; Path=/; HttpOnly" },
  );

describe("Garmin sign-in (mobile SSO → DI OAuth2)", () => {
  it("without MFA: one login call, the ticket exchanged for DI tokens, the refresh token kept as the session", async () => {
    const { session, requests } = scripted(
      garminScript(() => verdict(200, "SUCCESSFUL", { serviceTicketId: "ST-1-abc-sso" })),
    );
    const result = await session.login(ENDPOINTS, "me@example.com", PASSWORD);
    expect(result).toEqual({
      kind: "connected",
      tokens: {
        accessToken: "di-at",
        refreshToken: undefined,
        expiresAt: new Date("2026-11-21T08:00:00Z"),
        scopes: ["CONNECT_READ", "CONNECT_WRITE"],
        providerUserId: "81234567",
      },
      sessionSecrets: { diRefreshToken: "di-rt", diClientId: CLIENT_ID, displayName: "runner" },
    });
    const [loginRequest, exchange, profile] = requests;
    expect(requests).toHaveLength(3);
    expect(loginRequest!.url.origin + loginRequest!.url.pathname).toBe("https://sso.test/mobile/api/login");
    expect(Object.fromEntries(loginRequest!.url.searchParams)).toEqual({
      clientId: "GCM_IOS_DARK",
      locale: "en-US",
      service: "https://mobile.integration.garmin.com/gcm/ios",
    });
    expect(JSON.parse(bodyText(loginRequest!.init))).toEqual({
      username: "me@example.com",
      password: PASSWORD,
      rememberMe: true,
      captchaToken: "",
    });
    expect(exchange!.url.href).toBe("https://diauth.test/di-oauth2-service/oauth/token");
    expect(headerOf(exchange!.init, "authorization")).toBe(`Basic ${Buffer.from(`${CLIENT_ID}:`).toString("base64")}`);
    expect(headerOf(exchange!.init, "content-type")).toBe("application/x-www-form-urlencoded");
    expect(Object.fromEntries(new URLSearchParams(bodyText(exchange!.init)))).toEqual({
      client_id: CLIENT_ID,
      grant_type: TICKET_GRANT,
      service_ticket: "ST-1-abc-sso",
      service_url: "https://mobile.integration.garmin.com/gcm/ios",
    });
    expect(headerOf(profile!.init, "authorization")).toBe("Bearer di-at");
    // The password only ever went to the login API.
    expect(requests.filter((r) => bodyText(r.init).includes(PASSWORD) || r.url.href.includes(PASSWORD))).toEqual([
      loginRequest,
    ]);
  });

  it("reads the lifetime from the JWT's exp when expires_in is absent", async () => {
    const exp = Date.parse("2026-11-21T07:30:00Z") / 1000;
    const jwt = `e30.${Buffer.from(JSON.stringify({ exp, client_id: CLIENT_ID })).toString("base64url")}.sig`;
    const { session } = scripted(
      garminScript(
        () => verdict(200, "SUCCESSFUL", { serviceTicketId: "ST-1-abc-sso" }),
        () => Response.json({ access_token: jwt, refresh_token: "di-rt" }),
      ),
    );
    const result = await session.login(ENDPOINTS, "me@example.com", PASSWORD);
    expect(result.kind === "connected" && result.tokens.expiresAt).toEqual(new Date("2026-11-21T07:30:00Z"));
  });

  it("with MFA: the context carries the login's cookies, never the password; the code finishes the sign-in", async () => {
    const { session, requests } = scripted(garminScript(mfaLogin));
    const started = await session.login(ENDPOINTS, "me@example.com", PASSWORD);
    expect(started).toEqual({ kind: "mfa_required", context: { cookies: "SESSIONID=abc", mfaMethod: "email" } });
    expect(JSON.stringify(started)).not.toContain(PASSWORD);
    const done = await session.verifyMfa(ENDPOINTS, { cookies: "SESSIONID=abc", mfaMethod: "email" }, "123456");
    expect(done).toMatchObject({ kind: "connected", sessionSecrets: { diRefreshToken: "di-rt" } });
    const verify = requests.find((r) => r.url.pathname === "/mobile/api/mfa/verifyCode")!;
    expect(headerOf(verify.init, "cookie")).toBe("SESSIONID=abc");
    expect(verify.url.searchParams.get("clientId")).toBe("GCM_IOS_DARK");
    expect(JSON.parse(bodyText(verify.init))).toEqual({
      mfaMethod: "email",
      mfaVerificationCode: "123456",
      rememberMyBrowser: true,
      reconsentList: [],
      mfaSetup: false,
    });
    const exchange = requests.find((r) => r.url.pathname === "/di-oauth2-service/oauth/token")!;
    expect(new URLSearchParams(bodyText(exchange.init)).get("service_ticket")).toBe("ST-1-abc-sso");
  });

  it("classifies Garmin's refusals (wrong password, lock, rate limit, outage) without echoing the password", async () => {
    const attempt = async (answer: () => Response) => {
      const error = await scripted(garminScript(answer))
        .session.login(ENDPOINTS, "me@example.com", PASSWORD)
        .catch((e: unknown) => e as Error);
      expect(String((error as Error).message)).not.toContain(PASSWORD);
      return error;
    };
    expect(await attempt(() => verdict(401, "INVALID_USERNAME_PASSWORD"))).toBeInstanceOf(SessionCredentialsError);
    expect(await attempt(() => verdict(423, "ACCOUNT_LOCKED"))).toBeInstanceOf(SessionAccountLockedError);
    expect(await attempt(() => new Response("", { status: 429, headers: { "retry-after": "30" } }))).toBeInstanceOf(
      ProviderRateLimitError,
    );
    expect(await attempt(() => new Response("<html>Cloudflare</html>", { status: 503 }))).toBeInstanceOf(ProviderError);
    expect(await attempt(() => verdict(400, `WEIRD ${PASSWORD}`))).toMatchObject({
      message: "Garmin sign-in failed (unknown answer)",
    });
    // MFA_REQUIRED without a session cookie cannot be finished.
    expect(await attempt(() => verdict(200, "MFA_REQUIRED"))).toBeInstanceOf(ProviderPayloadError);

    const unreachable = createGarminSession({
      clientId: CLIENT_ID,
      fetch: async () => {
        throw new TypeError(`fetch failed for ${PASSWORD}`);
      },
    });
    const error = (await unreachable.login(ENDPOINTS, "me@example.com", PASSWORD).catch((e: unknown) => e)) as Error;
    expect(error).toBeInstanceOf(ProviderError);
    expect(error.message).toBe("Garmin could not be reached (TypeError)");
  });

  it("maps MFA refusals: a wrong code can be retried, a late or used-up one cannot", async () => {
    const withVerdict = (type: string) =>
      scripted((url) =>
        url.pathname === "/mobile/api/mfa/verifyCode" ? verdict(400, type) : new Response("", { status: 404 }),
      ).session.verifyMfa(ENDPOINTS, { cookies: "SESSIONID=abc", mfaMethod: "email" }, "000000");
    await expect(withVerdict("INVALID_MFA_CODE")).rejects.toBeInstanceOf(SessionMfaCodeError);
    await expect(withVerdict("MFA_CODE_EXPIRED")).rejects.toBeInstanceOf(SessionMfaExpiredError);
    await expect(
      scripted(() => verdict(200, "SUCCESSFUL")).session.verifyMfa(ENDPOINTS, { mfaMethod: "email" }, "1"),
    ).rejects.toBeInstanceOf(SessionMfaExpiredError);
  });

  it("a refused ticket is a grant error; a refused client id is an operator error", async () => {
    const withToken = (answer: () => Response) =>
      scripted(
        garminScript(() => verdict(200, "SUCCESSFUL", { serviceTicketId: "ST-1-abc-sso" }), answer),
      ).session.login(ENDPOINTS, "me@example.com", PASSWORD);
    await expect(withToken(() => Response.json({ error: "invalid_grant" }, { status: 400 }))).rejects.toBeInstanceOf(
      ProviderGrantError,
    );
    await expect(withToken(() => Response.json({ error: "invalid_client" }, { status: 401 }))).rejects.toBeInstanceOf(
      ProviderClientError,
    );
    await expect(withToken(() => Response.json({ access_token: "x" }))).rejects.toBeInstanceOf(ProviderPayloadError);
  });
});

describe("Garmin session renewal (DI refresh token)", () => {
  it("refreshes with the kept refresh token and keeps the rotated one", async () => {
    const { session, requests } = scripted(
      garminScript(
        () => verdict(500, "X"),
        () => diTokens({ access_token: "di-at-2", refresh_token: "di-rt-2" }),
      ),
    );
    const secrets = { diRefreshToken: "di-rt", diClientId: CLIENT_ID, displayName: "runner" };
    const renewed = await session.refresh(ENDPOINTS, secrets);
    expect(renewed).toEqual({
      kind: "connected",
      tokens: {
        accessToken: "di-at-2",
        refreshToken: undefined,
        expiresAt: new Date("2026-11-21T08:00:00Z"),
        scopes: ["CONNECT_READ", "CONNECT_WRITE"],
      },
      sessionSecrets: { diRefreshToken: "di-rt-2", diClientId: CLIENT_ID, displayName: "runner" },
    });
    expect(requests).toHaveLength(1);
    expect(requests[0]!.url.href).toBe("https://diauth.test/di-oauth2-service/oauth/token");
    expect(headerOf(requests[0]!.init, "authorization")).toBe(
      `Basic ${Buffer.from(`${CLIENT_ID}:`).toString("base64")}`,
    );
    expect(Object.fromEntries(new URLSearchParams(bodyText(requests[0]!.init)))).toEqual({
      client_id: CLIENT_ID,
      grant_type: "refresh_token",
      refresh_token: "di-rt",
    });
    // No new refresh token in the answer: the old one stays the session.
    const kept = await scripted(
      garminScript(
        () => verdict(500, "X"),
        () => diTokens({ refresh_token: undefined }),
      ),
    ).session.refresh(ENDPOINTS, secrets);
    expect(kept.sessionSecrets).toEqual(secrets);
  });

  it("a refused refresh token is a grant error (the connection is disconnected)", async () => {
    const { session } = scripted(
      garminScript(
        () => verdict(500, "X"),
        () => Response.json({ error: "invalid_grant" }, { status: 400 }),
      ),
    );
    await expect(
      session.refresh(ENDPOINTS, { diRefreshToken: "dead", diClientId: CLIENT_ID, displayName: "runner" }),
    ).rejects.toBeInstanceOf(ProviderGrantError);
  });

  it("a session stored in the old OAuth1 format is refused without asking Garmin, with the reconnect message", async () => {
    const { session, requests } = scripted(garminScript(() => verdict(500, "X")));
    const error = (await session
      .refresh(ENDPOINTS, { oauthToken: "ot", oauthTokenSecret: "ots", displayName: "runner" })
      .catch((e: unknown) => e)) as Error;
    expect(error).toBeInstanceOf(ProviderAuthError);
    expect(error.message).toBe(GARMIN_OLD_SESSION_MESSAGE);
    expect(error.message).toMatch(/Reconnect once/);
    expect(requests).toEqual([]);
  });
});

describe("CookieJar", () => {
  it("keeps name=value pairs, updates and expires them", () => {
    const jar = new CookieJar("a=1; b=2");
    const headers = new Headers();
    headers.append("set-cookie", "b=3; Path=/; HttpOnly");
    headers.append("set-cookie", "a=; Max-Age=0; Path=/");
    headers.append("set-cookie", "c=4; Secure");
    jar.absorb(new Response(null, { headers }));
    expect(jar.toString()).toBe("b=3; c=4");
  });
});
