import { TZDate } from "@date-fns/tz";
import { format } from "date-fns";
import { daysBetween, localDay, seededRandom, shiftDay, type Generator, type SleepPeriod } from "../data-generator";

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
