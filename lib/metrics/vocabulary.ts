/**
 * The one metric vocabulary every provider maps into. Units are canonical and converted exactly
 * once, in each provider's mapping. `sources` is the per-metric source priority: when several
 * providers report the same metric for the same day, all rows are kept and the tiles show the
 * first provider in this list that has a value (the README table is generated from this).
 */

export type Unit =
  "s" | "%" | "ms" | "bpm" | "°C" | "kg" | "steps" | "kcal" | "score" | "count" | "brpm" | "mmHg" | "index";

export type MetricCategory = "sleep" | "readiness" | "activity" | "heart" | "body" | "stress";

interface MetricDefinition {
  label: string;
  unit: Unit;
  category: MetricCategory;
  /** Source priority, best first. Providers not listed rank after those listed, alphabetically. */
  sources: readonly string[];
}

export const METRICS = {
  // Sleep
  sleep_score: {
    label: "Sleep score",
    unit: "score",
    category: "sleep",
    sources: ["oura", "garmin", "withings", "whoop"],
  },
  sleep_duration: {
    label: "Total sleep",
    unit: "s",
    category: "sleep",
    sources: ["oura", "whoop", "garmin", "withings"],
  },
  time_in_bed: { label: "Time in bed", unit: "s", category: "sleep", sources: ["oura", "whoop", "withings", "garmin"] },
  sleep_efficiency: { label: "Sleep efficiency", unit: "%", category: "sleep", sources: ["oura", "whoop", "withings"] },
  deep_sleep: { label: "Deep sleep", unit: "s", category: "sleep", sources: ["oura", "whoop", "garmin", "withings"] },
  rem_sleep: { label: "REM sleep", unit: "s", category: "sleep", sources: ["oura", "whoop", "garmin", "withings"] },
  light_sleep: { label: "Light sleep", unit: "s", category: "sleep", sources: ["oura", "whoop", "garmin", "withings"] },
  awake_time: { label: "Awake time", unit: "s", category: "sleep", sources: ["oura", "whoop", "garmin", "withings"] },
  sleep_latency: { label: "Sleep latency", unit: "s", category: "sleep", sources: ["oura", "withings"] },
  restless_periods: { label: "Restless periods", unit: "count", category: "sleep", sources: ["oura"] },
  wakeup_count: { label: "Wake-ups", unit: "count", category: "sleep", sources: ["withings", "whoop"] },
  sleep_performance: { label: "Sleep performance", unit: "%", category: "sleep", sources: ["whoop"] },
  sleep_consistency: { label: "Sleep consistency", unit: "%", category: "sleep", sources: ["whoop"] },
  respiratory_rate: {
    label: "Respiratory rate",
    unit: "brpm",
    category: "sleep",
    sources: ["oura", "whoop", "garmin", "withings"],
  },
  spo2: {
    label: "Blood oxygen (SpO2)",
    unit: "%",
    category: "sleep",
    sources: ["oura", "whoop", "garmin", "withings"],
  },
  temperature_deviation: { label: "Temperature deviation", unit: "°C", category: "sleep", sources: ["oura"] },
  breathing_disturbance_index: {
    label: "Breathing disturbance index",
    unit: "index",
    category: "sleep",
    sources: ["oura"],
  },

  // Readiness
  readiness_score: { label: "Readiness", unit: "score", category: "readiness", sources: ["oura", "whoop", "garmin"] },
  hrv_balance_score: { label: "HRV balance", unit: "score", category: "readiness", sources: ["oura"] },
  resting_heart_rate_score: {
    label: "Resting heart rate (contributor)",
    unit: "score",
    category: "readiness",
    sources: ["oura"],
  },
  recovery_index_score: { label: "Recovery index", unit: "score", category: "readiness", sources: ["oura"] },
  strain: { label: "Strain", unit: "score", category: "readiness", sources: ["whoop"] },

  // Activity
  steps: { label: "Steps", unit: "steps", category: "activity", sources: ["garmin", "oura", "withings"] },
  active_calories: {
    label: "Active calories",
    unit: "kcal",
    category: "activity",
    sources: ["garmin", "oura", "withings"],
  },
  total_calories: {
    label: "Total calories",
    unit: "kcal",
    category: "activity",
    sources: ["garmin", "oura", "withings", "whoop"],
  },
  active_time: { label: "Active time", unit: "s", category: "activity", sources: ["garmin", "oura", "withings"] },
  activity_score: { label: "Activity score", unit: "score", category: "activity", sources: ["oura"] },

  // Heart
  resting_heart_rate: {
    label: "Resting heart rate",
    unit: "bpm",
    category: "heart",
    sources: ["oura", "whoop", "garmin", "withings"],
  },
  hrv_rmssd: { label: "HRV (RMSSD)", unit: "ms", category: "heart", sources: ["oura", "whoop", "garmin", "withings"] },
  hrv_overnight_trend: { label: "Overnight HRV trend", unit: "ms", category: "heart", sources: ["oura"] },
  heart_rate_avg: {
    label: "Average heart rate",
    unit: "bpm",
    category: "heart",
    sources: ["oura", "withings", "whoop"],
  },
  heart_rate_max: {
    label: "Maximum heart rate",
    unit: "bpm",
    category: "heart",
    sources: ["oura", "garmin", "withings", "whoop"],
  },

  // Body
  weight: { label: "Weight", unit: "kg", category: "body", sources: ["withings"] },
  body_fat: { label: "Body fat", unit: "%", category: "body", sources: ["withings"] },
  fat_mass: { label: "Fat mass", unit: "kg", category: "body", sources: ["withings"] },
  muscle_mass: { label: "Muscle mass", unit: "kg", category: "body", sources: ["withings"] },
  blood_pressure_systolic: { label: "Systolic blood pressure", unit: "mmHg", category: "body", sources: ["withings"] },
  blood_pressure_diastolic: {
    label: "Diastolic blood pressure",
    unit: "mmHg",
    category: "body",
    sources: ["withings"],
  },
  pulse: { label: "Pulse", unit: "bpm", category: "body", sources: ["withings"] },
  body_temperature: { label: "Body temperature", unit: "°C", category: "body", sources: ["withings"] },
  skin_temperature: { label: "Skin temperature", unit: "°C", category: "body", sources: ["whoop", "withings"] },

  // Stress
  stress_avg: { label: "Average stress", unit: "score", category: "stress", sources: ["garmin"] },
  body_battery_charged: { label: "Body Battery charged", unit: "score", category: "stress", sources: ["garmin"] },
  body_battery_drained: { label: "Body Battery drained", unit: "score", category: "stress", sources: ["garmin"] },
} as const satisfies Record<string, MetricDefinition>;

export type MetricName = keyof typeof METRICS;

export function isMetricName(name: string): name is MetricName {
  return Object.hasOwn(METRICS, name);
}

export function metricUnit(metric: MetricName): Unit {
  return METRICS[metric].unit;
}

/** The metric's documented source priority (provider ids, best first). Read it through here, not METRICS. */
export function defaultSourcePriority(metric: MetricName): readonly string[] {
  return METRICS[metric].sources;
}

/**
 * Orders provider ids by a source priority (best first): the metric's documented one unless a
 * user's own order is given.
 */
export function rankSources(
  metric: MetricName,
  providers: Iterable<string>,
  priority: readonly string[] = defaultSourcePriority(metric),
): string[] {
  const rank = (p: string) => {
    const i = priority.indexOf(p);
    return i === -1 ? priority.length : i;
  };
  return [...new Set(providers)].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}
