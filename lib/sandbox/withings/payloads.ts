import {
  daysWithHistory,
  localDay,
  localInstant,
  seededRandom,
  type Generator,
  type SleepPeriod,
} from "../data-generator";
import type { SandboxAccount } from "../types";

/**
 * Generated Withings data shaped as the Withings API documents it (provider-apis.md §3.2):
 * measure groups with `value × 10^unit` measures and epoch-second dates, sleep summary series
 * dated by the morning the night ends, and daily activities, all in the account's time zone.
 * The shared generator supplies nights and activity; body measurements are generated here, per
 * device the account owns.
 */

export type WithingsDevice = "scale" | "sleep_analyzer" | "watch" | "bp_monitor" | "thermometer";

export interface WithingsSandboxAccount extends SandboxAccount {
  timeZone: string;
  /** Withings user ids are integers. */
  userid: number;
  devices: WithingsDevice[];
  /** Typical morning weight (kg) and body fat (%), for scale owners. */
  weightKg?: number;
  fatRatio?: number;
}

export interface MeasureDocument {
  value: number;
  type: number;
  unit: number;
  algo: number;
  fm: number;
}

export interface MeasureGroupDocument {
  grpid: number;
  attrib: number;
  date: number;
  created: number;
  modified: number;
  category: number;
  deviceid: string;
  hash_deviceid: string;
  model: string;
  model_id: number;
  measures: MeasureDocument[];
  comment: string | null;
}

const epoch = (date: Date) => Math.floor(date.getTime() / 1000);
const round = (value: number, places = 0) => Math.round(value * 10 ** places) / 10 ** places;
const clamp = (value: number, min: number, max: number) => Math.min(max, Math.max(min, value));

function hexId(...parts: Array<string | number>): string {
  const r = seededRandom(...parts);
  return Array.from({ length: 40 }, () => Math.floor(r.next() * 16).toString(16)).join("");
}

function intId(...parts: Array<string | number>): number {
  return 100_000_000 + Math.floor(seededRandom(...parts).next() * 900_000_000);
}

/** Encodes a real value as Withings does: an integer `value` and a power-of-ten `unit`. */
function measure(type: number, real: number, unit: number, algo = 0): MeasureDocument {
  return { value: Math.round(real / 10 ** unit), type, unit, algo, fm: 131 };
}

const DEVICE_MODELS: Record<WithingsDevice, { model: string; modelId: number }> = {
  scale: { model: "Body+", modelId: 5 },
  sleep_analyzer: { model: "Sleep Monitor", modelId: 63 },
  watch: { model: "ScanWatch", modelId: 93 },
  bp_monitor: { model: "BPM Connect", modelId: 45 },
  thermometer: { model: "Thermo", modelId: 60 },
};

/** Days a smooth weight trend moves over (a slow drift of about ±1 kg). */
const WEIGHT_TREND_DAYS = 75;

function dayNumber(day: string): number {
  return Math.round(Date.parse(`${day}T00:00:00Z`) / 86_400_000);
}

/**
 * The measure groups the account's devices recorded on its local `day`, oldest first. Scale
 * owners skip about a quarter of mornings and sometimes weigh in again at night; now and then a
 * guest steps on the scale (attrib 1: "may belong to another user").
 */
