import { revokeWithingsUser } from "./revoke";
import { withingsWebhooks } from "./withings-webhooks";
import { tz } from "@date-fns/tz";
import { format } from "date-fns";
import { defaultInterpretResponse } from "./api-client";
import {
  ProviderAuthError,
  ProviderError,
  ProviderForbiddenError,
  ProviderPayloadError,
  ProviderRateLimitError,
} from "./errors";
import { isDay, metresToKm, num, samples, shiftDay } from "./paging";
import type {
  Collection,
  CollectionPage,
  MappingContext,
  MetricSample,
  OAuth2Endpoints,
  OAuth2Provider,
  ProviderApi,
  SandboxTarget,
  SyncRange,
} from "./types";
import type { MetricName } from "@/lib/metrics/vocabulary";

/**
 * Withings (https://developer.withings.com/api-reference). Everything is RPC: form POSTs with an
 * `action=` field, and every answer is HTTP 200 with `{status, body, error}` where a non-zero
 * status is the real outcome (provider-apis.md §3). The token endpoint is conformed into RFC 6749
 * by `token.conform`; data answers are unwrapped and classified by `interpretResponse`.
 */

const NAME = "Withings";

/* ---------- status codes ---------- */

/** Authentication failed (100–102, 200, 401) or unauthorized (214, 277: e.g. a scope not granted). */
const AUTH_FAILED = new Set([100, 101, 102, 200, 401, 214, 277]);
/** Withings-side trouble worth retrying later: timeout (522), bad state (524), unknown error (2555). */
const TRANSIENT = new Set([522, 524, 2555]);
/** Not authorised for this data (e.g. a scope not granted): the collection, not the grant. */
const UNAUTHORIZED = new Set([214, 277]);
const TOO_MANY_REQUESTS = 601;
/** When a 601 comes without `wait_seconds`; Withings counts per minute. */
const DEFAULT_WAIT_SECONDS = 60;

interface WithingsEnvelope {
  status: number;
  body?: unknown;
  error?: unknown;
}

function readEnvelopeOf(payload: unknown): WithingsEnvelope | undefined {
  if (typeof payload !== "object" || payload === null) return undefined;
  const status = (payload as Record<string, unknown>).status;
  return typeof status === "number" && Number.isInteger(status) ? (payload as WithingsEnvelope) : undefined;
}

function waitSeconds(envelope: WithingsEnvelope): number {
  const wait = num((envelope.body as Record<string, unknown> | undefined)?.wait_seconds);
  return wait !== undefined && wait > 0 ? Math.ceil(wait) : DEFAULT_WAIT_SECONDS;
}

/** A short, safe description of a status family (Withings' own error text is never echoed). */
function statusFamily(status: number): string {
  if (AUTH_FAILED.has(status)) return "authentication failed";
  if (TRANSIENT.has(status)) return "temporarily unavailable";
  return "invalid parameters";
}

/* ---------- token endpoint ---------- */

const jsonResponse = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", "cache-control": "no-store" },
  });

/**
 * Rewrites the token endpoint's `{status, body, error}` answer into RFC 6749: status 0 → HTTP 200
 * with the body's fields (`userid` included, which the engine keeps as the provider user id);
 * invalid parameters (e.g. 503 "invalid code") → HTTP 400 `invalid_grant`, authentication
 * failures → HTTP 400 `invalid_client` (so a callback says token_exchange_failed and a refresh
 * disconnects); 601 → ProviderRateLimitError with `wait_seconds`; transient statuses →
 * ProviderError (retried later, the connection is left alone).
 */
export async function conformWithingsTokenResponse(response: Response): Promise<Response> {
  if (!response.ok) return response; // HTTP-level failure (proxy, outage): the engine classifies it.
  let payload: unknown;
  try {
    payload = JSON.parse(await response.text());
  } catch {
    throw new ProviderPayloadError(`${NAME} answered the token request with a body that is not JSON`);
  }
  const envelope = readEnvelopeOf(payload);
  if (!envelope) throw new ProviderPayloadError(`${NAME} answered the token request without a status`);
  const { status } = envelope;
  if (status === 0) {
    if (typeof envelope.body !== "object" || envelope.body === null) {
      throw new ProviderPayloadError(`${NAME} answered the token request without a body`);
    }
    return jsonResponse(200, envelope.body);
  }
  if (status === TOO_MANY_REQUESTS) {
    throw new ProviderRateLimitError(`${NAME} rate limit reached`, waitSeconds(envelope));
  }
  if (TRANSIENT.has(status))
    throw new ProviderError(`${NAME} token endpoint is temporarily unavailable (status ${status})`);
  // Withings reports a wrong client id or secret as "Invalid Params: invalid client_…" (503):
  // that is our configuration (invalid_client), not the user's refresh token.
  const clientRefused = typeof envelope.error === "string" && /client_(id|secret)/i.test(envelope.error);
  const error = AUTH_FAILED.has(status) || clientRefused ? "invalid_client" : "invalid_grant";
  return jsonResponse(400, { error, error_description: `Withings status ${status}: ${statusFamily(status)}` });
}

