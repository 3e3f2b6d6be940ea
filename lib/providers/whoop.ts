import { revokeByBearerDelete } from "./revoke";
import { whoopWebhooks } from "./whoop-webhooks";
import { ProviderPayloadError } from "./errors";
import { localDay, num, readEnvelope, samples, shiftDay, utcOffsetMinutes } from "./paging";
import type {
  Collection,
  MappingContext,
  MetricSample,
  OAuth2Endpoints,
  OAuth2Provider,
  PendingRecord,
  ProviderApi,
  SandboxTarget,
  SyncRange,
} from "./types";

/**
 * WHOOP API v2 (provider-apis.md §2; developer.whoop.com). Client credentials go in the token
 * request body; refresh tokens exist only with the `offline` scope, rotate on every refresh (the
 * used one dies at once) and are requested with `scope=offline`; access tokens last an hour.
 * Collections page with `{records, next_token}` (`nextToken` in the query, `limit` ≤ 25) over
 * `start` (inclusive) / `end` (exclusive) instants, newest first. Only `SCORED` records carry a
 * `score`; the others are remembered as pending and read again by the next poll.
 *
 * Several records can fall on one local day (two cycles starting on the same date, a second
 * night sleep), so each collection reads its whole window in one `fetchPage` (following
 * `next_token` itself), orders it so the record that should speak for a day comes first, and the
 * first record mapped for a day wins. One batch per collection keeps a re-run byte-for-byte
 * idempotent, whichever page a record would have landed on.
 */

type ScoreState = "SCORED" | "PENDING_SCORE" | "UNSCORABLE";

