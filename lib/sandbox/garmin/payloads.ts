import { TZDate } from "@date-fns/tz";
import {
  deterministicId,
  seededRandom,
  shiftDay,
  localInstant,
  type Generator,
  type SleepPeriod,
} from "../data-generator";
import { sha256Hex } from "../oauth-server";
import type { SandboxAccount } from "../types";

/**
 * Garmin Connect (connectapi) payloads in Garmin's own shapes, built from the deterministic
 * generator: camelCase, epoch-millisecond `…GMT` timestamps next to `…Local` ones (the wall clock
 * written as if it were UTC), `"2026-01-05T06:41:00.0"` date-times, and nulls (not missing keys)
 * for what the watch did not measure.
 */

export interface GarminSandboxAccount extends SandboxAccount {
  timeZone: string;
  fullName: string;
}

const clamp = (v: number, min: number, max: number) => Math.min(max, Math.max(min, v));
const EPOCH_MS = 5 * 60_000;

export function profileIdOf(account: GarminSandboxAccount): number {
  return 80_000_000 + (parseInt(sha256Hex(`garmin-profile:${account.id}`).slice(0, 7), 16) % 10_000_000);
}

/** New Garmin accounts get a UUID display name; it is what the sleep and summary URLs name. */
export function displayNameOf(account: GarminSandboxAccount): string {
  return deterministicId("garmin", "display-name", account.id);
}

function offsetMs(instant: Date, timeZone: string): number {
  return -new TZDate(instant.getTime(), timeZone).getTimezoneOffset() * 60_000;
}

/** Garmin's date-time text: `2026-01-05T06:41:00.0` (no zone). */
function garminTime(epochMs: number): string {
  return new Date(epochMs).toISOString().replace(/\.\d{3}Z$/, ".0");
}

export function socialProfile(account: GarminSandboxAccount) {
  return {
    id: profileIdOf(account) + 1_000_000,
    profileId: profileIdOf(account),
    garminGUID: deterministicId("garmin", "guid", account.id),
    displayName: displayNameOf(account),
    fullName: account.fullName,
    userName: account.email,
    profileImageUrlLarge: null,
    profileImageUrlMedium: null,
    profileImageUrlSmall: null,
    location: null,
    facebookUrl: null,
    twitterUrl: null,
    personalWebsite: null,
    motivation: null,
    bio: null,
    primaryActivity: "running",
    favoriteActivityTypes: [],
    runningTrainingSpeed: 0,
    cyclingTrainingSpeed: 0,
    favoriteCyclingActivityTypes: [],
    cyclingClassification: null,
    cyclingMaxAvgPower: 0,
    swimmingTrainingSpeed: 0,
    profileVisibility: "private",
    activityStartVisibility: "private",
    activityMapVisibility: "public",
    courseVisibility: "public",
    activityHeartRateVisibility: "public",
    activityPowerVisibility: "public",
    badgeVisibility: "private",
    showAge: false,
    showWeight: false,
    showHeight: false,
    userLevel: 3,
    userPro: false,
  };
}

/* ---------- daily summary ---------- */

