import type { MetricName } from "./vocabulary";

/**
 * What the dashboard and the detail views show for each category: its headline metric, the
 * contributors listed under it, and the tiles on the dashboard. Plain data, shared by the tiles
 * and the detail views.
 */

export type Better = "higher" | "lower" | "neither";

export interface CategoryDefinition {
  title: string;
  headline: MetricName;
  /** Metrics below the headline chart, in this order (only those with data are shown). */
  contributors: readonly MetricName[];
  /** Sleep: a stacked bar of the night's stages. */
  stages?: { deep: MetricName; rem: MetricName; light: MetricName; awake: MetricName };
}

export const CATEGORIES = {
  sleep: {
    title: "Sleep",
    headline: "sleep_score",
    contributors: [
      "sleep_duration",
      "sleep_efficiency",
      "sleep_latency",
      "hrv_rmssd",
      "resting_heart_rate",
      "respiratory_rate",
      "spo2",
      "temperature_deviation",
    ],
    stages: { deep: "deep_sleep", rem: "rem_sleep", light: "light_sleep", awake: "awake_time" },
  },
  readiness: {
    title: "Readiness",
    headline: "readiness_score",
    contributors: [
      "hrv_balance_score",
      "resting_heart_rate_score",
      "recovery_index_score",
      "temperature_deviation",
      "strain",
    ],
  },
  activity: {
    title: "Activity",
    headline: "steps",
    contributors: [
      "distance",
      "active_calories",
      "total_calories",
      "active_time",
      "activity_score",
      "workout_count",
      "workout_duration",
      "workout_calories",
      "workout_strain",
      "workout_zone_1",
      "workout_zone_2",
      "workout_zone_3",
      "workout_zone_4",
      "workout_zone_5",
    ],
  },
  heart: {
    title: "Heart",
    headline: "resting_heart_rate",
    contributors: ["hrv_rmssd", "hrv_overnight_trend", "heart_rate_avg", "heart_rate_max"],
  },
  stress: {
    title: "Stress and resilience",
    headline: "stress_avg",
    contributors: [
      "stress_high",
      "recovery_high",
      "stress_day_summary",
      "resilience_level",
      "resilience_sleep_recovery",
      "resilience_daytime_recovery",
      "resilience_stress",
      "body_battery_charged",
      "body_battery_drained",
    ],
  },
  body: {
    title: "Body",
    headline: "weight",
    contributors: [
      "body_fat",
      "fat_mass",
      "muscle_mass",
      "blood_pressure_systolic",
      "blood_pressure_diastolic",
      "pulse",
      "body_temperature",
      "skin_temperature",
    ],
  },
} as const satisfies Record<string, CategoryDefinition>;

export type CategoryId = keyof typeof CATEGORIES;
export const CATEGORY_IDS = Object.keys(CATEGORIES) as CategoryId[];

export function isCategoryId(value: string): value is CategoryId {
  return Object.hasOwn(CATEGORIES, value);
}

export interface TileDefinition {
  id: string;
  title: string;
  metric: MetricName;
  category: CategoryId;
  /** Which way is good news, for the colour of the 7-day change. */
  better: Better;
  /** Shown even without data (the design's first two tiles); the others appear once there is data. */
  always: boolean;
  /** "nights" for metrics measured over a night, in the "too few points" explanation. */
  noun: "nights" | "days" | "measurements";
}

export const TILES = [
  {
    id: "sleep",
    title: "Sleep",
    metric: "sleep_score",
    category: "sleep",
    better: "higher",
    always: true,
    noun: "nights",
  },
  {
    id: "readiness",
    title: "Readiness",
    metric: "readiness_score",
    category: "readiness",
    better: "higher",
    always: true,
    noun: "days",
  },
  {
    id: "activity",
    title: "Activity",
    metric: "steps",
    category: "activity",
    better: "higher",
    always: false,
    noun: "days",
  },
  {
    id: "resting-heart-rate",
    title: "Resting heart rate",
    metric: "resting_heart_rate",
    category: "heart",
    better: "lower",
    always: false,
    noun: "nights",
  },
  { id: "hrv", title: "HRV", metric: "hrv_rmssd", category: "heart", better: "higher", always: false, noun: "nights" },
  {
    id: "stress",
    title: "Stress",
    metric: "stress_avg",
    category: "stress",
    better: "lower",
    always: false,
    noun: "days",
  },
  {
    id: "stress-high",
    title: "High stress",
    metric: "stress_high",
    category: "stress",
    better: "lower",
    always: false,
    noun: "days",
  },
  {
    id: "resilience",
    title: "Resilience",
    metric: "resilience_level",
    category: "stress",
    better: "higher",
    always: false,
    noun: "days",
  },
  {
    id: "body",
    title: "Weight",
    metric: "weight",
    category: "body",
    better: "neither",
    always: false,
    noun: "measurements",
  },
] as const satisfies readonly TileDefinition[];

export const RANGES = [7, 30, 90, 365] as const;
export type RangeDays = (typeof RANGES)[number];
export const DEFAULT_RANGE: RangeDays = 30;

export function parseRange(value: string | string[] | undefined | null): RangeDays | null {
  if (value == null) return DEFAULT_RANGE;
  if (typeof value !== "string" || !/^\d{1,3}$/.test(value)) return null;
  const n = Number(value);
  return (RANGES as readonly number[]).includes(n) ? (n as RangeDays) : null;
}