export function measureGroupsForDay(
  gen: Generator,
  account: WithingsSandboxAccount,
  day: string,
): MeasureGroupDocument[] {
  const tz = account.timeZone;
  const groups: MeasureGroupDocument[] = [];
  const group = (
    device: WithingsDevice,
    at: Date,
    measures: MeasureDocument[],
    attrib = 0,
    seq = 0,
  ): MeasureGroupDocument => {
    const { model, modelId } = DEVICE_MODELS[device];
    const date = epoch(at);
    const created = date + 20 + (intId(account.id, "created", day, device, seq) % 90);
    const deviceid = hexId("withings", account.id, "device", device);
    return {
      grpid: intId("withings", account.id, "grp", day, device, seq),
      attrib,
      date,
      created,
      modified: created,
      category: 1,
      deviceid,
      hash_deviceid: deviceid,
      model,
      model_id: modelId,
      measures,
      comment: null,
    };
  };
  const r = (series: string) => seededRandom("withings", account.id, series, day);

  if (account.devices.includes("scale")) {
    const weighIn = r("weigh-in");
    if (weighIn.chance(0.74)) {
      const base = account.weightKg ?? 75;
      const trend = 1.1 * Math.sin((2 * Math.PI * dayNumber(day)) / WEIGHT_TREND_DAYS);
      const scaleGroup = (minutes: number, offsetKg: number, seq: number) => {
        const weight = round(base + trend + offsetKg + weighIn.normal(0, 0.3), 2);
        const fatRatio = round(clamp((account.fatRatio ?? 20) + 0.4 * trend + weighIn.normal(0, 0.35), 5, 45), 2);
        const fatMass = round((weight * fatRatio) / 100, 2);
        const fatFree = round(weight - fatMass, 2);
        return group(
          "scale",
          localInstant(day, minutes, tz),
          [
            measure(1, weight, -3, 3),
            measure(6, fatRatio, -3),
            measure(8, fatMass, -2),
            measure(5, fatFree, -2),
            measure(76, round(fatFree * 0.945, 2), -2),
            measure(77, round(fatFree * 0.72, 2), -2),
            measure(88, round(fatFree * 0.05, 2), -2),
          ],
          0,
          seq,
        );
      };
      groups.push(scaleGroup(weighIn.range(6.5 * 60, 8.5 * 60), 0, 0));
      if (weighIn.chance(0.1)) groups.push(scaleGroup(weighIn.range(19 * 60, 22.5 * 60), 0.7, 1));
    }
    const guest = r("guest");
    if (guest.chance(0.03)) {
      groups.push(
        group(
          "scale",
          localInstant(day, guest.range(9 * 60, 20 * 60), tz),
          [measure(1, round(guest.range(55, 95), 2), -3, 3)],
          1,
          2,
        ),
      );
    }
  }

  if (account.devices.includes("bp_monitor")) {
    const bp = r("blood-pressure");
    if (bp.chance(0.55)) {
      groups.push(
        group("bp_monitor", localInstant(day, bp.range(7 * 60, 9 * 60), tz), [
          measure(9, Math.round(bp.normal(79, 5)), 0),
          measure(10, Math.round(bp.normal(124, 7)), 0),
          measure(11, Math.round(gen.baseline.restingHr + 8 + bp.normal(0, 4)), 0),
        ]),
      );
    }
  }

  if (account.devices.includes("watch")) {
    const spot = r("spo2");
    if (spot.chance(0.35)) {
      groups.push(
        group("watch", localInstant(day, spot.range(10 * 60, 21 * 60), tz), [
          measure(54, round(clamp(spot.normal(97, 1), 90, 100)), 0),
        ]),
      );
    }
    const night = gen.nightOf(day);
    if (night) {
      // The watch reports skin temperature once per night, at wake-up.
      groups.push(group("watch", night.end, [measure(73, round(33.6 + r("skin-temp").normal(0, 0.3), 2), -2)], 0, 1));
    }
  }

  if (account.devices.includes("thermometer")) {
    const temp = r("body-temp");
    if (temp.chance(0.15)) {
      groups.push(
        group("thermometer", localInstant(day, temp.range(8 * 60, 22 * 60), tz), [
          measure(71, round(temp.normal(36.75, 0.25), 1), -1),
        ]),
      );
    }
  }

  return groups.filter((g) => g.date <= epoch(gen.now)).sort((a, b) => a.date - b.date);
}

