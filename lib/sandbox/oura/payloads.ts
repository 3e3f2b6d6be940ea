import {
  daysBetween,
  deterministicId,
  formatLocal,
  formatUtc,
  localInstant,
  seededRandom,
  type Generator,
  type HeartRateSample,
  type SleepPeriod,
} from "../data-generator";

/**
 * Generated data shaped exactly as Oura API v2 documents it (provider-apis.md §1.2). Local
 * timestamps carry the account's UTC offset; heart-rate samples are in UTC.
 */

export const OURA_DAILY_COLLECTIONS = [
  "daily_sleep",
  "sleep",
  "daily_readiness",
  "daily_activity",
  "daily_spo2",
  "daily_stress",
  "daily_resilience",
] as const;
export type OuraDailyCollection = (typeof OURA_DAILY_COLLECTIONS)[number];

type Doc = Record<string, unknown> & { id: string; day: string };

function dayTimestamp(gen: Generator, day: string): string {
  return formatLocal(localInstant(day, 0, gen.account.timeZone), gen.account.timeZone);
}

function docId(gen: Generator, collection: string, day: string): string {
  return deterministicId(gen.account.provider, gen.account.accountId, collection, day);
}

function readinessPart(gen: Generator, day: string) {
  const readiness = gen.readinessOf(day);
  if (!readiness) return null;
  return {
    contributors: readiness.contributors,
    score: readiness.score,
    temperature_deviation: readiness.temperatureDeviation,
    temperature_trend_deviation: readiness.temperatureTrendDeviation,
  };
}

function sleepDocument(gen: Generator, period: SleepPeriod, index: number): Doc {
  const tz = gen.account.timeZone;
  const start = formatLocal(period.start, tz);
  return {
    id: period.id,
    average_breath: period.averageBreath,
    average_heart_rate: period.averageHeartRate,
    average_hrv: period.averageHrv,
    awake_time: period.awakeTime,
    bedtime_end: formatLocal(period.end, tz),
    bedtime_start: start,
    day: period.day,
    deep_sleep_duration: period.deepSleep,
    efficiency: period.efficiency,
    heart_rate: { interval: 300, items: period.heartRate, timestamp: start },
    hrv: { interval: 300, items: period.hrv, timestamp: start },
    latency: period.latency,
    light_sleep_duration: period.lightSleep,
    low_battery_alert: false,
    lowest_heart_rate: period.lowestHeartRate,
    movement_30_sec: period.movement,
    period: index,
    readiness: period.type === "long_sleep" ? readinessPart(gen, period.day) : null,
    readiness_score_delta: null,
    rem_sleep_duration: period.remSleep,
    restless_periods: period.restlessPeriods,
    sleep_algorithm_version: "v2",
    sleep_phase_5_min: period.hypnogram,
    sleep_score_delta: null,
    time_in_bed: period.timeInBed,
    total_sleep_duration: period.totalSleep,
    type: period.type,
  };
}

const clamp = (value: number, min: number, max: number) => Math.min(max, Math.max(min, value));

/**
 * Daytime stress (Oura `daily_stress`): seconds of high stress and of high recovery, in
 * 15-minute steps, more stress on days of low readiness. The day's summary is null while the
 * day is still going on, as Oura gives it only once the day has ended.
 */
function stressOf(gen: Generator, day: string) {
  const activity = gen.activityOf(day);
  if (!activity) return null;
  const r = seededRandom(gen.account.provider, gen.account.accountId, "stress", day);
  const readiness = gen.readinessOf(day)?.score ?? 75;
  const quarter = 900;
  const stressHigh = quarter * Math.round(clamp(r.normal(5 + (75 - readiness) / 6, 2.5), 0, 24));
  const recoveryHigh = quarter * Math.round(clamp(r.normal(6 + (readiness - 75) / 8, 2.5), 0, 24));
  const dayOver = gen.now.getTime() >= localInstant(day, 24 * 60, gen.account.timeZone).getTime() - 1;
  const summary =
    stressHigh > recoveryHigh * 1.5 ? "stressful" : recoveryHigh > stressHigh * 1.5 ? "restored" : "normal";
  return { stressHigh, recoveryHigh, summary: dayOver ? summary : null };
}

const RESILIENCE_LEVELS = ["limited", "adequate", "solid", "strong", "exceptional"] as const;
/** Oura needs two weeks of data before it shows a resilience level. */
const RESILIENCE_MIN_DAYS = 14;

function resilienceOf(gen: Generator, day: string) {
  if (!gen.nightOf(day) || daysBetween(gen.bounds.firstDay, day) < RESILIENCE_MIN_DAYS - 1) return null;
  const r = seededRandom(gen.account.provider, gen.account.accountId, "resilience", day);
  const readiness = gen.readinessOf(day)?.score ?? 75;
  const sleepRecovery = Math.round(clamp(readiness + r.normal(0, 6), 1, 100) * 10) / 10;
  const daytimeRecovery = Math.round(clamp(55 + r.normal(0, 12), 1, 100) * 10) / 10;
  const stress =
    Math.round(clamp(100 - (stressOf(gen, day)?.stressHigh ?? 0) / 450 + r.normal(0, 5), 1, 100) * 10) / 10;
  const mean = (sleepRecovery + daytimeRecovery + stress) / 3;
  const level = RESILIENCE_LEVELS[clamp(Math.floor((mean - 45) / 10), 0, RESILIENCE_LEVELS.length - 1)]!;
  return { contributors: { sleep_recovery: sleepRecovery, daytime_recovery: daytimeRecovery, stress }, level };
}