export function dailySummary(gen: Generator, account: GarminSandboxAccount, day: string) {
  const userProfileId = profileIdOf(account);
  const activity = gen.activityOf(day);
  const night = gen.nightOf(day);
  const dayStart = localInstant(day, 0, account.timeZone);
  const base = {
    userProfileId,
    calendarDate: day,
    uuid: deterministicId("garmin", account.id, "summary", day),
    wellnessStartTimeGmt: garminTime(dayStart.getTime()),
    wellnessStartTimeLocal: garminTime(dayStart.getTime() + offsetMs(dayStart, account.timeZone)),
    durationInMilliseconds: 86_400_000,
    dailyStepGoal: 8000,
    netCalorieGoal: null,
    source: "GARMIN",
  };
  if (!activity) {
    // Garmin answers every date, with nulls where the watch recorded nothing.
    return {
      ...base,
      includesWellnessData: false,
      includesActivityData: false,
      totalKilocalories: null,
      activeKilocalories: null,
      bmrKilocalories: null,
      totalSteps: null,
      totalDistanceMeters: null,
      minHeartRate: null,
      maxHeartRate: null,
      restingHeartRate: null,
      lastSevenDaysAvgRestingHeartRate: null,
      averageStressLevel: null,
      maxStressLevel: null,
      stressQualifier: "UNKNOWN",
      bodyBatteryChargedValue: null,
      bodyBatteryDrainedValue: null,
      bodyBatteryHighestValue: null,
      bodyBatteryLowestValue: null,
      activeSeconds: null,
      highlyActiveSeconds: null,
      sedentarySeconds: null,
      sleepingSeconds: null,
    };
  }
  const r = seededRandom("garmin", account.id, "daily", day);
  const readiness = gen.readinessOf(day)?.score ?? null;
  const sleepScore = gen.sleepScoreOf(day)?.score ?? null;
  // A day with the watch off the wrist most of the time has no stress average (−1).
  const offWrist = r.chance(0.06);
  const stress = Math.round(clamp(r.normal(31, 6) - (readiness === null ? 0 : (readiness - 75) / 3), 8, 75));
  const charged = night ? Math.round(clamp(42 + ((sleepScore ?? 70) - 70) * 0.9 + r.normal(0, 6), 5, 95)) : null;
  const drained = Math.round(clamp(30 + activity.activeCalories / 12 + stress / 3 + r.normal(0, 6), 5, 98));
  const highest = charged === null ? null : Math.round(clamp(charged + r.normal(18, 6), charged, 100));
  const restingHeartRate = night ? Math.round(night.lowestHeartRate + 2) : Math.round(gen.baseline.restingHr + 3);
  const recentRest: number[] = [];
  for (let i = 0; i < 7; i++) {
    const n = gen.nightOf(shiftDay(day, -i));
    if (n) recentRest.push(n.lowestHeartRate + 2);
  }
  return {
    ...base,
    includesWellnessData: true,
    includesActivityData: activity.highActivityTime > 0,
    totalKilocalories: activity.totalCalories,
    activeKilocalories: activity.activeCalories,
    bmrKilocalories: activity.totalCalories - activity.activeCalories,
    totalSteps: activity.steps,
    totalDistanceMeters: activity.equivalentWalkingDistance,
    minHeartRate: restingHeartRate - 3,
    maxHeartRate: Math.round(clamp(gen.baseline.restingHr + 75 + r.normal(0, 18), 95, 192)),
    restingHeartRate,
    lastSevenDaysAvgRestingHeartRate: recentRest.length
      ? Math.round(recentRest.reduce((a, b) => a + b, 0) / recentRest.length)
      : null,
    averageStressLevel: offWrist ? -1 : stress,
    maxStressLevel: offWrist ? -1 : Math.round(clamp(stress + r.normal(50, 10), stress, 99)),
    stressQualifier: offWrist ? "UNKNOWN" : stress < 26 ? "CALM" : stress < 51 ? "BALANCED" : "STRESSFUL",
    bodyBatteryChargedValue: charged,
    bodyBatteryDrainedValue: drained,
    bodyBatteryHighestValue: highest,
    bodyBatteryLowestValue: highest === null ? null : Math.max(5, highest - drained),
    activeSeconds: activity.mediumActivityTime + activity.lowActivityTime,
    highlyActiveSeconds: activity.highActivityTime,
    sedentarySeconds: activity.sedentaryTime,
    sleepingSeconds: night?.totalSleep ?? null,
  };
}

/* ---------- sleep ---------- */

function awakeCount(hypnogram: string): number {
  return (hypnogram.match(/4+/g) ?? []).length;
}