/** Every measure group dated in [from, to] (epoch seconds), oldest first. */
export function measureGroupsBetween(
  gen: Generator,
  account: WithingsSandboxAccount,
  from: number,
  to: number,
): MeasureGroupDocument[] {
  const tz = account.timeZone;
  const firstDay = localDay(new Date(from * 1000), tz);
  const lastDay = localDay(new Date(to * 1000), tz);
  return daysWithHistory(gen.account, firstDay, lastDay, gen.now)
    .flatMap((day) => measureGroupsForDay(gen, account, day))
    .filter((g) => g.date >= from && g.date <= to);
}

/* ---------- sleep ---------- */

/** Fraction of nights the Sleep Analyzer records nothing on top of the generator's missing nights (away from home). */
const AWAY_NIGHT_RATE = 0.07;

export type SleepSeriesDocument = Record<string, unknown> & { date: string; data: Record<string, number> };

function awakeRuns(hypnogram: string): number[] {
  return [...hypnogram.matchAll(/4+/g)].map((m) => m[0].length * 300);
}

function mean(values: number[]): number | undefined {
  return values.length ? values.reduce((a, b) => a + b, 0) / values.length : undefined;
}

function sleepData(
  gen: Generator,
  account: WithingsSandboxAccount,
  night: SleepPeriod,
  device: WithingsDevice,
): Record<string, number> {
  const r = seededRandom("withings", account.id, "sleep-extra", night.day);
  const runs = awakeRuns(night.hypnogram);
  const endsAwake = night.hypnogram.endsWith("4");
  const wakeupLatency = endsAwake ? runs.at(-1)! : 0;
  const middleRuns = runs.slice(night.hypnogram.startsWith("4") ? 1 : 0, endsAwake ? -1 : undefined);
  const hrvValues = night.hrv.filter((v): v is number => v !== null);
  const third = Math.max(1, Math.floor(hrvValues.length / 3));
  const data: Record<string, number | undefined> = {
    total_timeinbed: night.timeInBed,
    total_sleep_time: night.totalSleep,
    lightsleepduration: night.lightSleep,
    deepsleepduration: night.deepSleep,
    remsleepduration: night.remSleep,
    wakeupduration: night.awakeTime,
    sleep_latency: night.latency,
    wakeup_latency: wakeupLatency,
    waso: middleRuns.reduce((a, b) => a + b, 0),
    wakeupcount: middleRuns.length,
    sleep_efficiency: round(night.totalSleep / night.timeInBed, 2),
    hr_average: Math.round(night.averageHeartRate),
    hr_min: night.lowestHeartRate,
    hr_max: Math.max(...night.heartRate.filter((v): v is number => v !== null)),
    sleep_score: gen.sleepScoreOf(night.day)?.score,
    night_events: middleRuns.length,
  };
  if (device === "sleep_analyzer") {
    // Under-mattress sensor: breathing, snoring and HRV; now and then it cannot read the heart.
    Object.assign(data, {
      rr_average: Math.round(night.averageBreath),
      rr_min: Math.round(night.averageBreath - 2 - r.next()),
      rr_max: Math.round(night.averageBreath + 3 + r.next()),
      breathing_disturbances_intensity: Math.round(clamp(r.normal(12, 6), 0, 60)),
      apnea_hypopnea_index: Math.round(clamp(r.normal(4, 2.5), 0, 30)),
      snoring: Math.round(clamp(r.normal(900, 500), 0, 6000)),
      snoringepisodecount: Math.round(clamp(r.normal(6, 4), 0, 40)),
      rmssd_start_avg:
        mean(hrvValues.slice(0, third)) === undefined ? undefined : Math.round(mean(hrvValues.slice(0, third))!),
      rmssd_end_avg:
        mean(hrvValues.slice(-third)) === undefined ? undefined : Math.round(mean(hrvValues.slice(-third))!),
    });
    if (r.chance(0.04)) {
      for (const field of ["hr_average", "hr_min", "hr_max", "rmssd_start_avg", "rmssd_end_avg"]) delete data[field];
    }
  }
  return Object.fromEntries(Object.entries(data).filter((e): e is [string, number] => e[1] !== undefined));
}

