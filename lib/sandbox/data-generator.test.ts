import { describe, expect, it } from "vitest";
import {
  createGenerator,
  daysWithHistory,
  formatLocal,
  historyBounds,
  localDay,
  MISSING_NIGHT_RATE,
  seededRandom,
  shiftDay,
  type GeneratorAccount,
} from "./data-generator";

const NOW = new Date("2026-03-15T14:30:00Z");
const ava: GeneratorAccount = { provider: "oura", accountId: "ava", historyDays: 120, timeZone: "Europe/Stockholm" };
const noah: GeneratorAccount = { provider: "oura", accountId: "noah", historyDays: 3, timeZone: "America/New_York" };

describe("seeded randomness", () => {
  it("repeats for the same key and differs for another", () => {
    const a = seededRandom("oura", "ava", "x", "2026-01-01");
    const b = seededRandom("oura", "ava", "x", "2026-01-01");
    const c = seededRandom("oura", "noah", "x", "2026-01-01");
    const seq = (r: typeof a) => Array.from({ length: 5 }, () => r.next());
    const first = seq(a);
    expect(seq(b)).toEqual(first);
    expect(seq(c)).not.toEqual(first);
    expect(first.every((v) => v >= 0 && v < 1)).toBe(true);
  });
});

describe("local days", () => {
  it("uses the account's time zone", () => {
    const instant = new Date("2026-03-01T03:00:00Z");
    expect(localDay(instant, "America/New_York")).toBe("2026-02-28");
    expect(localDay(instant, "Europe/Stockholm")).toBe("2026-03-01");
    expect(formatLocal(instant, "Europe/Stockholm")).toBe("2026-03-01T04:00:00+01:00");
  });

  it("bounds history to the last historyDays local days up to today", () => {
    expect(historyBounds(noah, NOW)).toEqual({ firstDay: "2026-03-13", today: "2026-03-15" });
    expect(daysWithHistory(noah, "2026-01-01", "2026-12-31", NOW)).toEqual(["2026-03-13", "2026-03-14", "2026-03-15"]);
    expect(daysWithHistory(ava, "2026-03-10", "2026-03-12", NOW)).toEqual(["2026-03-10", "2026-03-11", "2026-03-12"]);
    expect(daysWithHistory(ava, "2026-03-16", "2026-03-20", NOW)).toEqual([]);
  });
});

describe("generated nights", () => {
  it("is deterministic and does not depend on when it is asked", () => {
    const day = "2026-03-10";
    const one = createGenerator(ava, NOW).nightOf(day);
    const two = createGenerator(ava, new Date(NOW.getTime() + 3 * 86_400_000)).nightOf(day);
    expect(one).not.toBeNull();
    expect(two).toEqual(one);
    expect(createGenerator({ ...ava, accountId: "someone-else" }, NOW).nightOf(day)).not.toEqual(one);
  });

  it("has stage durations, efficiency and samples that add up", () => {
    const gen = createGenerator(ava, NOW);
    let nights = 0;
    for (const day of daysWithHistory(ava, shiftDay("2026-03-15", -60), "2026-03-15", NOW)) {
      const night = gen.nightOf(day);
      if (!night) continue;
      nights++;
      expect(night.deepSleep + night.lightSleep + night.remSleep + night.awakeTime).toBe(night.timeInBed);
      expect(night.totalSleep).toBe(night.timeInBed - night.awakeTime);
      expect(night.end.getTime() - night.start.getTime()).toBe(night.timeInBed * 1000);
      expect(night.efficiency).toBe(Math.round((100 * night.totalSleep) / night.timeInBed));
      expect(night.hypnogram).toHaveLength(night.timeInBed / 300);
      expect(night.movement).toHaveLength(night.timeInBed / 30);
      expect(night.heartRate).toHaveLength(night.timeInBed / 300);
      expect(night.lowestHeartRate).toBe(Math.min(...night.heartRate.filter((v): v is number => v !== null)));
      expect(night.lowestHeartRate).toBeGreaterThanOrEqual(38);
      expect(night.lowestHeartRate).toBeLessThanOrEqual(75);
      expect(night.averageHrv).toBeGreaterThan(5);
      expect(night.averageBreath).toBeGreaterThan(10);
      expect(night.averageBreath).toBeLessThan(20);
      expect(night.timeInBed).toBeGreaterThanOrEqual(5 * 3600);
      expect(night.latency).toBeGreaterThan(0);
      // The night ends on the morning of its day.
      expect(localDay(night.end, ava.timeZone)).toBe(day);
    }
    expect(nights).toBeGreaterThan(45);
  });

  it("misses roughly one night in twenty, always the same ones", () => {
    const longAgo: GeneratorAccount = { ...ava, historyDays: 2000 };
    const gen = createGenerator(longAgo, NOW);
    const days = daysWithHistory(longAgo, "2000-01-01", "2026-03-14", NOW);
    const missing = days.filter((d) => gen.nightOf(d) === null);
    const rate = missing.length / days.length;
    expect(rate).toBeGreaterThan(MISSING_NIGHT_RATE / 2);
    expect(rate).toBeLessThan(MISSING_NIGHT_RATE * 2);
    const again = createGenerator(longAgo, NOW);
    expect(days.filter((d) => again.nightOf(d) === null)).toEqual(missing);
    // No readiness or SpO2 without a night; activity still exists.
    for (const day of missing.slice(0, 10)) {
      expect(gen.readinessOf(day)).toBeNull();
      expect(gen.spo2Of(day)).toBeNull();
      expect(gen.activityOf(day)).not.toBeNull();
    }
  }, 30_000); // 26 years of generated days: slow on a loaded 2-core machine
});