function qualifier(score: number): string {
  return score >= 90 ? "EXCELLENT" : score >= 80 ? "GOOD" : score >= 60 ? "FAIR" : "POOR";
}

export function dailySleepData(gen: Generator, account: GarminSandboxAccount, day: string) {
  const userProfilePK = profileIdOf(account);
  const night = gen.nightOf(day);
  if (!night) {
    return {
      dailySleepDTO: {
        id: null,
        userProfilePK,
        calendarDate: day,
        sleepTimeSeconds: null,
        napTimeSeconds: null,
        sleepWindowConfirmed: false,
        sleepStartTimestampGMT: null,
        sleepEndTimestampGMT: null,
        sleepStartTimestampLocal: null,
        sleepEndTimestampLocal: null,
        deepSleepSeconds: null,
        lightSleepSeconds: null,
        remSleepSeconds: null,
        awakeSleepSeconds: null,
        deviceRemCapable: true,
        retro: false,
        sleepFromDevice: null,
      },
      sleepMovement: [],
      remSleepData: false,
      sleepLevels: [],
      restingHeartRate: null,
    };
  }
  const r = seededRandom("garmin", account.id, "sleep", day);
  const score = gen.sleepScoreOf(day)?.score ?? null;
  // Now and then the watch cannot score a night (worn loosely, synced late): no sleepScores.
  const scored = score !== null && !r.chance(0.04);
  const spo2 = gen.spo2Of(day)?.average ?? null;
  const offset = offsetMs(night.start, account.timeZone);
  const nap = gen.napOf(day);
  return {
    dailySleepDTO: {
      id: night.start.getTime(),
      userProfilePK,
      calendarDate: day,
      sleepTimeSeconds: night.totalSleep,
      napTimeSeconds: nap?.totalSleep ?? 0,
      sleepWindowConfirmed: true,
      sleepWindowConfirmationType: "enhanced_confirmed_final",
      sleepStartTimestampGMT: night.start.getTime(),
      sleepEndTimestampGMT: night.end.getTime(),
      sleepStartTimestampLocal: night.start.getTime() + offset,
      sleepEndTimestampLocal: night.end.getTime() + offset,
      unmeasurableSleepSeconds: 0,
      deepSleepSeconds: night.deepSleep,
      lightSleepSeconds: night.lightSleep,
      remSleepSeconds: night.remSleep,
      awakeSleepSeconds: night.awakeTime,
      deviceRemCapable: true,
      retro: false,
      sleepFromDevice: true,
      averageSpO2Value: spo2 === null ? null : Math.round(spo2 * 10) / 10,
      lowestSpO2Value: spo2 === null ? null : Math.round(spo2 - r.range(3, 7)),
      highestSpO2Value: spo2 === null ? null : Math.min(100, Math.round(spo2 + r.range(1, 3))),
      averageSpO2HRSleep: night.averageHeartRate,
      averageRespirationValue: Math.round(night.averageBreath * 10) / 10,
      lowestRespirationValue: Math.round(night.averageBreath - r.range(1, 3)),
      highestRespirationValue: Math.round(night.averageBreath + r.range(2, 5)),
      awakeCount: awakeCount(night.hypnogram),
      avgSleepStress: Math.round(r.range(8, 25) * 10) / 10,
      ageGroup: "ADULT",
      ...(scored
        ? {
            sleepScoreFeedback: score >= 80 ? "POSITIVE_LONG_AND_DEEP" : "NEGATIVE_SHORT_BUT_RECOVERING",
            sleepScoreInsight: "NONE",
            sleepScores: {
              totalDuration: { qualifierKey: qualifier(score) },
              stress: { qualifierKey: "GOOD" },
              awakeCount: { qualifierKey: awakeCount(night.hypnogram) <= 2 ? "GOOD" : "FAIR" },
              overall: { value: score, qualifierKey: qualifier(score) },
              remPercentage: {
                value: Math.round((100 * night.remSleep) / night.totalSleep),
                qualifierKey: "GOOD",
                optimalStart: 21,
                optimalEnd: 31,
              },
              restlessness: { qualifierKey: "GOOD" },
              lightPercentage: {
                value: Math.round((100 * night.lightSleep) / night.totalSleep),
                qualifierKey: "GOOD",
                optimalStart: 30,
                optimalEnd: 64,
              },
              deepPercentage: {
                value: Math.round((100 * night.deepSleep) / night.totalSleep),
                qualifierKey: "GOOD",
                optimalStart: 16,
                optimalEnd: 33,
              },
            },
          }
        : {}),
    },
    sleepMovement: [],
    remSleepData: true,
    sleepLevels: sleepLevels(night),
    restlessMomentsCount: night.restlessPeriods,
    restingHeartRate: Math.round(night.lowestHeartRate + 2),
    avgOvernightHrv: Math.round(night.averageHrv),
    hrvStatus: "BALANCED",
  };
}

