import { revokeByTokenQuery } from "./revoke";
import { ouraWebhooks } from "./oura-webhooks";
import { isDay, localDay, metresToKm, num, readEnvelope, samples, shiftDay, utcOffsetMinutes } from "./paging";
import type {
  Collection,
  MappingContext,
  MetricSample,
  OAuth2Endpoints,
  OAuth2Provider,
  ProviderApi,
  SandboxTarget,
  SyncRange,
} from "./types";

/**
 * Oura API v2 (https://cloud.ouraring.com/v2/docs). Client credentials go in the token request
 * body; refresh tokens are single-use; every collection pages with `{data, next_token}`.
 */

interface OuraDoc {
  id?: string;
  day?: string;
  timestamp?: string;
  [key: string]: unknown;
}

interface OuraSleepPeriod extends OuraDoc {
  type?: string;
  bedtime_end?: string;
  total_sleep_duration?: number | null;
  time_in_bed?: number | null;
  efficiency?: number | null;
  deep_sleep_duration?: number | null;
  rem_sleep_duration?: number | null;
  light_sleep_duration?: number | null;
  awake_time?: number | null;
  latency?: number | null;
  restless_periods?: number | null;
  average_breath?: number | null;
  lowest_heart_rate?: number | null;
  average_hrv?: number | null;
  hrv?: { items?: Array<number | null> } | null;
}

interface OuraHeartRateSample {
  bpm?: number;
  timestamp?: string;
}

const CTX_OFFSET = "utcOffsetMinutes";

/** Remembers the user's UTC offset from the first daily document that carries one. */
function learnOffset(ctx: MappingContext, doc: OuraDoc): void {
  if (ctx[CTX_OFFSET] === undefined) {
    const offset = utcOffsetMinutes(doc.timestamp ?? (doc as OuraSleepPeriod).bedtime_end);
    if (offset !== undefined) ctx[CTX_OFFSET] = offset;
  }
}

/**
 * Daily collections filter by `day`. Oura's date range edges are inconsistent (a date-only
 * end_date is treated as midnight; `sleep` has been seen start-exclusive), so ask one day wider on
 * each side; the sync engine keeps only samples inside the requested range.
 */
function fetchDailyPage<T>(id: string): Collection<T>["fetchPage"] {
  return async (api: ProviderApi, range: SyncRange, cursor) => {
    const body = await api.get(`/v2/usercollection/${id}`, {
      start_date: shiftDay(range.startDay, -1),
      end_date: shiftDay(range.endDay, 1),
      next_token: cursor,
    });
    return readEnvelope<T>("Oura", body, "data", "next_token");
  };
}

function dailyCollection<T extends OuraDoc>(
  id: string,
  map: (doc: T, ctx: MappingContext) => MetricSample[],
): Collection<T> {
  return {
    id,
    fetchPage: fetchDailyPage<T>(id),
    map(doc, ctx) {
      if (!isDay(doc.day)) return [];
      learnOffset(ctx, doc);
      return map(doc, ctx);
    },
  };
}

/** Difference between the mean of the last and first thirds of the night's 5-minute HRV samples. */
export function overnightHrvTrend(items: Array<number | null> | undefined): number | undefined {
  const values = (items ?? []).filter((v): v is number => typeof v === "number" && Number.isFinite(v));
  if (values.length < 6) return undefined;
  const third = Math.floor(values.length / 3);
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  return Math.round((mean(values.slice(-third)) - mean(values.slice(0, third))) * 10) / 10;
}

/** The night's main period: the longest `long_sleep`, else the longest non-deleted period. */
export function mainSleepPeriod(periods: OuraSleepPeriod[]): OuraSleepPeriod | undefined {
  const usable = periods.filter((p) => p.type !== "deleted" && p.type !== "rest");
  const longSleeps = usable.filter((p) => p.type === "long_sleep");
  const pool = longSleeps.length ? longSleeps : usable;
  return pool.reduce<OuraSleepPeriod | undefined>(
    (best, p) => ((num(p.total_sleep_duration) ?? 0) > (num(best?.total_sleep_duration) ?? -1) ? p : best),
    undefined,
  );
}