/** The documents of `collection` that belong to `day`, in the order Oura lists them. */
export function documentsForDay(gen: Generator, collection: OuraDailyCollection, day: string): Doc[] {
  switch (collection) {
    case "sleep":
      return gen.sleepPeriodsOf(day).map((period, index) => sleepDocument(gen, period, index));
    case "daily_sleep": {
      const sleep = gen.sleepScoreOf(day);
      if (!sleep) return [];
      return [
        {
          id: docId(gen, collection, day),
          contributors: sleep.contributors,
          day,
          score: sleep.score,
          timestamp: dayTimestamp(gen, day),
        },
      ];
    }
    case "daily_readiness": {
      const readiness = gen.readinessOf(day);
      if (!readiness) return [];
      return [
        {
          id: docId(gen, collection, day),
          contributors: readiness.contributors,
          day,
          score: readiness.score,
          temperature_deviation: readiness.temperatureDeviation,
          temperature_trend_deviation: readiness.temperatureTrendDeviation,
          timestamp: dayTimestamp(gen, day),
        },
      ];
    }
    case "daily_activity": {
      const a = gen.activityOf(day);
      if (!a) return [];
      const start = formatLocal(a.start, gen.account.timeZone);
      const targetMeters = Math.round(gen.baseline.steps * 0.78);
      return [
        {
          id: docId(gen, collection, day),
          active_calories: a.activeCalories,
          average_met_minutes: a.averageMetMinutes,
          contributors: a.contributors,
          day,
          equivalent_walking_distance: a.equivalentWalkingDistance,
          high_activity_met_minutes: Math.round((a.highActivityTime / 60) * 8),
          high_activity_time: a.highActivityTime,
          inactivity_alerts: a.inactivityAlerts,
          low_activity_met_minutes: Math.round((a.lowActivityTime / 60) * 2.5),
          low_activity_time: a.lowActivityTime,
          medium_activity_met_minutes: Math.round((a.mediumActivityTime / 60) * 4.5),
          medium_activity_time: a.mediumActivityTime,
          met: { interval: 60, items: a.met, timestamp: start },
          meters_to_target: Math.max(0, targetMeters - a.equivalentWalkingDistance),
          non_wear_time: a.nonWearTime,
          resting_time: a.restingTime,
          score: a.score,
          sedentary_met_minutes: Math.round(a.sedentaryTime / 60),
          sedentary_time: a.sedentaryTime,
          steps: a.steps,
          target_calories: a.targetCalories,
          target_meters: targetMeters,
          timestamp: start,
          total_calories: a.totalCalories,
        },
      ];
    }
    case "daily_spo2": {
      const spo2 = gen.spo2Of(day);
      if (!spo2) return [];
      return [
        {
          id: docId(gen, collection, day),
          breathing_disturbance_index: spo2.breathingDisturbanceIndex,
          day,
          spo2_percentage: spo2.average === null ? null : { average: spo2.average },
        },
      ];
    }
    case "daily_stress": {
      const stress = stressOf(gen, day);
      if (!stress) return [];
      return [
        {
          id: docId(gen, collection, day),
          day,
          stress_high: stress.stressHigh,
          recovery_high: stress.recoveryHigh,
          day_summary: stress.summary,
        },
      ];
    }
    case "daily_resilience": {
      const resilience = resilienceOf(gen, day);
      if (!resilience) return [];
      return [{ id: docId(gen, collection, day), day, ...resilience }];
    }
  }
}

/** The document of `collection` with this id among `days`, or undefined (another account's id is not found). */
export function findDocument(
  gen: Generator,
  collection: OuraDailyCollection,
  id: string,
  days: string[],
): Record<string, unknown> | undefined {
  for (const day of days) {
    if (collection === "sleep") {
      const index = gen.sleepPeriodsOf(day).findIndex((period) => period.id === id);
      if (index >= 0) return documentsForDay(gen, collection, day)[index];
    } else if (docId(gen, collection, day) === id) {
      return documentsForDay(gen, collection, day)[0];
    }
  }
  return undefined;
}

/** How many documents `collection` has on `day`, without building them (for paging). */
export function documentCountForDay(gen: Generator, collection: OuraDailyCollection, day: string): number {
  switch (collection) {
    case "sleep":
      return gen.sleepPeriodsOf(day).length;
    case "daily_sleep":
    case "daily_readiness":
    case "daily_spo2":
      return gen.nightOf(day) ? 1 : 0;
    case "daily_activity":
    case "daily_stress":
      return gen.activityOf(day) ? 1 : 0;
    case "daily_resilience":
      return resilienceOf(gen, day) ? 1 : 0;
  }
}

export function heartRateDocument(sample: HeartRateSample) {
  return { bpm: sample.bpm, source: sample.source, timestamp: formatUtc(sample.timestamp) };
}
