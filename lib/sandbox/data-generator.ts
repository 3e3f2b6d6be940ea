import crypto from "node:crypto";
import { TZDate } from "@date-fns/tz";
import { format } from "date-fns";

/**
 * Deterministic, realistic wearable data for sandbox accounts. Every value comes from a PRNG
 * seeded by (provider, account, series, day), so the same account always gets the same nights,
 * and computing one day never requires computing the days before it. Day-to-day correlation
 * (recovery, temperature) comes from smoothing seeded noise over the preceding days.
 *
 * Days are the account's local calendar days in its IANA time zone. A night belongs to the
 * morning it ends (Oura's `day`). Data exists only for the `historyDays` most recent local days
 * up to and including "today", and never after the current instant.
 */

export interface GeneratorAccount {
  provider: string;
  accountId: string;
  historyDays: number;
  timeZone: string;
}

const DAY_MS = 86_400_000;
const EPOCH_S = 300;
const EPOCH_MS = EPOCH_S * 1000;

/* ---------- seeded randomness ---------- */

export interface Random {
  /** Uniform in [0, 1). */
  next(): number;
  range(min: number, max: number): number;
  /** Integer in [min, max]. */
  int(min: number, max: number): number;
  normal(mean: number, sd: number): number;
  chance(p: number): boolean;
}

/** A seeded PRNG (sfc32) keyed by the given parts: same parts, same sequence. */
export function seededRandom(...parts: Array<string | number>): Random {
  const digest = crypto.createHash("sha256").update(parts.join("\u001f")).digest();
  let a = digest.readUInt32LE(0);
  let b = digest.readUInt32LE(4);
  let c = digest.readUInt32LE(8);
  let d = digest.readUInt32LE(12);
  const next = () => {
    a >>>= 0;
    b >>>= 0;
    c >>>= 0;
    d >>>= 0;
    const t = (a + b + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) >>> 0;
    return t / 4294967296;
  };
  const random: Random = {
    next,
    range: (min, max) => min + (max - min) * next(),
    int: (min, max) => Math.floor(min + (max - min + 1) * next()),
    normal: (mean, sd) => {
      const u = 1 - next();
      const v = next();
      return mean + sd * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    },
    chance: (p) => next() < p,
  };
  return random;
}

/** A deterministic UUID-shaped id for a document. */
export function deterministicId(...parts: Array<string | number>): string {
  const hex = crypto.createHash("sha256").update(parts.join("\u001f")).digest("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16)}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/* ---------- days and time zones ---------- */

const DAY_RE = /^\d{4}-\d{2}-\d{2}$/;

export function isDay(value: string): boolean {
  if (!DAY_RE.test(value)) return false;
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value;
}

/** `day` shifted by `n` calendar days (pure calendar arithmetic, no time zone). */
export function shiftDay(day: string, n: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);
}

export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS);
}

/** The local calendar day of an instant in a time zone. */
export function localDay(instant: Date, timeZone: string): string {
  return format(new TZDate(instant.getTime(), timeZone), "yyyy-MM-dd");
}

/** The instant a local wall-clock time (minutes after local midnight of `day`, may exceed 1440) occurs. */
export function localInstant(day: string, minutes: number, timeZone: string): Date {
  const [y, m, d] = day.split("-").map(Number) as [number, number, number];
  const midnight = new TZDate(y, m - 1, d, 0, 0, 0, 0, timeZone).getTime();
  return new Date(midnight + Math.round(minutes * 60_000));
}

/** ISO 8601 with the zone's UTC offset, as Oura writes local timestamps ("2026-01-05T23:10:00+01:00"). */
export function formatLocal(instant: Date, timeZone: string): string {
  return format(new TZDate(instant.getTime(), timeZone), "yyyy-MM-dd'T'HH:mm:ssxxx");
}

/** ISO 8601 in UTC with an explicit +00:00 offset. */
export function formatUtc(instant: Date): string {
  return instant.toISOString().replace(/\.\d{3}Z$/, "+00:00");
}