const sleepPeriods: Collection<OuraSleepPeriod> = {
  id: "sleep",
  fetchPage: fetchDailyPage<OuraSleepPeriod>("sleep"),
  // Several periods can share a day (naps); the night's main period speaks for the day.
  map: () => [],
  aggregate(periods, ctx) {
    const byDay = new Map<string, OuraSleepPeriod[]>();
    for (const p of periods) {
      if (!isDay(p.day)) continue;
      learnOffset(ctx, p);
      byDay.set(p.day, [...(byDay.get(p.day) ?? []), p]);
    }
    return [...byDay].flatMap(([day, dayPeriods]) => {
      const p = mainSleepPeriod(dayPeriods);
      if (!p) return [];
      return samples(day, [
        ["sleep_duration", num(p.total_sleep_duration)],
        ["time_in_bed", num(p.time_in_bed)],
        ["sleep_efficiency", num(p.efficiency)],
        ["deep_sleep", num(p.deep_sleep_duration)],
        ["rem_sleep", num(p.rem_sleep_duration)],
        ["light_sleep", num(p.light_sleep_duration)],
        ["awake_time", num(p.awake_time)],
        ["sleep_latency", num(p.latency)],
        ["restless_periods", num(p.restless_periods)],
        ["respiratory_rate", num(p.average_breath)],
        // Oura has no resting-HR field; the night's lowest heart rate is what the app shows as resting HR.
        ["resting_heart_rate", num(p.lowest_heart_rate)],
        ["hrv_rmssd", num(p.average_hrv)],
        ["hrv_overnight_trend", overnightHrvTrend(p.hrv?.items)],
      ]);
    });
  },
};

/** Oura serves at most 30 days of heart rate per request; we ask in 10-day windows. */
const HEART_RATE_WINDOW_DAYS = 10;

const heartRate: Collection<OuraHeartRateSample> = {
  id: "heartrate",
  // Cursor: "<window start day>|<Oura next_token or empty>".
  async fetchPage(api, range, cursor) {
    const first = shiftDay(range.startDay, -1);
    const last = shiftDay(range.endDay, 2); // exclusive: local days can run up to a day past UTC
    const [windowStart = first, token = ""] = cursor ? cursor.split("|") : [];
    const windowEnd = [shiftDay(windowStart, HEART_RATE_WINDOW_DAYS), last].sort()[0]!;
    const body = await api.get("/v2/usercollection/heartrate", {
      start_datetime: `${windowStart}T00:00:00Z`,
      end_datetime: `${windowEnd}T00:00:00Z`,
      next_token: token || undefined,
    });
    const page = readEnvelope<OuraHeartRateSample>("Oura", body, "data", "next_token");
    const nextCursor = page.nextCursor
      ? `${windowStart}|${page.nextCursor}`
      : windowEnd < last
        ? `${windowEnd}|`
        : null;
    return { items: page.items, nextCursor };
  },
  map: () => [],
  // 5-minute samples in UTC: grouped into the user's local days with the offset the daily documents carry.
  aggregate(items, ctx) {
    const offset = typeof ctx[CTX_OFFSET] === "number" ? ctx[CTX_OFFSET] : 0;
    const byDay = new Map<string, number[]>();
    for (const s of items) {
      const bpm = num(s.bpm);
      const at = s.timestamp ? new Date(s.timestamp) : undefined;
      if (bpm === undefined || !at || Number.isNaN(at.getTime())) continue;
      const day = localDay(at, offset);
      byDay.set(day, [...(byDay.get(day) ?? []), bpm]);
    }
    return [...byDay].flatMap(([day, bpms]) =>
      samples(day, [
        ["heart_rate_avg", Math.round(bpms.reduce((a, b) => a + b, 0) / bpms.length)],
        ["heart_rate_max", Math.max(...bpms)],
      ]),
    );
  },
};

// Oura's ordered words, stored as their 1-based rank (an unknown word gives no sample).
const STRESS_DAY_SUMMARIES = ["restored", "normal", "stressful"] as const;
const RESILIENCE_LEVELS = ["limited", "adequate", "solid", "strong", "exceptional"] as const;
function levelOf(levels: readonly string[], word: string | null | undefined): number | undefined {
  const rank = typeof word === "string" ? levels.indexOf(word) : -1;
  return rank < 0 ? undefined : rank + 1;
}