/** Garmin's stage intervals: activityLevel 0 deep, 1 light, 2 REM, 3 awake. */
function sleepLevels(night: SleepPeriod) {
  const levelOf: Record<string, number> = { "1": 0, "2": 1, "3": 2, "4": 3 };
  const levels: Array<{ startGMT: string; endGMT: string; activityLevel: number }> = [];
  let runStart = 0;
  for (let i = 1; i <= night.hypnogram.length; i++) {
    if (i === night.hypnogram.length || night.hypnogram[i] !== night.hypnogram[runStart]) {
      levels.push({
        startGMT: garminTime(night.start.getTime() + runStart * EPOCH_MS),
        endGMT: garminTime(night.start.getTime() + i * EPOCH_MS),
        activityLevel: levelOf[night.hypnogram[runStart]!] ?? 1,
      });
      runStart = i;
    }
  }
  return levels;
}

/* ---------- HRV ---------- */

/** `/hrv-service/hrv/{date}`; undefined (HTTP 204) when the night has no HRV. */
export function hrvData(gen: Generator, account: GarminSandboxAccount, day: string) {
  const night = gen.nightOf(day);
  if (!night) return undefined;
  const offset = offsetMs(night.start, account.timeZone);
  const week: number[] = [];
  for (let i = 0; i < 7; i++) {
    const n = gen.nightOf(shiftDay(day, -i));
    if (n) week.push(n.averageHrv);
  }
  const weeklyAvg = Math.round(week.reduce((a, b) => a + b, 0) / week.length);
  const base = gen.baseline.hrv;
  const readings = night.hrv
    .map((value, i) => ({ value, at: night.start.getTime() + i * EPOCH_MS }))
    .filter((x): x is { value: number; at: number } => x.value !== null);
  const lastNightAvg = Math.round(night.averageHrv);
  const low = Math.round(base * 0.8);
  const high = Math.round(base * 1.2);
  return {
    userProfilePk: profileIdOf(account),
    hrvSummary: {
      calendarDate: day,
      weeklyAvg,
      lastNightAvg,
      lastNight5MinHigh: readings.length ? Math.round(Math.max(...readings.map((x) => x.value))) : null,
      baseline: {
        lowUpper: Math.round(base * 0.7),
        balancedLow: low,
        balancedUpper: high,
        markerValue: Math.round(((weeklyAvg - low) / (high - low)) * 100) / 100,
      },
      status: weeklyAvg < low ? "UNBALANCED" : weeklyAvg > high ? "UNBALANCED" : "BALANCED",
      feedbackPhrase: weeklyAvg < low ? "HRV_UNBALANCED_2" : "HRV_BALANCED_2",
      createTimeStamp: garminTime(night.end.getTime()),
    },
    hrvReadings: readings.map((x) => ({
      hrvValue: Math.round(x.value),
      readingTimeGMT: garminTime(x.at),
      readingTimeLocal: garminTime(x.at + offset),
    })),
    startTimestampGMT: garminTime(night.start.getTime()),
    endTimestampGMT: garminTime(night.end.getTime()),
    startTimestampLocal: garminTime(night.start.getTime() + offset),
    endTimestampLocal: garminTime(night.end.getTime() + offset),
    sleepStartTimestampGMT: garminTime(night.start.getTime()),
    sleepEndTimestampGMT: garminTime(night.end.getTime()),
    sleepStartTimestampLocal: garminTime(night.start.getTime() + offset),
    sleepEndTimestampLocal: garminTime(night.end.getTime() + offset),
  };
}