/** The account's days that have data: the last `historyDays` local days up to today. */
export function historyBounds(account: GeneratorAccount, now: Date): { firstDay: string; today: string } {
  const today = localDay(now, account.timeZone);
  return { firstDay: shiftDay(today, -(account.historyDays - 1)), today };
}

/** Days of [startDay, endDay] (inclusive) that fall inside the account's history. */
export function daysWithHistory(account: GeneratorAccount, startDay: string, endDay: string, now: Date): string[] {
  const { firstDay, today } = historyBounds(account, now);
  const from = startDay > firstDay ? startDay : firstDay;
  const to = endDay < today ? endDay : today;
  const days: string[] = [];
  for (let day = from; day <= to; day = shiftDay(day, 1)) days.push(day);
  return days;
}

/* ---------- generated shapes ---------- */

/** One sleep period, in the provider-neutral form the sandboxes shape into payloads. */
export interface SleepPeriod {
  id: string;
  /** The local day the period belongs to (the morning it ends). */
  day: string;
  type: "long_sleep" | "late_nap";
  start: Date;
  end: Date;
  /** One character per 5 minutes: 1 deep, 2 light, 3 REM, 4 awake (Oura's encoding). */
  hypnogram: string;
  /** One character per 30 s: 1 still … 4 restless. */
  movement: string;
  timeInBed: number;
  totalSleep: number;
  deepSleep: number;
  lightSleep: number;
  remSleep: number;
  awakeTime: number;
  /** Seconds from lying down to falling asleep. */
  latency: number;
  efficiency: number;
  /** 5-minute heart-rate samples from `start` (bpm; null while not measured). */
  heartRate: Array<number | null>;
  /** 5-minute RMSSD samples from `start` (ms; null while awake). */
  hrv: Array<number | null>;
  averageHeartRate: number;
  lowestHeartRate: number;
  averageHrv: number;
  averageBreath: number;
  restlessPeriods: number;
}

export interface SleepScore {
  score: number;
  contributors: {
    deep_sleep: number;
    efficiency: number;
    latency: number;
    rem_sleep: number;
    restfulness: number;
    timing: number;
    total_sleep: number;
  };
}

export interface Readiness {
  /** Null while the ring is still calibrating (first two days of history). */
  score: number | null;
  temperatureDeviation: number;
  temperatureTrendDeviation: number;
  contributors: {
    activity_balance: number | null;
    body_temperature: number | null;
    hrv_balance: number | null;
    previous_day_activity: number | null;
    previous_night: number | null;
    recovery_index: number | null;
    resting_heart_rate: number | null;
    sleep_balance: number | null;
    sleep_regularity: number | null;
  };
}

export interface Activity {
  day: string;
  /** Local 04:00 of the day, when Oura's activity day starts. */
  start: Date;
  steps: number;
  activeCalories: number;
  totalCalories: number;
  targetCalories: number;
  equivalentWalkingDistance: number;
  highActivityTime: number;
  mediumActivityTime: number;
  lowActivityTime: number;
  sedentaryTime: number;
  restingTime: number;
  nonWearTime: number;
  inactivityAlerts: number;
  averageMetMinutes: number;
  /** One MET value per minute from `start` (only the minutes elapsed so far today). */
  met: number[];
  score: number;
  contributors: {
    meet_daily_targets: number;
    move_every_hour: number;
    recovery_time: number;
    stay_active: number;
    training_frequency: number;
    training_volume: number;
  };
}

export interface Spo2 {
  /** Null on nights the sensor could not measure. */
  average: number | null;
  breathingDisturbanceIndex: number;
}

export interface HeartRateSample {
  timestamp: Date;
  bpm: number;
  source: "awake" | "rest" | "sleep";
}

interface Baseline {
  /** Minutes after local midnight of the evening day. */
  bedtime: number;
  timeInBedMinutes: number;
  restingHr: number;
  hrv: number;
  breath: number;
  steps: number;
  bmr: number;
  spo2: number;
  bdi: number;
  weekendStepFactor: number;
}

