import { TZDate } from "@date-fns/tz";
import { format } from "date-fns";
import {
  daysBetween,
  deterministicId,
  localDay,
  localInstant,
  seededRandom,
  shiftDay,
  type Generator,
  type SleepPeriod,
} from "../data-generator";

/**
 * Generated data shaped as WHOOP API v2 documents it (provider-apis.md §2.2): UTC timestamps with
 * milliseconds plus the member's `timezone_offset`, integer cycle ids, UUID sleep ids, and
 * `score` only on `SCORED` records.
 *
 * How a member's days become records: each night (the generator's main sleep ending on the
 * morning of day D) is one sleep, one recovery and the start of one physiological cycle. A cycle
 * runs from falling asleep until falling asleep the next time, so it ends when the next recorded
 * night starts (a missing night makes it longer) and the latest one has no `end`. WHOOP only
 * knows about a sleep once the strap has synced it after waking, so a night still in progress is
 * not visible yet. Naps are sleeps with `nap: true` inside the current cycle.
 *
 * Scoring: records are `PENDING_SCORE` until `scoreDelayMinutes` after the sleep ends (WHOOP
 * usually scores within the hour; the "still syncing" account takes longer), then `SCORED`, or
 * `UNSCORABLE` for the few nights the strap could not read (sleep and recovery only; the cycle's
 * strain is still scored).
 */

export type ScoreState = "SCORED" | "PENDING_SCORE" | "UNSCORABLE";

export interface WhoopScoringRules {
  userId: number;
  /** Minutes after a sleep ends until it, its recovery and its cycle are scored. */
  scoreDelayMinutes: number;
  /** Share of nights that end UNSCORABLE. */
  unscorableRate: number;
}

export type WhoopRecord = Record<string, unknown>;

/** A record with the instant WHOOP filters and sorts it by (its `start`, or its cycle's). */
export interface IndexedRecord {
  at: number;
  record: WhoopRecord;
}

const KJ_PER_KCAL = 4.184;
const MINUTE_MS = 60_000;
/** Days since 2000-01-01 make cycle ids grow like WHOOP's sequential ones. */
const ID_EPOCH = "2000-01-01";

const round = (value: number, places: number) => Math.round(value * 10 ** places) / 10 ** places;
const clamp = (value: number, min: number, max: number) => Math.min(max, Math.max(min, value));

/** `2026-11-20T04:10:00.000Z`, WHOOP's UTC timestamp form. */
export const whoopTime = (instant: Date | number) => new Date(instant).toISOString();

/** `-05:00`: the account's UTC offset at an instant. */
export function timezoneOffset(instant: Date, timeZone: string): string {
  return format(new TZDate(instant.getTime(), timeZone), "xxx");
}

export function cycleIdFor(rules: WhoopScoringRules, day: string): number {
  return rules.userId * 100_000 + daysBetween(ID_EPOCH, day);
}

export interface WhoopDataset {
  sleeps: IndexedRecord[];
  cycles: IndexedRecord[];
  recoveries: IndexedRecord[];
}

/**
 * Every record whose `start` (recoveries: their cycle's start) lies in [from, to), newest first,
 * as WHOOP sorts collections.
 */
