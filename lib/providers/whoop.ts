import { localDay, num, readEnvelope, samples, shiftDay, utcOffsetMinutes } from "./paging";
import type { Collection, MappingContext, MetricSample, OAuth2Provider, PendingRecord, ProviderApi, SyncRange } from "./types";

/**
 * WHOOP API v2 (provider-apis.md §2; developer.whoop.com). Client credentials go in the token
 * request body; refresh tokens exist only with the `offline` scope, rotate on every refresh (the
 * used one dies at once) and are requested with `scope=offline`; access tokens last an hour.
 * Collections page with `{records, next_token}` (`nextToken` in the query, `limit` ≤ 25) over
 * `start` (inclusive) / `end` (exclusive) instants, newest first. Only `SCORED` records carry a
 * `score`; the others are remembered as pending and read again by the next poll.
 */

type ScoreState = "SCORED" | "PENDING_SCORE" | "UNSCORABLE";

interface WhoopRecord {
  score_state?: ScoreState | string;
  created_at?: string;
  updated_at?: string;
}

export interface WhoopCycle extends WhoopRecord {
  id?: number;
  user_id?: number;
  start?: string;
  /** Absent while the cycle is still going on. */
  end?: string | null;
  timezone_offset?: string;
  score?: { strain?: number | null; kilojoule?: number | null; average_heart_rate?: number | null; max_heart_rate?: number | null } | null;
}

export interface WhoopSleep extends WhoopRecord {
  id?: string;
  cycle_id?: number;
  user_id?: number;
  start?: string;
  end?: string;
  timezone_offset?: string;
  nap?: boolean;
  score?: {
    stage_summary?: {
      total_in_bed_time_milli?: number | null;
      total_awake_time_milli?: number | null;
      total_no_data_time_milli?: number | null;
      total_light_sleep_time_milli?: number | null;
      total_slow_wave_sleep_time_milli?: number | null;
      total_rem_sleep_time_milli?: number | null;
      sleep_cycle_count?: number | null;
      disturbance_count?: number | null;
    } | null;
    respiratory_rate?: number | null;
    sleep_performance_percentage?: number | null;
    sleep_consistency_percentage?: number | null;
    sleep_efficiency_percentage?: number | null;
  } | null;
}

export interface WhoopRecovery extends WhoopRecord {
  cycle_id?: number;
  sleep_id?: string;
  user_id?: number;
  score?: {
    user_calibrating?: boolean;
    recovery_score?: number | null;
    resting_heart_rate?: number | null;
    hrv_rmssd_milli?: number | null;
    spo2_percentage?: number | null;
    skin_temp_celsius?: number | null;
  } | null;
}

/** WHOOP's documented maximum page size. */
export const WHOOP_PAGE_LIMIT = 25;
const KJ_PER_KCAL = 4.184;

/* MappingContext keys. The context travels between Inngest steps as JSON: plain objects only. */
/** Sleep id → the local day it speaks for; left by the sleep collection for recoveries. */
export const CTX_SLEEP_DAYS = "whoopSleepDays";
/** Local day → the sleep that currently speaks for it (the longest non-nap sleep). */
const CTX_MAIN_SLEEP = "whoopMainSleep";
/** The last UTC offset a record reported, for records that come without one. */
const CTX_OFFSET = "whoopUtcOffsetMinutes";

function objectIn<T>(ctx: MappingContext, key: string): Record<string, T> {
  const value = ctx[key];
  if (value && typeof value === "object" && !Array.isArray(value)) return value as Record<string, T>;
  const fresh: Record<string, T> = {};
  ctx[key] = fresh;
  return fresh;
}

/** The local calendar day of `instant` in the record's own `timezone_offset` ("-05:00"). */
function recordDay(instant: string | null | undefined, timezoneOffset: string | undefined, ctx: MappingContext): string | undefined {
  if (typeof instant !== "string") return undefined;
  const at = new Date(instant);
  if (Number.isNaN(at.getTime())) return undefined;
  let offset = utcOffsetMinutes(timezoneOffset);
  if (offset !== undefined) ctx[CTX_OFFSET] = offset;
  else if (typeof ctx[CTX_OFFSET] === "number") offset = ctx[CTX_OFFSET] as number;
  // Without any offset the local day is unknown; a UTC day could be the wrong one, so no day.
  return offset === undefined ? undefined : localDay(at, offset);
}

const isScored = (r: WhoopRecord) => r.score_state === undefined || r.score_state === "SCORED";
const unscoredState = (r: WhoopRecord) => (isScored(r) ? undefined : String(r.score_state));
const seconds = (milli: unknown) => {
  const ms = num(milli);
  return ms === undefined ? undefined : Math.round(ms / 1000);
};