const clamp = (value: number, min: number, max: number) => Math.min(max, Math.max(min, value));
const round = (value: number, places = 0) => {
  const f = 10 ** places;
  return Math.round(value * f) / f;
};
const score = (value: number) => Math.round(clamp(value, 1, 100));

/** Fraction of nights with no recorded sleep (ring off, charging). */
export const MISSING_NIGHT_RATE = 0.05;
const NAP_RATE = 0.08;

export type Generator = ReturnType<typeof createGenerator>;

/**
 * The generator for one account at one instant ("now"). Results are memoised per instance, so
 * create one per request.
 */
export function createGenerator(account: GeneratorAccount, now: Date) {
  const { provider, accountId, timeZone } = account;
  const key = (series: string, ...rest: Array<string | number>) => seededRandom(provider, accountId, series, ...rest);
  const bounds = historyBounds(account, now);
  const memo = new Map<string, unknown>();
  function memoise<T>(id: string, compute: () => T): T {
    if (!memo.has(id)) memo.set(id, compute());
    return memo.get(id) as T;
  }

  const baseline: Baseline = (() => {
    const r = key("baseline");
    return {
      bedtime: r.range(22 * 60, 23 * 60 + 45),
      timeInBedMinutes: r.range(440, 510),
      restingHr: r.range(48, 62),
      hrv: r.range(32, 75),
      breath: r.range(13, 16.5),
      steps: r.range(6500, 11000),
      bmr: r.range(1500, 2000),
      spo2: r.range(95.5, 98),
      bdi: r.range(2, 12),
      weekendStepFactor: r.range(0.75, 1.25),
    };
  })();

  /** Smoothed, correlated standard-normal noise for `series` on `day`. */
  function correlated(series: string, day: string, decay: number, span: number): number {
    let sum = 0;
    let norm = 0;
    for (let k = 0; k < span; k++) {
      const w = decay ** k;
      sum += w * key(series, shiftDay(day, -k)).normal(0, 1);
      norm += w * w;
    }
    return sum / Math.sqrt(norm);
  }

  const recovery = (day: string) => memoise(`recovery:${day}`, () => correlated("recovery", day, 0.6, 7));
  const temperature = (day: string) => memoise(`temperature:${day}`, () => correlated("temperature", day, 0.5, 5));
  const inHistory = (day: string) => day >= bounds.firstDay && day <= bounds.today;
  const historyIndex = (day: string) => daysBetween(bounds.firstDay, day);
  const isWeekend = (day: string) => {
    const weekday = new Date(`${day}T00:00:00Z`).getUTCDay();
    return weekday === 0 || weekday === 6;
  };

  function buildPeriod(input: {
    day: string;
    type: SleepPeriod["type"];
    start: Date;
    epochs: number;
    latencyEpochs: number;
    lowest: number;
    hrvMean: number;
    r: Random;
    napLike: boolean;
  }): SleepPeriod {
    const { r, epochs, latencyEpochs } = input;
    const phases: string[] = Array.from({ length: latencyEpochs }, () => "4");
    for (let cycle = 0; phases.length < epochs; cycle++) {
      if (input.napLike) {
        phases.push(r.chance(0.15) ? "1" : r.chance(0.1) ? "4" : "2");
        continue;
      }
      const deep = Math.max(0, Math.round(7 - 2 * cycle + r.normal(0, 1)));
      const rem = Math.round(clamp(2 + 1.3 * cycle + r.normal(0, 1), 1, 8));
      const lightBefore = r.int(2, 4);
      const lightAfter = Math.max(1, 18 - lightBefore - deep - rem);
      phases.push(
        ...Array<string>(lightBefore).fill("2"),
        ...Array<string>(deep).fill("1"),
        ...Array<string>(lightAfter).fill("2"),
        ...Array<string>(rem).fill("3"),
      );
      if (r.chance(0.6)) phases.push(...Array<string>(r.int(1, 3)).fill("4"));
    }
    phases.length = epochs;
    if (!input.napLike && r.chance(0.5)) phases[epochs - 1] = "4";
    const hypnogram = phases.join("");
    const count = (c: string) => phases.filter((p) => p === c).length * EPOCH_S;

    const heartRate: number[] = [];
    const hrv: Array<number | null> = [];
    for (let i = 0; i < epochs; i++) {
      const x = i / Math.max(1, epochs - 1);
      // Heart rate falls to its lowest around 60 % of the night and rises towards waking.
      const shape = 9 * (x - 0.6) ** 2 + (x < 0.1 ? 6 * (0.1 - x) * 10 : 0);
      const awake = phases[i] === "4";
      heartRate.push(Math.round(input.lowest + shape + (awake ? 6 : 0) + Math.abs(r.normal(0, 1.3))));
      hrv.push(
        awake
          ? null
          : Math.max(
              5,
              Math.round(input.hrvMean * (0.75 + 0.5 * Math.sin(Math.PI * Math.min(1, x * 1.4))) + r.normal(0, 4)),
            ),
      );
    }
    const hrvValues = hrv.filter((v): v is number => v !== null);
    let movement = "";
    for (let i = 0; i < epochs * 10; i++) {
      const awake = phases[Math.floor(i / 10)] === "4";
      const v = r.next();
      movement += awake ? (v < 0.5 ? "3" : "4") : v < 0.82 ? "1" : v < 0.95 ? "2" : v < 0.99 ? "3" : "4";
    }
    const timeInBed = epochs * EPOCH_S;
    const awakeTime = count("4");
    const totalSleep = timeInBed - awakeTime;
    return {
      id: deterministicId(provider, accountId, "sleep", input.day, input.type),
      day: input.day,
      type: input.type,
      start: input.start,
      end: new Date(input.start.getTime() + timeInBed * 1000),
      hypnogram,
      movement,
      timeInBed,
      totalSleep,
      deepSleep: count("1"),
      lightSleep: count("2"),
      remSleep: count("3"),
      awakeTime,
      latency: latencyEpochs * EPOCH_S,
      efficiency: score((100 * totalSleep) / timeInBed),
      heartRate,
      hrv,
      averageHeartRate: round(heartRate.reduce((s, v) => s + v, 0) / heartRate.length, 3),
      lowestHeartRate: Math.min(...heartRate),
      averageHrv: hrvValues.length ? Math.round(hrvValues.reduce((s, v) => s + v, 0) / hrvValues.length) : 0,
      averageBreath: Math.round((baseline.breath + r.normal(0, 0.4)) * 8) / 8,
      restlessPeriods: Math.round(clamp(input.napLike ? r.normal(15, 5) : r.normal(190, 50), 0, 450)),
    };
  }

  /**
   * The main sleep ending on the morning of `day`, or null on a missing night. Ignores history
   * bounds and "now" (see `nightOf` for the bounded version).
   */
  function generatedNight(day: string): SleepPeriod | null {
    return memoise(`night:${day}`, () => {
      if (key("missing-night", day).chance(MISSING_NIGHT_RATE)) return null;
      const r = key("sleep", day);
      const rec = recovery(day);
      const bedtime = baseline.bedtime + r.normal(0, 25) + (isWeekend(shiftDay(day, -1)) ? 35 : 0);
      // Start on the 5-minute grid so heart-rate samples line up with the period's items.
      const rawStart = localInstant(shiftDay(day, -1), bedtime, timeZone).getTime();
      const start = new Date(Math.round(rawStart / EPOCH_MS) * EPOCH_MS);
      const epochs = Math.round(clamp((baseline.timeInBedMinutes + r.normal(0, 35) + 10 * rec) / 5, 60, 132));
      const latencyEpochs = Math.round(clamp(r.normal(3, 1.5), 1, 8));
      return buildPeriod({
        day,
        type: "long_sleep",
        start,
        epochs,
        latencyEpochs,
        lowest: baseline.restingHr - 2.5 * rec + r.normal(0, 1.2),
        hrvMean: Math.max(12, baseline.hrv * (1 + 0.12 * rec) + r.normal(0, 3)),
        r,
        napLike: false,
      });
    });
  }

  /** The night ending on `day` if it is inside the account's history and already over. */
  function nightOf(day: string): SleepPeriod | null {
    if (!inHistory(day)) return null;
    const night = generatedNight(day);
    return night && night.end.getTime() <= now.getTime() ? night : null;
  }

  /** An occasional afternoon nap on `day` (Oura `late_nap`), once it is over. */
  function napOf(day: string): SleepPeriod | null {
    if (!inHistory(day)) return null;
    const nap = memoise(`nap:${day}`, () => {
      const r = key("nap", day);
      if (!r.chance(NAP_RATE)) return null;
      const rawStart = localInstant(day, 14 * 60 + r.int(0, 150), timeZone).getTime();
      return buildPeriod({
        day,
        type: "late_nap",
        start: new Date(Math.round(rawStart / EPOCH_MS) * EPOCH_MS),
        epochs: r.int(4, 9),
        latencyEpochs: 1,
        lowest: baseline.restingHr + 4 + r.normal(0, 1.5),
        hrvMean: baseline.hrv * 0.9,
        r,
        napLike: true,
      });
    });
    return nap && nap.end.getTime() <= now.getTime() ? nap : null;
  }

  /** Every sleep period that belongs to `day`, in start order. */
  function sleepPeriodsOf(day: string): SleepPeriod[] {
    return [nightOf(day), napOf(day)].filter((p): p is SleepPeriod => p !== null);
  }

  function sleepScoreOf(day: string): SleepScore | null {
    const night = nightOf(day);
    if (!night) return null;
    const hours = (s: number) => s / 3600;
    const midpoint = (night.start.getTime() + night.end.getTime()) / 2;
    const midpointLocal = localInstant(day, 0, timeZone).getTime();
    // Best when the middle of the night falls around 03:00 local.
    const timingOffHours = Math.abs((midpoint - midpointLocal) / 3_600_000 - 3);
    const latencyMinutes = night.latency / 60;
    const contributors = {
      total_sleep: score(100 - 140 * Math.max(0, 1 - hours(night.totalSleep) / 7.5)),
      efficiency: score(((night.efficiency - 65) * 100) / (100 - 65)),
      latency: score(latencyMinutes < 5 ? 72 : latencyMinutes <= 20 ? 98 : 98 - 2.5 * (latencyMinutes - 20)),
      deep_sleep: score((100 * hours(night.deepSleep)) / 1.25),
      rem_sleep: score((100 * hours(night.remSleep)) / 1.75),
      restfulness: score(100 - (night.restlessPeriods - 90) / 3),
      timing: score(100 - 20 * Math.max(0, timingOffHours - 0.5)),
    };
    const weighted =
      0.35 * contributors.total_sleep +
      0.1 * contributors.efficiency +
      0.1 * contributors.latency +
      0.1 * contributors.deep_sleep +
      0.1 * contributors.rem_sleep +
      0.15 * contributors.restfulness +
      0.1 * contributors.timing;
    return { score: score(weighted), contributors };
  }

  /** Readiness for `day`; needs that night's sleep, as on the ring. */
  function readinessOf(day: string): Readiness | null {
    return memoise(`readiness:${day}`, () => {
      const night = nightOf(day);
      const sleepScore = sleepScoreOf(day);
      if (!night || !sleepScore) return null;
      const r = key("readiness", day);
      const rec = recovery(day);
      const index = historyIndex(day);
      const temperatureDeviation = round(0.22 * temperature(day) + r.normal(0, 0.05), 2);
      const temperatureTrendDeviation = round(0.15 * correlated("temperature", day, 0.85, 10), 2);
      const baselineReady = index >= 14;
      const previousActivity = activityOf(shiftDay(day, -1));
      const contributors = {
        activity_balance: baselineReady ? score(82 + 8 * r.normal(0, 1)) : null,
        body_temperature: score(100 - 70 * Math.max(0, Math.abs(temperatureDeviation) - 0.1)),
        hrv_balance: baselineReady ? score(78 + 12 * rec + r.normal(0, 4)) : null,
        previous_day_activity: previousActivity ? score(70 + previousActivity.score / 4 + r.normal(0, 5)) : null,
        previous_night: sleepScore.score,
        recovery_index: score(76 + 14 * rec + r.normal(0, 5)),
        resting_heart_rate: score(
          100 - 7 * Math.max(0, night.lowestHeartRate - baseline.restingHr + 1) + r.normal(0, 2),
        ),
        sleep_balance: baselineReady ? score(80 + 8 * rec + r.normal(0, 5)) : null,
        sleep_regularity: baselineReady ? score(85 + r.normal(0, 7)) : null,
      };
      const values = Object.values(contributors).filter((v): v is number => v !== null);
      const mean = values.reduce((s, v) => s + v, 0) / values.length;
      return {
        // The ring calibrates for its first two days: no readiness score yet.
        score: index < 2 ? null : score(0.6 * mean + 0.4 * (76 + 10 * rec)),
        temperatureDeviation,
        temperatureTrendDeviation,
        contributors,
      };
    });
  }

  /**
   * Activity for `day` (Oura's activity day starts at 04:00 local). Today's values grow with the
   * part of the day that has passed; the day has no document before 04:00.
   */
  function activityOf(day: string): Activity | null {
    if (!inHistory(day)) return null;
    return memoise(`activity:${day}`, () => {
      const start = localInstant(day, 4 * 60, timeZone);
      const elapsed = clamp((now.getTime() - start.getTime()) / DAY_MS, 0, 1);
      if (elapsed <= 0) return null;
      const r = key("activity", day);
      const factor =
        (isWeekend(day) ? baseline.weekendStepFactor : 1) * Math.exp(r.normal(0, 0.3)) * (1 + 0.05 * recovery(day));
      const fullSteps = Math.round(baseline.steps * factor);
      const activeCaloriesFull = Math.max(40, Math.round(fullSteps * 0.045 + r.normal(60, 40)));
      const activeMinutes = fullSteps / 100;
      const full = {
        high: Math.round(activeMinutes * r.range(0.03, 0.18)) * 60,
        medium: Math.round(activeMinutes * r.range(0.3, 0.5)) * 60,
        low: Math.round(r.range(180, 330)) * 60,
        resting: Math.round(r.range(420, 540)) * 60,
        nonWear: r.chance(0.3) ? Math.round(r.range(20, 90)) * 60 : 0,
      };
      const part = (v: number) => Math.round(v * elapsed);
      const high = part(full.high);
      const medium = part(full.medium);
      const low = part(full.low);
      const resting = part(full.resting);
      const nonWear = part(full.nonWear);
      const sedentary = Math.max(0, Math.round((DAY_MS / 1000) * elapsed) - high - medium - low - resting - nonWear);
      const steps = part(fullSteps);
      const activeCalories = part(activeCaloriesFull);
      const met: number[] = [];
      const minutes = Math.floor(elapsed * 1440);
      for (let m = 0; m < minutes; m++) {
        const hour = 4 + m / 60;
        const awakeHours = hour >= 7 && hour < 23;
        met.push(round(awakeHours ? 1.2 + Math.max(0, r.normal(0.4, 0.8)) : 0.9 + r.next() * 0.1, 1));
      }
      const stepRatio = fullSteps / baseline.steps;
      return {
        day,
        start,
        steps,
        activeCalories,
        totalCalories: Math.round(baseline.bmr * elapsed) + activeCalories,
        targetCalories: Math.round(baseline.steps * 0.045 + 100),
        equivalentWalkingDistance: Math.round(steps * 0.78),
        highActivityTime: high,
        mediumActivityTime: medium,
        lowActivityTime: low,
        sedentaryTime: sedentary,
        restingTime: resting,
        nonWearTime: nonWear,
        inactivityAlerts: r.chance(0.25) ? r.int(1, 3) : 0,
        averageMetMinutes: round((high * 8 + medium * 4.5 + low * 2.5) / 60 / 24, 3),
        met,
        score: score(62 + 20 * (stepRatio - 0.7) + r.normal(8, 6)),
        contributors: {
          meet_daily_targets: score(55 + 40 * Math.min(1, stepRatio) + r.normal(0, 8)),
          move_every_hour: score(88 + r.normal(0, 8)),
          recovery_time: score(90 + r.normal(0, 8)),
          stay_active: score(70 + r.normal(0, 12)),
          training_frequency: score(80 + r.normal(0, 12)),
          training_volume: score(75 + r.normal(0, 15)),
        },
      };
    });
  }

  /** Overnight SpO2 for the night ending on `day`. */
  function spo2Of(day: string): Spo2 | null {
    if (!nightOf(day)) return null;
    const r = key("spo2", day);
    return {
      average: r.chance(0.03) ? null : round(clamp(baseline.spo2 + r.normal(0, 0.6), 90, 100), 3),
      breathingDisturbanceIndex: Math.round(clamp(baseline.bdi + r.normal(0, 3), 0, 40)),
    };
  }

  /** Whether the ring was worn during a daytime hour (it comes off for charging now and then). */
  const wornDuringHour = (hourIndex: number) => !key("off-wrist", hourIndex).chance(0.08);

  /** The 5-minute heart-rate sample at `t` (on the 5-minute UTC grid), or null when none exists. */
  function heartRateAt(t: Date): HeartRateSample | null {
    if (t.getTime() > now.getTime()) return null;
    const day = localDay(t, timeZone);
    if (!inHistory(day)) return null;
    const inside = (p: SleepPeriod | null) =>
      p && t.getTime() >= p.start.getTime() && t.getTime() < p.end.getTime() ? p : null;
    const period = inside(nightOf(day)) ?? inside(nightOf(shiftDay(day, 1))) ?? inside(napOf(day));
    if (period) {
      const bpm = period.heartRate[Math.floor((t.getTime() - period.start.getTime()) / EPOCH_MS)];
      return bpm == null ? null : { timestamp: t, bpm, source: period.type === "late_nap" ? "rest" : "sleep" };
    }
    const localMinutes = (t.getTime() - localInstant(day, 0, timeZone).getTime()) / 60_000;
    // The ring is off on a missing night (no data 00:00–07:00 that morning).
    if (!generatedNight(day) && localMinutes < 7 * 60) return null;
    if (!wornDuringHour(Math.floor(t.getTime() / 3_600_000))) return null;
    const r = seededRandom(provider, accountId, "heartrate", t.getTime());
    const hour = localMinutes / 60;
    const daytime = hour >= 7 && hour < 22;
    const activityBump = daytime ? 12 + 8 * Math.sin(((hour - 7) / 15) * Math.PI) : 4;
    const exercise = daytime && r.chance(0.03) ? r.range(30, 70) : 0;
    return {
      timestamp: t,
      bpm: Math.round(baseline.restingHr + activityBump + exercise + r.normal(0, 4)),
      source: "awake",
    };
  }

  /** Heart-rate samples in [from, to), in time order, at most `limit`; `next` is where to resume. */
  function heartRateSamples(from: Date, to: Date, limit: number): { samples: HeartRateSample[]; next: Date | null } {
    const samples: HeartRateSample[] = [];
    const end = Math.min(to.getTime(), now.getTime() + 1);
    const firstInstant = localInstant(bounds.firstDay, 0, timeZone).getTime();
    let t = Math.ceil(Math.max(from.getTime(), firstInstant) / EPOCH_MS) * EPOCH_MS;
    for (; t < end; t += EPOCH_MS) {
      const sample = heartRateAt(new Date(t));
      if (!sample) continue;
      if (samples.length === limit) return { samples, next: new Date(t) };
      samples.push(sample);
    }
    return { samples, next: null };
  }

  return {
    account,
    now,
    bounds,
    baseline,
    nightOf,
    napOf,
    sleepPeriodsOf,
    sleepScoreOf,
    readinessOf,
    activityOf,
    spo2Of,
    heartRateAt,
    heartRateSamples,
  };
}