export function whoopRecordsBetween(gen: Generator, rules: WhoopScoringRules, from: Date, to: Date): WhoopDataset {
  const { account, now, bounds } = gen;
  const tz = account.timeZone;
  const key = (series: string, ...parts: Array<string | number>) =>
    seededRandom(account.provider, account.accountId, series, ...parts);

  const firstDay = [shiftDay(localDay(from, tz), -1), bounds.firstDay].sort().at(-1)!;
  const lastDay = [shiftDay(localDay(to, tz), 1), bounds.today].sort()[0]!;
  const inWindow = (t: number) => t >= from.getTime() && t < to.getTime();

  /** The next recorded night after `day` that WHOOP already knows about (it ended). */
  function nextNight(day: string): SleepPeriod | null {
    for (let d = shiftDay(day, 1); d <= bounds.today; d = shiftDay(d, 1)) {
      const night = gen.nightOf(d);
      if (night) return night;
    }
    return null;
  }

  function stateOf(day: string, sleepEnd: Date, canBeUnscorable: boolean): { state: ScoreState; scoredAt: Date } {
    const scoredAt = new Date(sleepEnd.getTime() + rules.scoreDelayMinutes * MINUTE_MS);
    if (now.getTime() < scoredAt.getTime()) return { state: "PENDING_SCORE", scoredAt };
    if (canBeUnscorable && key("unscorable", day).chance(rules.unscorableRate))
      return { state: "UNSCORABLE", scoredAt };
    return { state: "SCORED", scoredAt };
  }

  function stamps(createdAt: Date, scoredAt: Date, state: ScoreState) {
    const updated = state === "PENDING_SCORE" ? createdAt : scoredAt;
    return { created_at: whoopTime(createdAt), updated_at: whoopTime(updated) };
  }

  function sleepRecord(
    period: SleepPeriod,
    cycleId: number,
    nap: boolean,
    state: ScoreState,
    scoredAt: Date,
  ): WhoopRecord {
    const createdAt = new Date(period.end.getTime() + 3 * MINUTE_MS);
    const base: WhoopRecord = {
      id: period.id,
      cycle_id: cycleId,
      user_id: rules.userId,
      ...stamps(createdAt, scoredAt, state),
      start: whoopTime(period.start),
      end: whoopTime(period.end),
      timezone_offset: timezoneOffset(period.start, tz),
      nap,
      score_state: state,
    };
    if (state !== "SCORED") return base;
    const r = key("whoop-sleep", period.id);
    const runs = (c: string) => (period.hypnogram.match(new RegExp(`${c}+`, "g")) ?? []).length;
    // Disturbances are the awake stretches after first falling asleep.
    const disturbances = Math.max(0, runs("4") - (period.hypnogram.startsWith("4") ? 1 : 0));
    const baselineNeed = Math.round((7.6 + 0.6 * key("sleep-need").next()) * 3_600_000);
    const fromDebt = nap ? 0 : Math.round(r.range(0, 40) * MINUTE_MS);
    const fromStrain = nap ? 0 : Math.round(r.range(0, 30) * MINUTE_MS);
    // A nap the afternoon before lowers tonight's need (WHOOP reports it as a negative number).
    const napBefore = nap ? null : gen.napOf(shiftDay(period.day, -1));
    const fromNap = napBefore ? -napBefore.totalSleep * 1000 : 0;
    const need = baselineNeed + fromDebt + fromStrain + fromNap;
    const asleepMs = period.totalSleep * 1000;
    return {
      ...base,
      score: {
        stage_summary: {
          total_in_bed_time_milli: period.timeInBed * 1000,
          total_awake_time_milli: period.awakeTime * 1000,
          total_no_data_time_milli: 0,
          total_light_sleep_time_milli: period.lightSleep * 1000,
          total_slow_wave_sleep_time_milli: period.deepSleep * 1000,
          total_rem_sleep_time_milli: period.remSleep * 1000,
          sleep_cycle_count: Math.max(1, runs("3")),
          disturbance_count: disturbances,
        },
        sleep_needed: {
          baseline_milli: baselineNeed,
          need_from_sleep_debt_milli: fromDebt,
          need_from_recent_strain_milli: fromStrain,
          need_from_recent_nap_milli: fromNap,
        },
        respiratory_rate: round(period.averageBreath + r.normal(0, 0.15), 6),
        sleep_performance_percentage: nap ? null : Math.round(clamp((100 * asleepMs) / need, 1, 100)),
        sleep_consistency_percentage: nap
          ? null
          : Math.round(clamp((gen.sleepScoreOf(period.day)?.contributors.timing ?? 80) + r.normal(-6, 5), 1, 100)),
        sleep_efficiency_percentage: round((100 * period.totalSleep) / period.timeInBed, 6),
      },
    };
  }

  function recoveryRecord(night: SleepPeriod, cycleId: number, state: ScoreState, scoredAt: Date): WhoopRecord {
    const createdAt = new Date(night.end.getTime() + 4 * MINUTE_MS);
    const base: WhoopRecord = {
      cycle_id: cycleId,
      sleep_id: night.id,
      user_id: rules.userId,
      ...stamps(createdAt, scoredAt, state),
      score_state: state,
    };
    if (state !== "SCORED") return base;
    const r = key("whoop-recovery", night.day);
    const readiness = gen.readinessOf(night.day);
    const recoveryIndex = readiness?.contributors.recovery_index ?? 76;
    const spo2 = gen.spo2Of(night.day)?.average ?? null;
    return {
      ...base,
      score: {
        // The strap calibrates over the member's first four nights.
        user_calibrating: daysBetween(bounds.firstDay, night.day) < 4,
        recovery_score: Math.round(clamp(62 + 1.6 * (recoveryIndex - 76) + r.normal(0, 4), 1, 99)),
        resting_heart_rate: Math.round(night.lowestHeartRate + 2 + r.normal(0, 0.6)),
        hrv_rmssd_milli: round(night.averageHrv * (1 + r.normal(0, 0.03)), 6),
        // SpO2 and skin temperature come from WHOOP 4.0 straps, and SpO2 not from every night.
        ...(spo2 === null ? {} : { spo2_percentage: round(spo2, 4) }),
        skin_temp_celsius: round(33.7 + (readiness?.temperatureDeviation ?? 0) + r.normal(0, 0.05), 6),
      },
    };
  }

  function cycleRecord(
    night: SleepPeriod,
    cycleId: number,
    next: SleepPeriod | null,
    state: ScoreState,
    scoredAt: Date,
  ): WhoopRecord {
    const createdAt = new Date(night.end.getTime() + 3 * MINUTE_MS);
    const end = next ? next.start : null;
    const base: WhoopRecord = {
      id: cycleId,
      user_id: rules.userId,
      ...stamps(createdAt, scoredAt, state),
      start: whoopTime(night.start),
      ...(end ? { end: whoopTime(end) } : {}),
      timezone_offset: timezoneOffset(night.start, tz),
      score_state: state,
    };
    if (state !== "SCORED") return base;
    // The cycle covers the days from this night's morning until the next night starts.
    const lastActivityDay = next ? shiftDay(next.day, -1) : bounds.today;
    let activeKcal = 0;
    for (let d = night.day; d <= lastActivityDay; d = shiftDay(d, 1))
      activeKcal += gen.activityOf(d)?.activeCalories ?? 0;
    const hours = ((end ?? now).getTime() - night.start.getTime()) / 3_600_000;
    const kcal = (gen.baseline.bmr * hours) / 24 + activeKcal;
    const r = key("whoop-cycle", cycleId);
    const strain = round(clamp(21 * (1 - Math.exp(-activeKcal / 650)) + r.normal(0, 0.4), 0.1, 21), 4);
    return {
      ...base,
      score: {
        strain,
        kilojoule: round(kcal * KJ_PER_KCAL, 3),
        average_heart_rate: Math.round(gen.baseline.restingHr + 9 + 0.6 * strain + r.normal(0, 2)),
        max_heart_rate: Math.round(clamp(98 + 4.2 * strain + r.normal(0, 6), 90, 200)),
      },
    };
  }

  const sleeps: IndexedRecord[] = [];
  const cycles: IndexedRecord[] = [];
  const recoveries: IndexedRecord[] = [];
  for (let day = firstDay; day <= lastDay; day = shiftDay(day, 1)) {
    const night = gen.nightOf(day);
    if (!night) continue;
    const cycleId = cycleIdFor(rules, day);
    const at = night.start.getTime();
    const sleepState = stateOf(day, night.end, true);
    if (inWindow(at)) {
      const cycleState = sleepState.state === "PENDING_SCORE" ? "PENDING_SCORE" : "SCORED";
      cycles.push({ at, record: cycleRecord(night, cycleId, nextNight(day), cycleState, sleepState.scoredAt) });
      sleeps.push({ at, record: sleepRecord(night, cycleId, false, sleepState.state, sleepState.scoredAt) });
      recoveries.push({ at, record: recoveryRecord(night, cycleId, sleepState.state, sleepState.scoredAt) });
    }
    const nap = gen.napOf(day);
    if (nap && inWindow(nap.start.getTime())) {
      const napState = stateOf(`nap:${day}`, nap.end, false);
      sleeps.push({
        at: nap.start.getTime(),
        record: sleepRecord(nap, cycleId, true, napState.state, napState.scoredAt),
      });
    }
  }
  const newestFirst = (items: IndexedRecord[]) => items.sort((a, b) => b.at - a.at);
  return { sleeps: newestFirst(sleeps), cycles: newestFirst(cycles), recoveries: newestFirst(recoveries) };
}