/**
 * The fetch window, as instants. Local days run from UTC-12 to UTC+14 and a sleep's day is the
 * morning it ends, while WHOOP filters on a record's `start`; so ask a few days wider than the
 * range (sleeps one more, so every recovery in the window finds its sleep's day) and let the sync
 * engine keep only the samples inside the range.
 */
function window(range: SyncRange, marginDays: number): { start: string; end: string } {
  return { start: `${shiftDay(range.startDay, -marginDays)}T00:00:00.000Z`, end: `${shiftDay(range.endDay, marginDays)}T00:00:00.000Z` };
}

function pagedCollection<T extends WhoopRecord>(
  id: string,
  path: string,
  marginDays: number,
  rest: Pick<Collection<T>, "map" | "pending" | "externalId">,
): Collection<T> {
  return {
    id,
    async fetchPage(api: ProviderApi, range: SyncRange, cursor) {
      const { start, end } = window(range, marginDays);
      const body = await api.get(path, { start, end, limit: WHOOP_PAGE_LIMIT, nextToken: cursor });
      return readEnvelope<T>("WHOOP", body, "records", "next_token");
    },
    ...rest,
  };
}

/** A sleep's day is the local date of its end (the morning it ends). */
export function sleepDay(sleep: WhoopSleep, ctx: MappingContext = {}): string | undefined {
  return recordDay(sleep.end, sleep.timezone_offset, ctx);
}

/** A cycle's day is the local date of its start. */
export function cycleDay(cycle: WhoopCycle, ctx: MappingContext = {}): string | undefined {
  return recordDay(cycle.start, cycle.timezone_offset, ctx);
}

/**
 * Sleeps. Naps (`nap: true`) never speak for the night: they map to nothing and are not pending.
 * When two non-nap sleeps end on the same day, the one longest in bed speaks for it.
 */
const sleeps = pagedCollection<WhoopSleep>("sleep", "/v2/activity/sleep", 3, {
  map(sleep, ctx) {
    if (sleep.nap === true) return [];
    const day = sleepDay(sleep, ctx);
    if (!day) return [];
    // Every night sleep, scored or not, tells recoveries (next collection) which day they belong to.
    if (typeof sleep.id === "string") objectIn<string>(ctx, CTX_SLEEP_DAYS)[sleep.id] = day;
    if (!isScored(sleep) || !sleep.score) return [];
    const stages = sleep.score.stage_summary ?? {};
    const inBed = num(stages.total_in_bed_time_milli);
    const main = objectIn<{ id: string; inBed: number }>(ctx, CTX_MAIN_SLEEP);
    const current = main[day];
    if (current && current.id !== sleep.id && current.inBed >= (inBed ?? 0)) return [];
    main[day] = { id: String(sleep.id ?? ""), inBed: inBed ?? 0 };

    const light = num(stages.total_light_sleep_time_milli);
    const deep = num(stages.total_slow_wave_sleep_time_milli);
    const rem = num(stages.total_rem_sleep_time_milli);
    // Total sleep is light + slow wave + REM; unknown when any stage is missing.
    const total = light !== undefined && deep !== undefined && rem !== undefined ? light + deep + rem : undefined;
    const performance = num(sleep.score.sleep_performance_percentage);
    return samples(day, [
      ["sleep_duration", seconds(total)],
      ["time_in_bed", seconds(inBed)],
      ["light_sleep", seconds(light)],
      ["deep_sleep", seconds(deep)],
      ["rem_sleep", seconds(rem)],
      ["awake_time", seconds(stages.total_awake_time_milli)],
      ["wakeup_count", num(stages.disturbance_count)],
      ["sleep_performance", performance],
      // WHOOP has no separate sleep score: sleep performance is the app's headline sleep number.
      ["sleep_score", performance],
      ["sleep_efficiency", num(sleep.score.sleep_efficiency_percentage)],
      ["sleep_consistency", num(sleep.score.sleep_consistency_percentage)],
      ["respiratory_rate", num(sleep.score.respiratory_rate)],
    ]);
  },
  pending(sleep) {
    const state = unscoredState(sleep);
    if (!state || sleep.nap === true || typeof sleep.id !== "string") return undefined;
    return { externalId: sleep.id, day: sleepDay(sleep), state };
  },
  externalId: (sleep) => (typeof sleep.id === "string" ? sleep.id : undefined),
});

/**
 * Recoveries have no time zone of their own. Each belongs to the day of its sleep (`sleep_id`),
 * which the sleep collection, running first, left in the context. Cycles are deliberately not
 * used for this: a cycle starts when the user falls asleep, usually the evening before, so its
 * start day would put the morning's recovery on the previous day. A recovery whose sleep was not
 * seen gets no day and so no sample (never a guessed one).
 */
