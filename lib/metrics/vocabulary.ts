/**
 * The one metric vocabulary every provider maps into. Units are canonical and converted exactly
 * once, in each provider's mapping. Plain data with no server imports (the browser may read it).
 * Which providers supply a metric, and in what priority, is declared by the provider modules
 * (`metricFields`, `metricPriority`) and derived in ./sources.ts.
 */

export type Unit =
  "s" | "%" | "ms" | "bpm" | "°C" | "kg" | "km" | "steps" | "kcal" | "score" | "count" | "brpm" | "mmHg" | "index";

export type MetricCategory = "sleep" | "readiness" | "activity" | "heart" | "body" | "stress";

interface MetricDefinition {
  label: string;
  unit: Unit;
  category: MetricCategory;
}

export const METRICS = {
  // Sleep
  sleep_score: {
    label: "Sleep score",
    unit: "score",
    category: "sleep",
  },
  sleep_duration: {
    label: "Total sleep",
    unit: "s",
    category: "sleep",
  },
  time_in_bed: { label: "Time in bed", unit: "s", category: "sleep" },
  sleep_efficiency: { label: "Sleep efficiency", unit: "%", category: "sleep" },
  deep_sleep: { label: "Deep sleep", unit: "s", category: "sleep" },
  rem_sleep: { label: "REM sleep", unit: "s", category: "sleep" },
  light_sleep: { label: "Light sleep", unit: "s", category: "sleep" },
  awake_time: { label: "Awake time", unit: "s", category: "sleep" },
  sleep_latency: { label: "Sleep latency", unit: "s", category: "sleep" },
  restless_periods: { label: "Restless periods", unit: "count", category: "sleep" },
  wakeup_count: { label: "Wake-ups", unit: "count", category: "sleep" },
  sleep_performance: { label: "Sleep performance", unit: "%", category: "sleep" },
  sleep_consistency: { label: "Sleep consistency", unit: "%", category: "sleep" },
  respiratory_rate: {
    label: "Respiratory rate",
    unit: "brpm",
    category: "sleep",
  },
  spo2: {
    label: "Blood oxygen (SpO2)",
    unit: "%",
    category: "sleep",
  },
  temperature_deviation: { label: "Temperature deviation", unit: "°C", category: "sleep" },
  breathing_disturbance_index: {
    label: "Breathing disturbance index",
    unit: "index",
    category: "sleep",
  },

  // Readiness
  readiness_score: { label: "Readiness", unit: "score", category: "readiness" },
  hrv_balance_score: { label: "HRV balance", unit: "score", category: "readiness" },
  resting_heart_rate_score: {
    label: "Resting heart rate (contributor)",
    unit: "score",
    category: "readiness",
  },
  recovery_index_score: { label: "Recovery index", unit: "score", category: "readiness" },
  strain: { label: "Strain", unit: "score", category: "readiness" },

  // Activity
  steps: { label: "Steps", unit: "steps", category: "activity" },
  distance: { label: "Distance", unit: "km", category: "activity" },
  active_calories: {
    label: "Active calories",
    unit: "kcal",
    category: "activity",
  },
  total_calories: {
    label: "Total calories",
    unit: "kcal",
    category: "activity",
  },
  active_time: { label: "Active time", unit: "s", category: "activity" },
  activity_score: { label: "Activity score", unit: "score", category: "activity" },
  // Workouts, as daily totals (strain: the day's hardest workout; strain does not add up).
  workout_count: { label: "Workouts", unit: "count", category: "activity" },
  workout_duration: { label: "Workout time", unit: "s", category: "activity" },
  workout_calories: { label: "Workout energy", unit: "kcal", category: "activity" },
  workout_strain: { label: "Hardest workout strain", unit: "score", category: "activity" },
  workout_zone_1: { label: "Workout time in HR zone 1 (50–60 %)", unit: "s", category: "activity" },
  workout_zone_2: { label: "Workout time in HR zone 2 (60–70 %)", unit: "s", category: "activity" },
  workout_zone_3: { label: "Workout time in HR zone 3 (70–80 %)", unit: "s", category: "activity" },
  workout_zone_4: { label: "Workout time in HR zone 4 (80–90 %)", unit: "s", category: "activity" },
  workout_zone_5: { label: "Workout time in HR zone 5 (90–100 %)", unit: "s", category: "activity" },

  // Heart
  resting_heart_rate: {
    label: "Resting heart rate",
    unit: "bpm",
    category: "heart",
  },
  hrv_rmssd: { label: "HRV (RMSSD)", unit: "ms", category: "heart" },
  hrv_overnight_trend: { label: "Overnight HRV trend", unit: "ms", category: "heart" },
  heart_rate_avg: {
    label: "Average heart rate",
    unit: "bpm",
    category: "heart",
  },
  heart_rate_max: {
    label: "Maximum heart rate",
    unit: "bpm",
    category: "heart",
  },

  // Body
  weight: { label: "Weight", unit: "kg", category: "body" },
  body_fat: { label: "Body fat", unit: "%", category: "body" },
  fat_mass: { label: "Fat mass", unit: "kg", category: "body" },
  muscle_mass: { label: "Muscle mass", unit: "kg", category: "body" },
  blood_pressure_systolic: { label: "Systolic blood pressure", unit: "mmHg", category: "body" },
  blood_pressure_diastolic: {
    label: "Diastolic blood pressure",
    unit: "mmHg",
    category: "body",
  },
  pulse: { label: "Pulse", unit: "bpm", category: "body" },
  body_temperature: { label: "Body temperature", unit: "°C", category: "body" },
  skin_temperature: { label: "Skin temperature", unit: "°C", category: "body" },

  // Stress
  stress_avg: { label: "Average stress", unit: "score", category: "stress" },
  body_battery_charged: { label: "Body Battery charged", unit: "score", category: "stress" },
  body_battery_drained: { label: "Body Battery drained", unit: "score", category: "stress" },
  stress_high: { label: "High stress time", unit: "s", category: "stress" },
  recovery_high: { label: "High recovery time", unit: "s", category: "stress" },
  // Oura's day summary as a level: 1 restored, 2 normal, 3 stressful.
  stress_day_summary: { label: "Stress day summary (1 restored – 3 stressful)", unit: "index", category: "stress" },
  // Oura's resilience level: 1 limited, 2 adequate, 3 solid, 4 strong, 5 exceptional.
  resilience_level: { label: "Resilience (1 limited – 5 exceptional)", unit: "index", category: "stress" },
  resilience_sleep_recovery: { label: "Resilience: sleep recovery", unit: "score", category: "stress" },
  resilience_daytime_recovery: { label: "Resilience: daytime recovery", unit: "score", category: "stress" },
  resilience_stress: { label: "Resilience: stress load", unit: "score", category: "stress" },
} as const satisfies Record<string, MetricDefinition>;

export type MetricName = keyof typeof METRICS;

export function isMetricName(name: string): name is MetricName {
  return Object.hasOwn(METRICS, name);
}

export function metricUnit(metric: MetricName): Unit {
  return METRICS[metric].unit;
}