/** WHOOP v2 sports the generator picks from (`sport_name`, with the v1 `sport_id` WHOOP still sends). */
const SPORTS = [
  { name: "running", id: 0, kcalPerMinute: 11, distance: 0.18 },
  { name: "cycling", id: 1, kcalPerMinute: 9, distance: 0.42 },
  { name: "functional-fitness", id: 48, kcalPerMinute: 8, distance: 0 },
  { name: "yoga", id: 44, kcalPerMinute: 4, distance: 0 },
  { name: "walking", id: 63, kcalPerMinute: 5, distance: 0.09 },
] as const;

/** Whether a workout (or none) happened on a day: about four days in seven, in the afternoon or evening. */
function workoutOf(gen: Generator, day: string) {
  const { provider, accountId, timeZone } = gen.account;
  const r = seededRandom(provider, accountId, "whoop-workout", day);
  if (!r.chance(0.57)) return null;
  const sport = SPORTS[r.int(0, SPORTS.length - 1)]!;
  const startMinutes = r.range(16 * 60, 19 * 60 + 30);
  const minutes = Math.round(r.range(25, 75));
  const start = localInstant(day, Math.round(startMinutes), timeZone);
  const end = new Date(start.getTime() + minutes * MINUTE_MS);
  return { r, sport, start, end, minutes, id: deterministicId(provider, accountId, "whoop-workout", day) };
}