const collections: OAuth2Provider["collections"] = [
  dailyCollection<OuraDoc & { score?: number | null }>("daily_sleep", (d) =>
    samples(d.day!, [["sleep_score", num(d.score)]]),
  ),
  sleepPeriods,
  dailyCollection<
    OuraDoc & {
      score?: number | null;
      temperature_deviation?: number | null;
      contributors?: Record<string, number | null>;
    }
  >("daily_readiness", (d) =>
    samples(d.day!, [
      ["readiness_score", num(d.score)],
      ["hrv_balance_score", num(d.contributors?.hrv_balance)],
      ["resting_heart_rate_score", num(d.contributors?.resting_heart_rate)],
      ["recovery_index_score", num(d.contributors?.recovery_index)],
      ["temperature_deviation", num(d.temperature_deviation)],
    ]),
  ),
  dailyCollection<
    OuraDoc & {
      score?: number | null;
      steps?: number;
      equivalent_walking_distance?: number;
      active_calories?: number;
      total_calories?: number;
      high_activity_time?: number;
      medium_activity_time?: number;
      low_activity_time?: number;
    }
  >("daily_activity", (d) => {
    const parts = [d.high_activity_time, d.medium_activity_time, d.low_activity_time].map(num);
    const activeTime = parts.every((p) => p === undefined)
      ? undefined
      : parts.reduce<number>((a, b) => a + (b ?? 0), 0);
    return samples(d.day!, [
      ["steps", num(d.steps)],
      ["distance", metresToKm(num(d.equivalent_walking_distance))],
      ["active_calories", num(d.active_calories)],
      ["total_calories", num(d.total_calories)],
      ["active_time", activeTime],
      ["activity_score", num(d.score)],
    ]);
  }),
  dailyCollection<
    OuraDoc & { spo2_percentage?: { average?: number | null } | null; breathing_disturbance_index?: number | null }
  >("daily_spo2", (d) =>
    samples(d.day!, [
      ["spo2", num(d.spo2_percentage?.average)],
      ["breathing_disturbance_index", num(d.breathing_disturbance_index)],
    ]),
  ),
  dailyCollection<
    OuraDoc & { stress_high?: number | null; recovery_high?: number | null; day_summary?: string | null }
  >("daily_stress", (d) =>
    samples(d.day!, [
      ["stress_high", num(d.stress_high)],
      ["recovery_high", num(d.recovery_high)],
      ["stress_day_summary", levelOf(STRESS_DAY_SUMMARIES, d.day_summary)],
    ]),
  ),
  dailyCollection<
    OuraDoc & {
      level?: string | null;
      contributors?: { sleep_recovery?: number | null; daytime_recovery?: number | null; stress?: number | null };
    }
  >("daily_resilience", (d) =>
    samples(d.day!, [
      ["resilience_level", levelOf(RESILIENCE_LEVELS, d.level)],
      ["resilience_sleep_recovery", num(d.contributors?.sleep_recovery)],
      ["resilience_daytime_recovery", num(d.contributors?.daytime_recovery)],
      ["resilience_stress", num(d.contributors?.stress)],
    ]),
  ),
  // Last: it needs the UTC offset the daily documents above taught the context.
  heartRate,
];

/**
 * The local sandbox (Oura's stand-in at `${APP_URL}/sandbox/oura`): the client it accepts (not a
 * secret: the sandbox only runs while no real Oura credentials are set) and where it serves
 * Oura's endpoints.
 */
export const ouraSandboxTarget: SandboxTarget<OAuth2Endpoints> = {
  clientId: "oura-sandbox-client",
  clientSecret: "oura-sandbox-secret-6f1d2c9a",
  endpoints: (baseUrl) => ({
    authorization: `${baseUrl}/oauth/authorize`,
    token: `${baseUrl}/oauth/token`,
    api: baseUrl,
    revocation: `${baseUrl}/oauth/revoke`,
  }),
};