/* ---------- data API ---------- */

/** Unwraps `{status: 0, body}` and classifies every other status. */
export function interpretWithingsResponse(response: Response, payload: unknown): unknown {
  if (!response.ok) return defaultInterpretResponse({ name: NAME }, response, payload);
  const envelope = readEnvelopeOf(payload);
  if (!envelope) throw new ProviderPayloadError(`${NAME} answered without a status`);
  const { status } = envelope;
  if (status === 0) {
    if (typeof envelope.body !== "object" || envelope.body === null)
      throw new ProviderPayloadError(`${NAME} answered without a body`);
    return envelope.body;
  }
  if (status === TOO_MANY_REQUESTS)
    throw new ProviderRateLimitError(`${NAME} rate limit reached`, waitSeconds(envelope));
  // 214/277: this request is not authorised (a scope not granted), not the grant gone.
  if (UNAUTHORIZED.has(status))
    throw new ProviderForbiddenError(`${NAME} refused access to this data (status ${status})`, status);
  if (AUTH_FAILED.has(status))
    throw new ProviderAuthError(`${NAME} rejected the access token (status ${status})`, status);
  if (TRANSIENT.has(status)) throw new ProviderError(`${NAME} is temporarily unavailable (status ${status})`, status);
  throw new ProviderError(`${NAME} refused the request (status ${status}: ${statusFamily(status)})`, status);
}

/* ---------- days and time zones ---------- */

const CTX_TIME_ZONE = "withingsTimeZone";