/** The sleep series of the night ending on `day`, or none (missing night, away from home, still asleep). */
export function sleepSeriesForDay(gen: Generator, account: WithingsSandboxAccount, day: string): SleepSeriesDocument[] {
  const device: WithingsDevice | undefined = account.devices.includes("sleep_analyzer")
    ? "sleep_analyzer"
    : account.devices.includes("watch")
      ? "watch"
      : undefined;
  if (!device) return [];
  const night = gen.nightOf(day);
  if (!night) return [];
  if (seededRandom("withings", account.id, "away", day).chance(AWAY_NIGHT_RATE)) return [];
  const { modelId } = DEVICE_MODELS[device];
  const deviceid = hexId("withings", account.id, "device", device);
  const modified = epoch(night.end) + 600;
  return [
    {
      id: intId("withings", account.id, "sleep", day) % 2_000_000_000,
      timezone: account.timeZone,
      // 32: sleep monitor, 16: tracker.
      model: device === "sleep_analyzer" ? 32 : 16,
      model_id: modelId,
      hash_deviceid: deviceid,
      startdate: epoch(night.start),
      enddate: epoch(night.end),
      date: day,
      created: modified,
      modified,
      completed: true,
      data: sleepData(gen, account, night, device),
    },
  ];
}

/* ---------- activity ---------- */

export type ActivityDocument = Record<string, unknown> & { date: string };

/** The day's activity, or none on the odd day the phone or watch recorded nothing. */
export function activityForDay(gen: Generator, account: WithingsSandboxAccount, day: string): ActivityDocument[] {
  const a = gen.activityOf(day);
  if (!a) return [];
  const r = seededRandom("withings", account.id, "activity", day);
  if (r.chance(0.03)) return [];
  const tracker = account.devices.includes("watch");
  const deviceid = tracker ? hexId("withings", account.id, "device", "watch") : null;
  const doc: ActivityDocument = {
    date: day,
    timezone: account.timeZone,
    deviceid,
    hash_deviceid: deviceid,
    brand: 1,
    is_tracker: tracker,
    modified: epoch(gen.now) - 60,
    steps: a.steps,
    distance: round(a.equivalentWalkingDistance, 2),
    elevation: round(r.range(0, 40) * Math.min(1, a.steps / 8000), 2),
    soft: a.lowActivityTime,
    moderate: a.mediumActivityTime,
    intense: a.highActivityTime,
    active: a.mediumActivityTime + a.highActivityTime,
    calories: round(a.activeCalories, 2),
    totalcalories: round(a.totalCalories, 2),
  };
  if (tracker) {
    const resting = gen.baseline.restingHr;
    Object.assign(doc, {
      hr_average: Math.round(resting + 17 + r.normal(0, 3)),
      hr_min: Math.round(resting - 2 + r.normal(0, 1.5)),
      hr_max: Math.round(clamp(resting + 70 + (a.highActivityTime / 60) * 0.6 + r.normal(0, 10), resting + 30, 195)),
      hr_zone_0: Math.round(r.range(30_000, 45_000)),
      hr_zone_1: Math.round(r.range(3_000, 9_000)),
      hr_zone_2: a.mediumActivityTime,
      hr_zone_3: a.highActivityTime,
    });
  }
  return [doc];
}

/** Every document of a day-keyed collection in [startDay, endDay], oldest first. */
export function documentsBetween<T>(
  gen: Generator,
  account: WithingsSandboxAccount,
  startDay: string,
  endDay: string,
  forDay: (gen: Generator, account: WithingsSandboxAccount, day: string) => T[],
): T[] {
  // Sleep dated today exists once the night is over; today's activity grows during the day.
  return daysWithHistory(gen.account, startDay, endDay, gen.now).flatMap((day) => forDay(gen, account, day));
}