interface WhoopRecord {
  // Known states, and any state Whoop adds later (`string & {}` keeps the known ones visible to tooling).
  score_state?: ScoreState | (string & {});
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
  score?: {
    strain?: number | null;
    kilojoule?: number | null;
    average_heart_rate?: number | null;
    max_heart_rate?: number | null;
  } | null;
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

export interface WhoopWorkout extends WhoopRecord {
  id?: string;
  user_id?: number;
  start?: string;
  end?: string;
  timezone_offset?: string;
  sport_name?: string;
  score?: {
    strain?: number | null;
    average_heart_rate?: number | null;
    max_heart_rate?: number | null;
    kilojoule?: number | null;
    zone_durations?: Partial<Record<(typeof ZONE_FIELDS)[number], number | null>> | null;
  } | null;
}

/** WHOOP's heart-rate zones 1–5 (zone zero, below 50 % of max, is not exercise). */
const ZONE_FIELDS = [
  "zone_one_milli",
  "zone_two_milli",
  "zone_three_milli",
  "zone_four_milli",
  "zone_five_milli",
] as const;

/** WHOOP's documented maximum page size. */
export const WHOOP_PAGE_LIMIT = 25;
const KJ_PER_KCAL = 4.184;

/* MappingContext keys. The context travels between Inngest steps as JSON: plain objects only. */
/** Sleep id → the local day it speaks for; left by the sleep collection for recoveries. */
export const CTX_SLEEP_DAYS = "whoopSleepDays";
/** Local day → the id of the sleep that speaks for it (the longest scored night sleep). */
const CTX_MAIN_SLEEP = "whoopMainSleep";
/** Local day → the id of the cycle that speaks for it (the earliest-starting scored cycle). */
const CTX_MAIN_CYCLE = "whoopMainCycle";
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
function recordDay(
  instant: string | null | undefined,
  timezoneOffset: string | undefined,
  ctx: MappingContext,
): string | undefined {
  if (typeof instant !== "string") return undefined;
  const at = new Date(instant);
  if (Number.isNaN(at.getTime())) return undefined;
  let offset = utcOffsetMinutes(timezoneOffset);
  if (offset !== undefined) ctx[CTX_OFFSET] = offset;
  else if (typeof ctx[CTX_OFFSET] === "number") offset = ctx[CTX_OFFSET];
  // Without any offset the local day is unknown; a UTC day could be the wrong one, so no day.
  return offset === undefined ? undefined : localDay(at, offset);
}

/** The first record mapped for a day claims it; later ones for that day map to nothing. */
function claimDay(ctx: MappingContext, key: string, day: string, id: string): boolean {
  const claimed = objectIn<string>(ctx, key);
  if (claimed[day] !== undefined && claimed[day] !== id) return false;
  claimed[day] = id;
  return true;
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
  return {
    start: `${shiftDay(range.startDay, -marginDays)}T00:00:00.000Z`,
    end: `${shiftDay(range.endDay, marginDays)}T00:00:00.000Z`,
  };
}

/** Guard against a cursor that never ends (the sync engine's own guard sees one page). */
const MAX_PAGES = 200;

function wholeWindowCollection<T extends WhoopRecord>(
  id: string,
  path: string,
  marginDays: number,
  rest: Pick<Collection<T>, "map" | "pending" | "externalId"> & {
    /** Orders the window's records so the one that should speak for a day comes first. */
    order?: (a: T, b: T) => number;
  },
): Collection<T> {
  const { order, ...mapping } = rest;
  return {
    id,
    async fetchPage(api: ProviderApi, range: SyncRange, cursor) {
      const { start, end } = window(range, marginDays);
      const items: T[] = [];
      let nextToken = cursor ?? undefined;
      for (let page = 0; ; page++) {
        if (page >= MAX_PAGES) throw new ProviderPayloadError(`WHOOP ${id} did not stop paging`);
        const body = await api.get(path, { start, end, limit: WHOOP_PAGE_LIMIT, nextToken });
        const envelope = readEnvelope<T>("WHOOP", body, "records", "next_token");
        items.push(...envelope.items);
        if (!envelope.nextCursor || envelope.nextCursor === nextToken) break;
        nextToken = envelope.nextCursor;
      }
      return { items: order ? items.sort(order) : items, nextCursor: null };
    },
    ...mapping,
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

const inBedMilli = (sleep: WhoopSleep) => num(sleep.score?.stage_summary?.total_in_bed_time_milli) ?? 0;

/**
 * Sleeps. Naps (`nap: true`) never speak for the night: they map to nothing and are not pending.
 * When two night sleeps end on the same day, the one longest in bed speaks for it.
 */
const sleeps = wholeWindowCollection<WhoopSleep>("sleep", "/v2/activity/sleep", 3, {
  map(sleep, ctx) {
    if (sleep.nap === true) return [];
    const day = sleepDay(sleep, ctx);
    if (!day) return [];
    // Every night sleep, scored or not, tells recoveries (next collection) which day they belong to.
    if (typeof sleep.id === "string") objectIn<string>(ctx, CTX_SLEEP_DAYS)[sleep.id] = day;
    if (!isScored(sleep) || !sleep.score || !claimDay(ctx, CTX_MAIN_SLEEP, day, String(sleep.id))) return [];
    const stages = sleep.score.stage_summary ?? {};
    const inBed = num(stages.total_in_bed_time_milli);
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
  order: (a, b) => inBedMilli(b) - inBedMilli(a),
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

const recoveries = wholeWindowCollection<WhoopRecovery>("recovery", "/v2/recovery", 2, {
  map(recovery, ctx) {
    const day = recoveryDay(recovery, ctx);
    if (day && typeof recovery === "object" && recovery !== null) recoveryDays.set(recovery, day);
    if (!day || !isScored(recovery) || !recovery.score) return [];
    // The day's recovery is the one of the sleep that speaks for the day.
    const mainSleep = objectIn<string>(ctx, CTX_MAIN_SLEEP)[day];
    if (mainSleep !== undefined && mainSleep !== recovery.sleep_id) return [];
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

const startMs = (cycle: WhoopCycle) => {
  const at = typeof cycle.start === "string" ? Date.parse(cycle.start) : Number.NaN;
  return Number.isNaN(at) ? Number.MAX_SAFE_INTEGER : at;
};

const cycles = wholeWindowCollection<WhoopCycle>("cycle", "/v2/cycle", 2, {
  map(cycle, ctx) {
    const day = cycleDay(cycle, ctx);
    if (!day || !isScored(cycle) || !cycle.score || !claimDay(ctx, CTX_MAIN_CYCLE, day, String(cycle.id))) return [];
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
  // A day's date can start two cycles (asleep after midnight, then before the next midnight): the
  // earlier one, which covers that day's waking hours, speaks for it.
  order: (a, b) => startMs(a) - startMs(b),
});

/** A workout's day is the local date of its start. */
export function workoutDay(workout: WhoopWorkout, ctx: MappingContext = {}): string | undefined {
  return recordDay(workout.start, workout.timezone_offset, ctx);
}

/**
 * Workouts, as daily totals: count, time, energy and time per heart-rate zone add up over the
 * day's scored workouts; strain does not add up (it is logarithmic), so the day keeps its hardest
 * workout's. Unscored workouts are pending and counted once WHOOP has scored them.
 */
const workoutsInWindow = wholeWindowCollection<WhoopWorkout>("workout", "/v2/activity/workout", 2, {
  map: () => [],
  pending(workout) {
    const state = unscoredState(workout);
    if (!state || typeof workout.id !== "string") return undefined;
    return { externalId: workout.id, day: workoutDay(workout), state };
  },
  externalId: (workout) => (typeof workout.id === "string" ? workout.id : undefined),
});

const workouts: Collection<WhoopWorkout> = {
  ...workoutsInWindow,
  aggregate(items, ctx) {
    type Totals = { count: number; ms: number; kj?: number; strain?: number; zones: Array<number | undefined> };
    const days = new Map<string, Totals>();
    const seen = new Set<string>();
    for (const workout of items) {
      if (!isScored(workout) || !workout.score) continue;
      // One record per id, even if a page boundary repeated it.
      if (typeof workout.id === "string") {
        if (seen.has(workout.id)) continue;
        seen.add(workout.id);
      }
      const day = workoutDay(workout, ctx);
      const start = typeof workout.start === "string" ? Date.parse(workout.start) : Number.NaN;
      const end = typeof workout.end === "string" ? Date.parse(workout.end) : Number.NaN;
      if (!day || Number.isNaN(start) || Number.isNaN(end) || end < start) continue;
      const totals = days.get(day) ?? { count: 0, ms: 0, zones: ZONE_FIELDS.map(() => undefined) };
      totals.count += 1;
      totals.ms += end - start;
      const kj = num(workout.score.kilojoule);
      if (kj !== undefined) totals.kj = (totals.kj ?? 0) + kj;
      const strain = num(workout.score.strain);
      if (strain !== undefined) totals.strain = Math.max(totals.strain ?? 0, strain);
      ZONE_FIELDS.forEach((field, i) => {
        const ms = num(workout.score?.zone_durations?.[field]);
        if (ms !== undefined) totals.zones[i] = (totals.zones[i] ?? 0) + ms;
      });
      days.set(day, totals);
    }
    return [...days].flatMap(([day, t]) =>
      samples(day, [
        ["workout_count", t.count],
        ["workout_duration", Math.round(t.ms / 1000)],
        ["workout_calories", t.kj === undefined ? undefined : Math.round(t.kj / KJ_PER_KCAL)],
        ["workout_strain", t.strain],
        ["workout_zone_1", seconds(t.zones[0])],
        ["workout_zone_2", seconds(t.zones[1])],
        ["workout_zone_3", seconds(t.zones[2])],
        ["workout_zone_4", seconds(t.zones[3])],
        ["workout_zone_5", seconds(t.zones[4])],
      ]),
    );
  },
};

/**
 * The local sandbox (Whoop's stand-in at `${APP_URL}/sandbox/whoop`): the client it accepts (not a
 * secret: the sandbox only runs while no real Whoop credentials are set) and where it serves
 * Whoop's endpoints.
 */
export const whoopSandboxTarget: SandboxTarget<OAuth2Endpoints> = {
  clientId: "whoop-sandbox-client",
  clientSecret: "whoop-sandbox-secret-3b8e71d0",
  endpoints: (baseUrl) => ({
    // The shared consent page stands in for https://api.prod.whoop.com/oauth/oauth2/auth.
    authorization: `${baseUrl}/oauth/authorize`,
    token: `${baseUrl}/oauth/oauth2/token`,
    api: `${baseUrl}/developer`,
  }),
};

export const whoop: OAuth2Provider = {
  id: "whoop",
  // The product's own pages write "Whoop"; WHOOP's consent page (the sandbox) keeps its brand.
  name: "Whoop",
  kind: "oauth2",
  description: "WHOOP strap: recovery, sleep and strain.",
  color: "#101518",
  dataSummary: "Recovery, sleep, strain, workouts, HRV, resting heart rate",
  backfillDays: 30,
  endpoints: {
    authorization: "https://api.prod.whoop.com/oauth/oauth2/auth",
    token: "https://api.prod.whoop.com/oauth/oauth2/token",
    api: "https://api.prod.whoop.com/developer",
  },
  sandbox: whoopSandboxTarget,
  // `offline` is what yields a refresh token; the rest are the read scopes of the data we sync.
  scopes: [
    "offline",
    "read:recovery",
    "read:cycles",
    "read:sleep",
    "read:workout",
    "read:profile",
    "read:body_measurement",
  ],
  scopeSeparator: " ",
  // WHOOP's authorisation server is Ory Hydra (its error bodies and the 8-character state rule),
  // which implements RFC 7636 and enforces the verifier once a challenge was sent.
  checks: ["state", "pkce"],
  clientAuthentication: "client_secret_post",
  token: { refreshParams: { scope: "offline" } },
  refreshTokens: "single-use",
  async fetchUserId(api) {
    const profile = (await api.get("/v2/user/profile/basic")) as { user_id?: unknown } | undefined;
    const id = profile?.user_id;
    return typeof id === "number" || (typeof id === "string" && id) ? String(id) : undefined;
  },
  // Sleeps first: recoveries take their day from their sleep.
  collections: [sleeps, recoveries, cycles, workouts],
  // WHOOP answers 401 (not 403) for a scope that was not granted: skipping is the only safe way.
  collectionScopes: {
    sleep: ["read:sleep"],
    recovery: ["read:recovery"],
    cycle: ["read:cycles"],
    workout: ["read:workout"],
  },
  // `DELETE /v2/user/access` revokes the grant and stops its webhooks.
  revoke: revokeByBearerDelete("Whoop", "/v2/user/access"),
  // Signed notifications to the URL set in the developer dashboard (whoop-webhooks.ts).
  webhooks: whoopWebhooks(
    (sleep) => sleepDay(sleep),
    (workout) => workoutDay(workout),
  ),
  // How the sandbox's consent page looks, so it reads like this provider's own screen (Tailwind
  // classes written out in full so Tailwind's source scan finds them).
  branding: {
    name: "WHOOP",
    page: "bg-black text-neutral-100",
    card: "bg-[#121417] border border-white/10",
    muted: "text-neutral-400",
    primaryButton: "bg-[#00f19f] text-black hover:bg-[#3dffbb]",
    secondaryButton: "border border-white/25 text-neutral-100 hover:bg-white/10",
    input: "bg-black border border-white/25 text-neutral-100",
  },
  metricFields: {
    sleep_duration: "sleep.score.stage_summary.total_light + slow_wave + rem_sleep_time_milli (÷ 1000)",
    time_in_bed: "sleep.score.stage_summary.total_in_bed_time_milli (÷ 1000)",
    light_sleep: "sleep.score.stage_summary.total_light_sleep_time_milli (÷ 1000)",
    deep_sleep: "sleep.score.stage_summary.total_slow_wave_sleep_time_milli (÷ 1000)",
    rem_sleep: "sleep.score.stage_summary.total_rem_sleep_time_milli (÷ 1000)",
    awake_time: "sleep.score.stage_summary.total_awake_time_milli (÷ 1000)",
    wakeup_count: "sleep.score.stage_summary.disturbance_count",
    sleep_performance: "sleep.score.sleep_performance_percentage",
    sleep_score: "sleep.score.sleep_performance_percentage",
    sleep_efficiency: "sleep.score.sleep_efficiency_percentage",
    sleep_consistency: "sleep.score.sleep_consistency_percentage",
    respiratory_rate: "sleep.score.respiratory_rate",
    readiness_score: "recovery.score.recovery_score (not while user_calibrating)",
    resting_heart_rate: "recovery.score.resting_heart_rate",
    hrv_rmssd: "recovery.score.hrv_rmssd_milli",
    spo2: "recovery.score.spo2_percentage",
    skin_temperature: "recovery.score.skin_temp_celsius",
    strain: "cycle.score.strain",
    total_calories: "cycle.score.kilojoule (÷ 4.184)",
    heart_rate_avg: "cycle.score.average_heart_rate",
    heart_rate_max: "cycle.score.max_heart_rate",
    workout_count: "workout (scored workouts of the local day they start)",
    workout_duration: "workout.end − start (sum of the day)",
    workout_calories: "workout.score.kilojoule (÷ 4.184, sum of the day)",
    workout_strain: "workout.score.strain (max of the day)",
    workout_zone_1: "workout.score.zone_durations.zone_one_milli (÷ 1000, sum of the day)",
    workout_zone_2: "workout.score.zone_durations.zone_two_milli (÷ 1000, sum of the day)",
    workout_zone_3: "workout.score.zone_durations.zone_three_milli (÷ 1000, sum of the day)",
    workout_zone_4: "workout.score.zone_durations.zone_four_milli (÷ 1000, sum of the day)",
    workout_zone_5: "workout.score.zone_durations.zone_five_milli (÷ 1000, sum of the day)",
  },
  // Where this provider ranks among the sources of each metric it supplies (lower first; the
  // others' ranks are in their modules, in steps of 10 so a new provider can slot in between).
  metricPriority: {
    sleep_duration: 20,
    time_in_bed: 20,
    light_sleep: 20,
    deep_sleep: 20,
    rem_sleep: 20,
    awake_time: 20,
    wakeup_count: 20,
    sleep_performance: 10,
    sleep_score: 40,
    sleep_efficiency: 20,
    sleep_consistency: 10,
    respiratory_rate: 20,
    readiness_score: 20,
    resting_heart_rate: 20,
    hrv_rmssd: 20,
    spo2: 20,
    skin_temperature: 10,
    strain: 10,
    total_calories: 40,
    heart_rate_avg: 30,
    heart_rate_max: 40,
    workout_count: 10,
    workout_duration: 10,
    workout_calories: 10,
    workout_strain: 10,
    workout_zone_1: 10,
    workout_zone_2: 10,
    workout_zone_3: 10,
    workout_zone_4: 10,
    workout_zone_5: 10,
  },
};

/** For tests and the sandbox: the metric samples of one collection's items, in order. */
export function mapWhoopItems(collectionId: string, items: unknown[], ctx: MappingContext = {}): MetricSample[] {
  const collection = whoop.collections.find((c) => c.id === collectionId);
  if (!collection) throw new Error(`WHOOP has no collection ${collectionId}`);
  return collection.aggregate ? collection.aggregate(items, ctx) : items.flatMap((item) => collection.map(item, ctx));
}