/**
 * Workouts (WHOOP v2 `/v2/activity/workout`) whose `start` lies in [from, to), newest first. A
 * workout exists once it has ended and is scored `scoreDelayMinutes` later, like sleeps.
 */
export function whoopWorkoutsBetween(
  gen: Generator,
  rules: WhoopScoringRules & { maxHeartRate: number },
  from: Date,
  to: Date,
): IndexedRecord[] {
  const { now, bounds, account } = gen;
  const firstDay = [localDay(from, account.timeZone), bounds.firstDay].sort().at(-1)!;
  const lastDay = [localDay(to, account.timeZone), bounds.today].sort()[0]!;
  const records: IndexedRecord[] = [];
  for (let day = firstDay; day <= lastDay; day = shiftDay(day, 1)) {
    const w = workoutOf(gen, day);
    if (!w || w.end.getTime() > now.getTime()) continue;
    const at = w.start.getTime();
    if (at < from.getTime() || at >= to.getTime()) continue;
    const createdAt = new Date(w.end.getTime() + 2 * MINUTE_MS);
    const scoredAt = new Date(w.end.getTime() + rules.scoreDelayMinutes * MINUTE_MS);
    const scored = now.getTime() >= scoredAt.getTime();
    const record: WhoopRecord = {
      id: w.id,
      user_id: rules.userId,
      created_at: whoopTime(createdAt),
      updated_at: whoopTime(scored ? scoredAt : createdAt),
      start: whoopTime(w.start),
      end: whoopTime(w.end),
      timezone_offset: timezoneOffset(w.start, account.timeZone),
      sport_name: w.sport.name,
      sport_id: w.sport.id,
      score_state: scored ? "SCORED" : "PENDING_SCORE",
    };
    if (scored) {
      const r = w.r;
      const intensity = clamp(r.normal(0.72, 0.08), 0.5, 0.95);
      const averageHr = Math.round(rules.maxHeartRate * intensity);
      const maxHr = Math.round(clamp(averageHr + r.range(12, 28), averageHr, rules.maxHeartRate));
      const kcal = w.minutes * w.sport.kcalPerMinute * (0.8 + intensity / 2);
      // Minutes in WHOOP's six zones (0: below 50 % of max HR … 5: 90–100 %), around the average intensity.
      const weights = [0.03, 0.1, 0.22, 0.3, 0.25, 0.1].map((w0, i) => w0 * (1 + (intensity - 0.72) * (i - 2.5)));
      const sum = weights.reduce((a, b) => a + b, 0);
      const totalMs = w.minutes * MINUTE_MS;
      const zones = weights.map((x) => Math.round((totalMs * Math.max(0, x)) / sum));
      zones[3]! += totalMs - zones.reduce((a, b) => a + b, 0);
      const distance = w.sport.distance ? Math.round(w.minutes * 60 * w.sport.distance * intensity * 10) / 10 : null;
      record.score = {
        strain: round(clamp(6 + 14 * (intensity - 0.5) + w.minutes / 20 + r.normal(0, 0.6), 0.1, 21), 4),
        average_heart_rate: averageHr,
        max_heart_rate: maxHr,
        kilojoule: round(kcal * KJ_PER_KCAL, 3),
        percent_recorded: 100,
        ...(distance === null
          ? {}
          : {
              distance_meter: distance,
              altitude_gain_meter: round(r.range(0, 80), 1),
              altitude_change_meter: round(r.normal(0, 3), 1),
            }),
        zone_durations: {
          zone_zero_milli: zones[0],
          zone_one_milli: zones[1],
          zone_two_milli: zones[2],
          zone_three_milli: zones[3],
          zone_four_milli: zones[4],
          zone_five_milli: zones[5],
        },
      };
    }
    records.push({ at, record });
  }
  return records.sort((a, b) => b.at - a.at);
}

/** The calendar day a cycle id stands for (the inverse of `cycleIdFor`), or undefined for another member's id. */
export function cycleDayOf(rules: WhoopScoringRules, cycleId: number): string | undefined {
  const offset = cycleId - rules.userId * 100_000;
  if (!Number.isSafeInteger(cycleId) || offset < 0 || offset >= 100_000) return undefined;
  return shiftDay(ID_EPOCH, offset);
}