/* ---------- training readiness ---------- */

function readinessLevel(score: number): string {
  return score >= 95 ? "PRIME" : score >= 75 ? "HIGH" : score >= 50 ? "MODERATE" : score >= 25 ? "LOW" : "POOR";
}

/**
 * `/metrics-service/metrics/trainingreadiness/{date}`: the morning entry at wake-up, and on some
 * days a later one after a workout (lower). `[]` before the watch has a score for the day.
 */
export function trainingReadiness(gen: Generator, account: GarminSandboxAccount, day: string) {
  const night = gen.nightOf(day);
  const readiness = gen.readinessOf(day);
  if (!night || !readiness || readiness.score === null) return [];
  const r = seededRandom("garmin", account.id, "readiness", day);
  const sleepScore = gen.sleepScoreOf(day)?.score ?? null;
  const offset = offsetMs(night.end, account.timeZone);
  const entry = (at: number, score: number, inputContext: string) => ({
    userProfilePK: profileIdOf(account),
    calendarDate: day,
    timestamp: garminTime(at),
    timestampLocal: garminTime(at + offset),
    deviceId: 3_442_975_000 + (profileIdOf(account) % 1000),
    level: readinessLevel(score),
    feedbackLong:
      score >= 75 ? "HIGH_RECOVERED_READY" : score >= 50 ? "MODERATE_SLEEP_HISTORY_POS" : "LOW_RECOVERY_TIME_HIGH",
    feedbackShort: score >= 75 ? "READY_TO_TRAIN" : score >= 50 ? "ENJOY_LIGHT_TRAINING" : "FOCUS_ON_RECOVERY",
    score,
    sleepScore,
    sleepScoreFactorPercent: sleepScore,
    sleepScoreFactorFeedback: sleepScore !== null && sleepScore >= 80 ? "GOOD" : "MODERATE",
    recoveryTime: Math.round(r.range(0, 1800)),
    recoveryTimeFactorPercent: Math.round(r.range(60, 100)),
    recoveryTimeFactorFeedback: "GOOD",
    acwrFactorPercent: Math.round(r.range(70, 100)),
    acwrFactorFeedback: "GOOD",
    acuteLoad: Math.round(r.range(150, 450)),
    stressHistoryFactorPercent: Math.round(r.range(50, 100)),
    stressHistoryFactorFeedback: "GOOD",
    hrvFactorPercent: readiness.contributors.hrv_balance,
    hrvFactorFeedback: "GOOD",
    hrvWeeklyAverage: Math.round(night.averageHrv),
    sleepHistoryFactorPercent: Math.round(r.range(60, 100)),
    sleepHistoryFactorFeedback: "GOOD",
    validSleep: true,
    inputContext,
    primaryActivityTracker: true,
  });
  const morning = entry(night.end.getTime(), readiness.score, "AFTER_WAKEUP_RESET");
  const entries = [morning];
  if (r.chance(0.35)) {
    const afterWorkout = localInstant(day, 17 * 60 + r.int(0, 180), account.timeZone).getTime();
    if (afterWorkout <= gen.now.getTime()) {
      entries.push(entry(afterWorkout, Math.max(1, readiness.score - r.int(5, 20)), "AFTER_POST_EXERCISE_RESET"));
    }
  }
  // Garmin lists the newest first.
  return entries.reverse();
}