function recoveryDay(recovery: WhoopRecovery, ctx: MappingContext): string | undefined {
  const days = ctx[CTX_SLEEP_DAYS];
  if (typeof recovery.sleep_id !== "string" || !days || typeof days !== "object") return undefined;
  const day = (days as Record<string, unknown>)[recovery.sleep_id];
  return typeof day === "string" ? day : undefined;
}

/**
 * The day map() found for each recovery payload, so pending() (which gets no context) can date a
 * pending recovery. Keyed by the payload object itself: nothing is shared between syncs.
 */
const recoveryDays = new WeakMap<WhoopRecovery, string>();

const recoveries = pagedCollection<WhoopRecovery>("recovery", "/v2/recovery", 2, {
  map(recovery, ctx) {
    const day = recoveryDay(recovery, ctx);
    if (day && typeof recovery === "object" && recovery !== null) recoveryDays.set(recovery, day);
    if (!day || !isScored(recovery) || !recovery.score) return [];
    const s = recovery.score;
    return samples(day, [
      // WHOOP's recovery score (0–100 %) is its readiness equivalent: how prepared the body is for
      // strain today. While WHOOP says the user is still calibrating, the score is not meaningful yet.
      ["readiness_score", s.user_calibrating === true ? undefined : num(s.recovery_score)],
      ["resting_heart_rate", num(s.resting_heart_rate)],
      ["hrv_rmssd", num(s.hrv_rmssd_milli)],
      ["spo2", num(s.spo2_percentage)],
      ["skin_temperature", num(s.skin_temp_celsius)],
    ]);
  },
  pending(recovery): PendingRecord | undefined {
    const state = unscoredState(recovery);
    if (!state || recovery.cycle_id === undefined) return undefined;
    return { externalId: String(recovery.cycle_id), day: recoveryDays.get(recovery), state };
  },
  externalId: (recovery) => (recovery.cycle_id === undefined ? undefined : String(recovery.cycle_id)),
});

const cycles = pagedCollection<WhoopCycle>("cycle", "/v2/cycle", 2, {
  map(cycle, ctx) {
    const day = cycleDay(cycle, ctx);
    if (!day || !isScored(cycle) || !cycle.score) return [];
    const kilojoule = num(cycle.score.kilojoule);
    return samples(day, [
      ["strain", num(cycle.score.strain)],
      // The one unit conversion: WHOOP reports energy in kilojoules, we store kcal.
      ["total_calories", kilojoule === undefined ? undefined : Math.round(kilojoule / KJ_PER_KCAL)],
      ["heart_rate_avg", num(cycle.score.average_heart_rate)],
      ["heart_rate_max", num(cycle.score.max_heart_rate)],
    ]);
  },
  pending(cycle) {
    const state = unscoredState(cycle);
    if (!state || cycle.id === undefined) return undefined;
    return { externalId: String(cycle.id), day: cycleDay(cycle), state };
  },
  externalId: (cycle) => (cycle.id === undefined ? undefined : String(cycle.id)),
});

export const whoop: OAuth2Provider = {
  id: "whoop",
  name: "WHOOP",
  kind: "oauth2",
  description: "WHOOP strap: recovery, sleep and strain.",
  color: "#101518",
  dataSummary: "Recovery, sleep, strain, HRV, resting heart rate",
  backfillDays: 30,
  endpoints: {
    authorization: "https://api.prod.whoop.com/oauth/oauth2/auth",
    token: "https://api.prod.whoop.com/oauth/oauth2/token",
    api: "https://api.prod.whoop.com/developer",
  },
  // `offline` is what yields a refresh token; the rest are the read scopes of the data we sync.
  scopes: ["offline", "read:recovery", "read:cycles", "read:sleep", "read:workout", "read:profile", "read:body_measurement"],
  scopeSeparator: " ",
  checks: ["state"],
  clientAuthentication: "client_secret_post",
  token: { refreshParams: { scope: "offline" } },
  refreshTokens: "single-use",
  async fetchUserId(api) {
    const profile = (await api.get("/v2/user/profile/basic")) as { user_id?: unknown } | undefined;
    const id = profile?.user_id;
    return typeof id === "number" || (typeof id === "string" && id) ? String(id) : undefined;
  },
  // Sleeps first: recoveries take their day from their sleep.
  collections: [sleeps, recoveries, cycles],
};

/** For tests and the sandbox: the metric samples of one collection's items, in order. */
export function mapWhoopItems(collectionId: string, items: unknown[], ctx: MappingContext = {}): MetricSample[] {
  const collection = whoop.collections.find((c) => c.id === collectionId);
  if (!collection) throw new Error(`WHOOP has no collection ${collectionId}`);
  return items.flatMap((item) => collection.map(item, ctx));
}