export const oura: OAuth2Provider = {
  id: "oura",
  name: "Oura",
  kind: "oauth2",
  description: "Oura Ring: sleep, readiness, activity and heart rate.",
  color: "#2f4a73",
  dataSummary: "Sleep, readiness, activity, SpO2, stress, resilience, heart rate",
  backfillDays: 30,
  endpoints: {
    authorization: "https://cloud.ouraring.com/oauth/authorize",
    token: "https://api.ouraring.com/oauth/token",
    api: "https://api.ouraring.com",
    revocation: "https://api.ouraring.com/oauth/revoke",
  },
  sandbox: ouraSandboxTarget,
  // The permissions the help page asks for: daily data, heart rate, workout, session, SpO2, personal info.
  // `stress` (daily_resilience) is enforced by the live API though missing from the scope list.
  scopes: ["email", "personal", "daily", "heartrate", "workout", "session", "spo2Daily", "stress"],
  scopeSeparator: " ",
  // PKCE is not in Oura's documentation, but its token endpoint is plain RFC 6749 (unknown
  // parameters are ignored) and public clients send S256 to it; where Oura checks it, a code
  // issued in someone else's flow is refused. The state bound to the session protects either way.
  checks: ["state", "pkce"],
  clientAuthentication: "client_secret_post",
  refreshTokens: "single-use",
  async fetchUserId(api) {
    const info = (await api.get("/v2/usercollection/personal_info")) as { id?: unknown } | undefined;
    return typeof info?.id === "string" ? info.id : undefined;
  },
  collections,
  collectionScopes: {
    daily_sleep: ["daily"],
    sleep: ["daily"],
    daily_readiness: ["daily"],
    daily_activity: ["daily"],
    // The authorisation page spells it `spo2`; the API documentation `spo2Daily`.
    daily_spo2: ["spo2Daily", "spo2"],
    daily_stress: ["daily"],
    daily_resilience: ["stress"],
    heartrate: ["heartrate"],
  },
  // `GET /oauth/revoke?access_token=…` ends the whole grant.
  revoke: revokeByTokenQuery("Oura"),
  // Signed notifications about the collections above, via app-level subscriptions (oura-webhooks.ts).
  webhooks: ouraWebhooks(collections),
  // How the sandbox's consent page looks, so it reads like this provider's own screen (Tailwind
  // classes written out in full so Tailwind's source scan finds them).
  branding: {
    name: "Oura",
    page: "bg-[#0b0d12] text-zinc-100",
    card: "bg-[#151922] border border-white/10",
    muted: "text-zinc-400",
    primaryButton: "bg-zinc-100 text-[#0b0d12] hover:bg-white",
    secondaryButton: "border border-white/20 text-zinc-100 hover:bg-white/10",
    input: "bg-[#0b0d12] border border-white/20 text-zinc-100",
  },
  metricFields: {
    sleep_score: "daily_sleep.score",
    sleep_duration: "sleep.total_sleep_duration (night's main period)",
    time_in_bed: "sleep.time_in_bed",
    sleep_efficiency: "sleep.efficiency",
    deep_sleep: "sleep.deep_sleep_duration",
    rem_sleep: "sleep.rem_sleep_duration",
    light_sleep: "sleep.light_sleep_duration",
    awake_time: "sleep.awake_time",
    sleep_latency: "sleep.latency",
    restless_periods: "sleep.restless_periods",
    respiratory_rate: "sleep.average_breath",
    resting_heart_rate: "sleep.lowest_heart_rate",
    hrv_rmssd: "sleep.average_hrv",
    hrv_overnight_trend: "sleep.hrv.items (last third − first third of the night)",
    readiness_score: "daily_readiness.score",
    hrv_balance_score: "daily_readiness.contributors.hrv_balance",
    resting_heart_rate_score: "daily_readiness.contributors.resting_heart_rate",
    recovery_index_score: "daily_readiness.contributors.recovery_index",
    temperature_deviation: "daily_readiness.temperature_deviation",
    steps: "daily_activity.steps",
    distance: "daily_activity.equivalent_walking_distance (m → km)",
    active_calories: "daily_activity.active_calories",
    total_calories: "daily_activity.total_calories",
    active_time: "daily_activity.high/medium/low_activity_time (sum)",
    activity_score: "daily_activity.score",
    spo2: "daily_spo2.spo2_percentage.average",
    breathing_disturbance_index: "daily_spo2.breathing_disturbance_index",
    stress_high: "daily_stress.stress_high",
    recovery_high: "daily_stress.recovery_high",
    stress_day_summary: "daily_stress.day_summary (restored 1, normal 2, stressful 3)",
    resilience_level: "daily_resilience.level (limited 1 … exceptional 5)",
    resilience_sleep_recovery: "daily_resilience.contributors.sleep_recovery",
    resilience_daytime_recovery: "daily_resilience.contributors.daytime_recovery",
    resilience_stress: "daily_resilience.contributors.stress",
    heart_rate_avg: "heartrate.bpm (mean of the local day's 5-minute samples)",
    heart_rate_max: "heartrate.bpm (max of the local day)",
  },
  // Where this provider ranks among the sources of each metric it supplies (lower first; the
  // others' ranks are in their modules, in steps of 10 so a new provider can slot in between).
  metricPriority: {
    sleep_score: 10,
    sleep_duration: 10,
    time_in_bed: 10,
    sleep_efficiency: 10,
    deep_sleep: 10,
    rem_sleep: 10,
    light_sleep: 10,
    awake_time: 10,
    sleep_latency: 10,
    restless_periods: 10,
    respiratory_rate: 10,
    resting_heart_rate: 10,
    hrv_rmssd: 10,
    hrv_overnight_trend: 10,
    readiness_score: 10,
    hrv_balance_score: 10,
    resting_heart_rate_score: 10,
    recovery_index_score: 10,
    temperature_deviation: 10,
    steps: 20,
    distance: 30,
    active_calories: 20,
    total_calories: 20,
    active_time: 20,
    activity_score: 10,
    spo2: 10,
    breathing_disturbance_index: 10,
    stress_high: 10,
    recovery_high: 10,
    stress_day_summary: 10,
    resilience_level: 10,
    resilience_sleep_recovery: 10,
    resilience_daytime_recovery: 10,
    resilience_stress: 10,
    heart_rate_avg: 10,
    heart_rate_max: 10,
  },
};