describe("history bounds", () => {
  it("produces nothing before the first day or after now", () => {
    const gen = createGenerator(noah, NOW);
    expect(gen.nightOf("2026-03-12")).toBeNull();
    expect(gen.activityOf("2026-03-12")).toBeNull();
    expect(gen.readinessOf("2026-03-12")).toBeNull();
    expect(gen.nightOf("2026-03-16")).toBeNull();
    expect(gen.activityOf("2026-03-16")).toBeNull();

    const samples = gen.heartRateSamples(
      new Date("2026-03-01T00:00:00Z"),
      new Date("2026-03-20T00:00:00Z"),
      100_000,
    ).samples;
    expect(samples.length).toBeGreaterThan(200);
    const first = samples[0]!.timestamp;
    const last = samples.at(-1)!.timestamp;
    expect(localDay(first, noah.timeZone) >= "2026-03-13").toBe(true);
    expect(last.getTime()).toBeLessThanOrEqual(NOW.getTime());
  });

  it("gives a new ring no readiness score while it calibrates", () => {
    const gen = createGenerator(noah, NOW);
    const scores = ["2026-03-13", "2026-03-14", "2026-03-15"].map((d) => gen.readinessOf(d));
    const present = scores.filter((r) => r !== null);
    expect(present.length).toBeGreaterThan(0);
    // Days 1–2 of history: readiness exists without a score; HRV balance needs two weeks.
    if (scores[0]) expect(scores[0].score).toBeNull();
    if (scores[1]) expect(scores[1].score).toBeNull();
    for (const r of present) expect(r.contributors.hrv_balance).toBeNull();
  });

  it("grows today's activity with the time of day", () => {
    const morning = createGenerator(ava, new Date("2026-03-15T08:00:00Z")).activityOf("2026-03-15")!;
    const evening = createGenerator(ava, new Date("2026-03-15T20:00:00Z")).activityOf("2026-03-15")!;
    expect(evening.steps).toBeGreaterThan(morning.steps);
    expect(createGenerator(ava, new Date("2026-03-15T01:00:00Z")).activityOf("2026-03-15")).toBeNull();
  });
});

describe("readiness", () => {
  it("correlates from one day to the next", () => {
    const gen = createGenerator(ava, NOW);
    const days = daysWithHistory(ava, "2026-01-01", "2026-03-14", NOW);
    const pairs: Array<[number, number]> = [];
    for (let i = 1; i < days.length; i++) {
      const a = gen.readinessOf(days[i - 1]!)?.score;
      const b = gen.readinessOf(days[i]!)?.score;
      if (a != null && b != null) pairs.push([a, b]);
    }
    const mean = (xs: number[]) => xs.reduce((s, v) => s + v, 0) / xs.length;
    const ma = mean(pairs.map((p) => p[0]));
    const mb = mean(pairs.map((p) => p[1]));
    const cov = mean(pairs.map(([a, b]) => (a - ma) * (b - mb)));
    const sd = (xs: number[], m: number) => Math.sqrt(mean(xs.map((v) => (v - m) ** 2)));
    const r =
      cov /
      (sd(
        pairs.map((p) => p[0]),
        ma,
      ) *
        sd(
          pairs.map((p) => p[1]),
          mb,
        ));
    expect(r).toBeGreaterThan(0.2);
    expect(ma).toBeGreaterThan(55);
    expect(ma).toBeLessThan(95);
  });
});