/** Whether `value` is an IANA time zone this runtime knows. */
export function isTimeZone(value: unknown): value is string {
  if (typeof value !== "string" || value.length === 0) return false;
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

/** The local calendar day of an epoch-seconds instant in an IANA time zone. */
export function localDayIn(epochSeconds: number, timeZone: string): string {
  return format(new Date(epochSeconds * 1000), "yyyy-MM-dd", { in: tz(timeZone) });
}

function learnTimeZone(ctx: MappingContext, timeZone: unknown): void {
  if (ctx[CTX_TIME_ZONE] === undefined && isTimeZone(timeZone)) ctx[CTX_TIME_ZONE] = timeZone;
}

/* ---------- paging ---------- */

interface PageShape {
  itemsKey: string;
  /** getmeas says `more: 0|1`, the v2 services `more: true|false`. */
  more: "int" | "bool";
}

function readPage<T>(
  body: unknown,
  shape: PageShape,
): { items: T[]; nextCursor: string | null; record: Record<string, unknown> } {
  if (typeof body !== "object" || body === null) throw new ProviderPayloadError(`${NAME} page is not an object`);
  const record = body as Record<string, unknown>;
  const items = record[shape.itemsKey];
  if (!Array.isArray(items)) throw new ProviderPayloadError(`${NAME} page has no "${shape.itemsKey}" array`);
  const more = shape.more === "int" ? num(record.more) !== undefined && record.more !== 0 : record.more === true;
  const offset = num(record.offset);
  if (more && (offset === undefined || offset <= 0))
    throw new ProviderPayloadError(`${NAME} page says there is more but gives no offset`);
  return { items: items as T[], nextCursor: more ? String(offset) : null, record };
}

function offsetOf(cursor: string | undefined): number | undefined {
  if (cursor === undefined) return undefined;
  const offset = Number(cursor);
  if (!Number.isInteger(offset) || offset < 0) throw new ProviderError(`${NAME} paging cursor is invalid`);
  return offset;
}

/** Groups items by their local day, keeping their order. */
function byDay<T>(items: Array<{ day: string; item: T }>): Map<string, T[]> {
  const days = new Map<string, T[]>();
  for (const { day, item } of items) days.set(day, [...(days.get(day) ?? []), item]);
  return days;
}

/**
 * The v2 day services (sleep `getsummary`, activity `getactivity`): asked for by local day, paged
 * with `offset` and `more: true|false`, each item dated and zoned. Several items can report one
 * day, so items are grouped after the last page and `mainOfDay` picks the one that speaks for it.
 */
function dailySummaryCollection<T extends { date?: string; timezone?: string }>(service: {
  id: string;
  path: string;
  action: string;
  dataFields: readonly string[];
  itemsKey: string;
  mainOfDay: (itemsOfOneDay: T[]) => T;
  map: (item: T) => MetricSample[];
}): Collection<T> {
  return {
    id: service.id,
    async fetchPage(api, range, cursor) {
      const body = await api.post(service.path, {
        action: service.action,
        startdateymd: shiftDay(range.startDay, -1),
        enddateymd: shiftDay(range.endDay, 1),
        data_fields: service.dataFields.join(","),
        offset: offsetOf(cursor),
      });
      const { items, nextCursor } = readPage<T>(body, { itemsKey: service.itemsKey, more: "bool" });
      return { items, nextCursor };
    },
    map: () => [],
    aggregate(items, ctx) {
      for (const item of items) learnTimeZone(ctx, item.timezone);
      const days = byDay(items.filter((item) => isDay(item.date)).map((item) => ({ day: item.date!, item })));
      return [...days.values()].flatMap((itemsOfOneDay) => service.map(service.mainOfDay(itemsOfOneDay)));
    },
  };
}

/* ---------- measures (getmeas) ---------- */

export interface WithingsMeasure {
  value?: number;
  type?: number;
  unit?: number;
  algo?: number;
  fm?: number;
  position?: number;
}

export interface WithingsMeasureGroup {
  grpid?: number;
  attrib?: number;
  date?: number;
  created?: number;
  modified?: number;
  category?: number;
  deviceid?: string | null;
  model?: string;
  model_id?: number;
  measures?: WithingsMeasure[];
  comment?: string | null;
  /** Not Withings': the page's `timezone`, copied onto each group by `fetchPage`. */
  timezone?: string;
}

/** Withings measure types we keep, with the metric each becomes. Values are already in the metric's unit. */
export const MEASURE_TYPES: Record<number, MetricName> = {
  1: "weight", // kg
  6: "body_fat", // %
  8: "fat_mass", // kg
  76: "muscle_mass", // kg
  9: "blood_pressure_diastolic", // mmHg
  10: "blood_pressure_systolic", // mmHg
  11: "pulse", // bpm
  54: "spo2", // %
  71: "body_temperature", // °C
  73: "skin_temperature", // °C
};

/** Real value = value × 10^unit, computed by division for negative units so 65750, −3 is exactly 65.75. */
export function measureValue(measure: WithingsMeasure): number | undefined {
  const value = num(measure.value);
  const unit = num(measure.unit);
  if (value === undefined || unit === undefined || !Number.isInteger(unit)) return undefined;
  const real = unit < 0 ? value / 10 ** -unit : value * 10 ** unit;
  return Number.isFinite(real) ? real : undefined;
}

/** Category 1 is a real measurement (2 is a goal). */
const REAL_MEASURE = 1;
/** "Captured by a device but may belong to another user": Withings asks the user to claim it first. */
const AMBIGUOUS_ATTRIB = 1;

/**
 * Several measure groups can fall on one local day (a morning and an evening weigh-in, a blood
 * pressure series): per metric, the latest measurement of the day is kept.
 */
export function aggregateMeasureGroups(groups: WithingsMeasureGroup[], ctx: MappingContext): MetricSample[] {
  const latest = new Map<string, { date: number; sample: MetricSample }>();
  for (const group of groups) {
    const date = num(group.date);
    if (date === undefined) continue;
    if (group.category !== undefined && group.category !== REAL_MEASURE) continue;
    if (group.attrib === AMBIGUOUS_ATTRIB) continue;
    const timeZone = isTimeZone(group.timezone) ? group.timezone : (ctx[CTX_TIME_ZONE] as string | undefined);
    // Without a time zone the local day cannot be known; a UTC day would be wrong for the user.
    if (!timeZone) continue;
    const day = localDayIn(date, timeZone);
    for (const measure of group.measures ?? []) {
      const metric = MEASURE_TYPES[num(measure.type) ?? -1];
      const value = measureValue(measure);
      if (!metric || value === undefined) continue;
      const key = `${metric}|${day}`;
      const current = latest.get(key);
      if (!current || date >= current.date) latest.set(key, { date, sample: { metric, day, value } });
    }
  }
  return [...latest.values()].map((v) => v.sample);
}

const measures: Collection<WithingsMeasureGroup> = {
  id: "measures",
  async fetchPage(api: ProviderApi, range: SyncRange, cursor): Promise<CollectionPage<WithingsMeasureGroup>> {
    // Local days run up to 14 h either side of UTC: ask a day wider; the engine keeps the range.
    const startdate = Math.floor(range.start.getTime() / 1000) - 86_400;
    const enddate = Math.ceil(range.end.getTime() / 1000) + 86_400;
    const body = await api.post("/measure", {
      action: "getmeas",
      meastypes: Object.keys(MEASURE_TYPES).join(","),
      category: REAL_MEASURE,
      startdate,
      enddate,
      offset: offsetOf(cursor),
    });
    const page = readPage<WithingsMeasureGroup>(body, { itemsKey: "measuregrps", more: "int" });
    const timezone = page.record.timezone;
    return {
      items: page.items.map((g) => (isTimeZone(timezone) && g.timezone === undefined ? { ...g, timezone } : g)),
      nextCursor: page.nextCursor,
    };
  },
  map: () => [],
  aggregate: aggregateMeasureGroups,
};

/* ---------- sleep summaries (v2/sleep getsummary) ---------- */

export interface WithingsSleepData {
  total_sleep_time?: number | null;
  total_timeinbed?: number | null;
  lightsleepduration?: number | null;
  deepsleepduration?: number | null;
  remsleepduration?: number | null;
  wakeupduration?: number | null;
  sleep_latency?: number | null;
  sleep_efficiency?: number | null;
  wakeupcount?: number | null;
  hr_average?: number | null;
  rr_average?: number | null;
  rmssd_start_avg?: number | null;
  rmssd_end_avg?: number | null;
  sleep_score?: number | null;
}

export interface WithingsSleepSeries {
  id?: number;
  timezone?: string;
  model?: number;
  startdate?: number;
  enddate?: number;
  /** The local day the night ends on (YYYY-MM-DD). */
  date?: string;
  data?: WithingsSleepData;
}

export const SLEEP_DATA_FIELDS = [
  "total_sleep_time",
  "total_timeinbed",
  "lightsleepduration",
  "deepsleepduration",
  "remsleepduration",
  "wakeupduration",
  "sleep_latency",
  "sleep_efficiency",
  "wakeupcount",
  "hr_average",
  "rr_average",
  "rmssd_start_avg",
  "rmssd_end_avg",
  "sleep_score",
] as const satisfies ReadonlyArray<keyof WithingsSleepData>;

/** Withings' efficiency is a ratio 0–1; the vocabulary wants %. Anything outside 0–1 is not a ratio and is dropped. */
export function efficiencyPercent(ratio: unknown): number | undefined {
  const value = num(ratio);
  if (value === undefined || value < 0 || value > 1) return undefined;
  return Math.round(value * 1000) / 10;
}

function meanOf(values: Array<number | undefined>): number | undefined {
  const present = values.filter((v): v is number => v !== undefined);
  return present.length ? Math.round((present.reduce((a, b) => a + b, 0) / present.length) * 10) / 10 : undefined;
}

export function mapSleepSeries(series: WithingsSleepSeries): MetricSample[] {
  if (!isDay(series.date)) return [];
  const d = series.data ?? {};
  return samples(series.date, [
    ["sleep_duration", num(d.total_sleep_time)],
    ["time_in_bed", num(d.total_timeinbed)],
    ["light_sleep", num(d.lightsleepduration)],
    ["deep_sleep", num(d.deepsleepduration)],
    ["rem_sleep", num(d.remsleepduration)],
    ["awake_time", num(d.wakeupduration)],
    ["sleep_latency", num(d.sleep_latency)],
    ["sleep_efficiency", efficiencyPercent(d.sleep_efficiency)],
    ["wakeup_count", num(d.wakeupcount)],
    // The night's average heart rate, measured at rest while asleep, is the resting heart rate
    // Withings reports; the day's average heart rate (heart_rate_avg) comes from the activity
    // collection, so each metric has one collection and re-syncs stay idempotent.
    ["resting_heart_rate", num(d.hr_average)],
    ["respiratory_rate", num(d.rr_average)],
    // RMSSD averaged over the start and the end of the night; one of the two alone still counts.
    ["hrv_rmssd", meanOf([num(d.rmssd_start_avg), num(d.rmssd_end_avg)])],
    ["sleep_score", num(d.sleep_score)],
  ]);
}

/** A day can hold several series (a nap, a tracker and a Sleep Analyzer): the longest sleep speaks for it. */
function mainSeries(series: WithingsSleepSeries[]): WithingsSleepSeries {
  const length = (s: WithingsSleepSeries) => num(s.data?.total_sleep_time) ?? num(s.data?.total_timeinbed) ?? -1;
  return series.reduce((best, s) => (length(s) > length(best) ? s : best));
}

const sleepSummaries = dailySummaryCollection<WithingsSleepSeries>({
  id: "sleep",
  path: "/v2/sleep",
  action: "getsummary",
  dataFields: SLEEP_DATA_FIELDS,
  itemsKey: "series",
  mainOfDay: mainSeries,
  map: mapSleepSeries,
});

/* ---------- activity (v2/measure getactivity) ---------- */

export interface WithingsActivity {
  date?: string;
  timezone?: string;
  deviceid?: string | null;
  brand?: number;
  is_tracker?: boolean;
  steps?: number | null;
  distance?: number | null;
  calories?: number | null;
  totalcalories?: number | null;
  soft?: number | null;
  moderate?: number | null;
  intense?: number | null;
  active?: number | null;
  hr_average?: number | null;
  hr_max?: number | null;
}

export const ACTIVITY_DATA_FIELDS = [
  "steps",
  "distance",
  "calories",
  "totalcalories",
  "soft",
  "moderate",
  "intense",
  "active",
  "hr_average",
  "hr_max",
] as const satisfies ReadonlyArray<keyof WithingsActivity>;

export function mapActivity(activity: WithingsActivity): MetricSample[] {
  if (!isDay(activity.date)) return [];
  // `active` is moderate + intense time; older answers carry only the parts.
  const parts = [num(activity.moderate), num(activity.intense)];
  const activeTime =
    num(activity.active) ?? (parts.every((p) => p === undefined) ? undefined : (parts[0] ?? 0) + (parts[1] ?? 0));
  return samples(activity.date, [
    ["steps", num(activity.steps)],
    ["distance", metresToKm(num(activity.distance))],
    ["active_calories", num(activity.calories)],
    ["total_calories", num(activity.totalcalories)],
    ["active_time", activeTime],
    ["heart_rate_avg", num(activity.hr_average)],
    ["heart_rate_max", num(activity.hr_max)],
  ]);
}

/** One day can be reported by several sources (phone, tracker): a tracker wins, then the most steps. */
function mainActivity(activities: WithingsActivity[]): WithingsActivity {
  const rank = (a: WithingsActivity) => (a.is_tracker ? 1e12 : 0) + (num(a.steps) ?? -1);
  return activities.reduce((best, a) => (rank(a) > rank(best) ? a : best));
}

const activity = dailySummaryCollection<WithingsActivity>({
  id: "activity",
  path: "/v2/measure",
  action: "getactivity",
  dataFields: ACTIVITY_DATA_FIELDS,
  itemsKey: "activities",
  mainOfDay: mainActivity,
  map: mapActivity,
});

/**
 * The local sandbox (Withings's stand-in at `${APP_URL}/sandbox/withings`): the client it accepts (not a
 * secret: the sandbox only runs while no real Withings credentials are set) and where it serves
 * Withings's endpoints.
 */
export const withingsSandboxTarget: SandboxTarget<OAuth2Endpoints> = {
  clientId: "withings-sandbox-client",
  clientSecret: "withings-sandbox-secret-3b8e51d0",
  endpoints: (baseUrl) => ({
    authorization: `${baseUrl}/oauth/authorize`,
    token: `${baseUrl}/v2/oauth2`,
    api: baseUrl,
  }),
};

export const withings: OAuth2Provider = {
  id: "withings",
  name: NAME,
  kind: "oauth2",
  description: "Withings scales, sleep analyzers and watches: body measurements, sleep and activity.",
  color: "#00b2a9",
  dataSummary: "Weight and body composition, blood pressure, sleep, activity, heart rate",
  backfillDays: 30,
  endpoints: {
    authorization: "https://account.withings.com/oauth2_user/authorize2",
    token: "https://wbsapi.withings.net/v2/oauth2",
    api: "https://wbsapi.withings.net",
  },
  sandbox: withingsSandboxTarget,
  scopes: ["user.info", "user.metrics", "user.activity", "user.sleepevents"],
  scopeSeparator: ",",
  // No PKCE: Withings documents none, and its token endpoint is its own `action=requesttoken` RPC
  // with a fixed parameter list. Its codes live 30 s and are single-use; the state bound to the
  // session is what protects this flow.
  checks: ["state"],
  clientAuthentication: "client_secret_post",
  token: {
    params: { action: "requesttoken" },
    conform: conformWithingsTokenResponse,
  },
  // Each refresh returns a new refresh token; the old one works for 8 h or until the new access token is used.
  refreshTokens: "rotating-with-grace",
  interpretResponse: interpretWithingsResponse,
  // Sleep and activity first: they teach the context the user's time zone, which measure pages
  // normally carry themselves.
  collections: [sleepSummaries, activity, measures],
  collectionScopes: { sleep: ["user.activity"], activity: ["user.activity"], measures: ["user.metrics"] },
  // A signed `action=revoke` ends the user's grant and drops their notification subscriptions.
  revoke: revokeWithingsUser(NAME),
  // Unsigned form notifications to a per-connection token URL, subscribed per user (withings-webhooks.ts).
  webhooks: withingsWebhooks,
  // How the sandbox's consent page looks, so it reads like this provider's own screen (Tailwind
  // classes written out in full so Tailwind's source scan finds them).
  branding: {
    name: "Withings",
    page: "bg-[#f4f7f7] text-[#0d1b2a]",
    card: "bg-white border border-[#d7e3e3] shadow-sm",
    muted: "text-slate-500",
    primaryButton: "bg-[#00b2a9] text-white hover:bg-[#009a92]",
    secondaryButton: "border border-[#00b2a9] text-[#00857e] hover:bg-[#e6f7f6]",
    input: "bg-white border border-slate-300 text-[#0d1b2a]",
  },
  metricFields: {
    sleep_score: "sleep getsummary data.sleep_score",
    sleep_duration: "data.total_sleep_time",
    time_in_bed: "data.total_timeinbed",
    light_sleep: "data.lightsleepduration",
    deep_sleep: "data.deepsleepduration",
    rem_sleep: "data.remsleepduration",
    awake_time: "data.wakeupduration",
    sleep_latency: "data.sleep_latency",
    sleep_efficiency: "data.sleep_efficiency (ratio × 100)",
    wakeup_count: "data.wakeupcount",
    resting_heart_rate: "data.hr_average (sleep)",
    respiratory_rate: "data.rr_average",
    hrv_rmssd: "data.rmssd_start_avg / rmssd_end_avg (mean)",
    steps: "getactivity steps",
    distance: "getactivity distance (m → km)",
    active_calories: "getactivity calories",
    total_calories: "getactivity totalcalories",
    active_time: "getactivity active (or moderate + intense)",
    heart_rate_avg: "getactivity hr_average",
    heart_rate_max: "getactivity hr_max",
    weight: "getmeas type 1 (value × 10^unit)",
    body_fat: "getmeas type 6",
    fat_mass: "getmeas type 8",
    muscle_mass: "getmeas type 76",
    blood_pressure_diastolic: "getmeas type 9",
    blood_pressure_systolic: "getmeas type 10",
    pulse: "getmeas type 11",
    spo2: "getmeas type 54",
    body_temperature: "getmeas type 71",
    skin_temperature: "getmeas type 73",
  },
  // Where this provider ranks among the sources of each metric it supplies (lower first; the
  // others' ranks are in their modules, in steps of 10 so a new provider can slot in between).
  metricPriority: {
    sleep_score: 30,
    sleep_duration: 40,
    time_in_bed: 30,
    light_sleep: 40,
    deep_sleep: 40,
    rem_sleep: 40,
    awake_time: 40,
    sleep_latency: 20,
    sleep_efficiency: 30,
    wakeup_count: 10,
    resting_heart_rate: 40,
    respiratory_rate: 40,
    hrv_rmssd: 40,
    steps: 30,
    distance: 20,
    active_calories: 30,
    total_calories: 30,
    active_time: 30,
    heart_rate_avg: 20,
    heart_rate_max: 30,
    weight: 10,
    body_fat: 10,
    fat_mass: 10,
    muscle_mass: 10,
    blood_pressure_diastolic: 10,
    blood_pressure_systolic: 10,
    pulse: 10,
    spo2: 40,
    body_temperature: 10,
    skin_temperature: 20,
  },
};
