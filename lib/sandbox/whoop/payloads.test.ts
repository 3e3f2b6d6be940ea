import { describe, expect, it } from "vitest";
import { mapWhoopItems } from "@/lib/providers/whoop";
import type { MappingContext } from "@/lib/providers/types";
import { createGenerator, localDay, shiftDay } from "../data-generator";
import { cycleIdFor, timezoneOffset, whoopRecordsBetween, type WhoopScoringRules } from "./payloads";

const NOW = new Date("2026-03-15T18:30:00Z");
const account = { provider: "whoop", accountId: "jordan", historyDays: 120, timeZone: "America/Chicago" };
const rules: WhoopScoringRules = { userId: 10129, scoreDelayMinutes: 45, unscorableRate: 0 };
const slow: WhoopScoringRules = { userId: 20417, scoreDelayMinutes: 30 * 60, unscorableRate: 0.12 };
const DAY = 86_400_000;

const records = (now: Date, r = rules, days = 40) => {
  const gen = createGenerator(account, now);
  return whoopRecordsBetween(gen, r, new Date(now.getTime() - days * DAY), now);
};

describe("WHOOP sandbox payloads", () => {
  it("are deterministic, newest first, and inside the window", () => {
    const a = records(NOW);
    const b = records(NOW);
    expect(a).toEqual(b);
    for (const list of [a.sleeps, a.cycles, a.recoveries]) {
      expect(list.length).toBeGreaterThan(30);
      expect(list.map((r) => r.at)).toEqual([...list.map((r) => r.at)].sort((x, y) => y - x));
      expect(list.every((r) => r.at >= NOW.getTime() - 40 * DAY && r.at < NOW.getTime())).toBe(true);
    }
    expect(a.sleeps.some((s) => s.record.nap === true)).toBe(true);
  });

  it("chains cycles from one falling-asleep to the next; the latest has no end", () => {
    const { cycles, sleeps } = records(NOW);
    const [latest, ...older] = cycles.map((c) => c.record);
    expect(latest).not.toHaveProperty("end");
    expect(older.every((c) => typeof c.end === "string")).toBe(true);
    for (let i = 1; i < cycles.length; i++) expect(cycles[i]!.record.end).toBe(cycles[i - 1]!.record.start);
    const nights = sleeps.filter((s) => s.record.nap === false).map((s) => s.record);
    expect(nights.map((s) => s.start)).toEqual(cycles.map((c) => c.record.start));
    expect(nights.map((s) => s.cycle_id)).toEqual(cycles.map((c) => c.record.id));
  });

  it("uses WHOOP's field shapes: UTC instants with milliseconds, timezone offsets, int cycle ids, uuid sleep ids", () => {
    const { sleeps, cycles, recoveries } = records(NOW);
    const sleep = sleeps.find((s) => s.record.score_state === "SCORED" && s.record.nap === false)!.record;
    expect(sleep.start).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect(sleep.timezone_offset).toMatch(/^-0[56]:00$/);
    expect(sleep.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const score = sleep.score as {
      stage_summary: Record<string, number>;
      sleep_needed: Record<string, number>;
      [k: string]: unknown;
    };
    expect(Object.keys(score.stage_summary).sort()).toEqual([
      "disturbance_count",
      "sleep_cycle_count",
      "total_awake_time_milli",
      "total_in_bed_time_milli",
      "total_light_sleep_time_milli",
      "total_no_data_time_milli",
      "total_rem_sleep_time_milli",
      "total_slow_wave_sleep_time_milli",
    ]);
    const stages = score.stage_summary;
    expect(
      stages.total_light_sleep_time_milli! +
        stages.total_slow_wave_sleep_time_milli! +
        stages.total_rem_sleep_time_milli! +
        stages.total_awake_time_milli!,
    ).toBe(stages.total_in_bed_time_milli);
    expect(Object.keys(score.sleep_needed).sort()).toEqual([
      "baseline_milli",
      "need_from_recent_nap_milli",
      "need_from_recent_strain_milli",
      "need_from_sleep_debt_milli",
    ]);
    expect(score.sleep_performance_percentage).toBeGreaterThan(0);
    expect(score.sleep_performance_percentage).toBeLessThanOrEqual(100);

    const scoredCycle = cycles.find((c) => c.record.score_state === "SCORED" && c.record.end)!.record;
    expect(Number.isInteger(scoredCycle.id)).toBe(true);
    const cycleScore = scoredCycle.score as Record<string, number>;
    expect(cycleScore.strain).toBeGreaterThanOrEqual(0);
    expect(cycleScore.strain).toBeLessThanOrEqual(21);
    // About a day's energy per 24 hours of cycle, BMR included, in kilojoules.
    const cycleDays = (Date.parse(scoredCycle.end as string) - Date.parse(scoredCycle.start as string)) / DAY;
    expect(cycleScore.kilojoule! / 4.184 / cycleDays).toBeGreaterThan(1300);
    expect(cycleScore.kilojoule! / 4.184 / cycleDays).toBeLessThan(4500);
    expect(cycleScore.max_heart_rate).toBeGreaterThan(cycleScore.average_heart_rate!);

    const rec = recoveries.find((r) => r.record.score_state === "SCORED")!.record;
    expect(rec).toMatchObject({ cycle_id: expect.any(Number), sleep_id: expect.any(String), user_id: 10129 });
    const recScore = rec.score as Record<string, unknown>;
    expect(recScore.recovery_score).toEqual(expect.any(Number));
    expect(recScore.recovery_score as number).toBeGreaterThanOrEqual(1);
    expect(recScore.recovery_score as number).toBeLessThanOrEqual(99);
    expect(recScore.user_calibrating).toBe(false);
    expect(recScore.skin_temp_celsius as number).toBeGreaterThan(32);
  });

  it("keeps the night until 45 minutes after waking PENDING_SCORE, then scores it", () => {
    const gen = createGenerator(account, NOW);
    const today = localDay(NOW, account.timeZone);
    const night = gen.nightOf(today) ?? gen.nightOf(shiftDay(today, -1))!;
    const justAwake = new Date(night.end.getTime() + 20 * 60_000);
    const early = records(justAwake, rules, 3);
    const latestSleep = early.sleeps.find((s) => s.record.id === night.id)!.record;
    expect(latestSleep.score_state).toBe("PENDING_SCORE");
    expect(latestSleep).not.toHaveProperty("score");
    expect(early.recoveries.find((r) => r.record.sleep_id === night.id)!.record).toMatchObject({
      score_state: "PENDING_SCORE",
    });
    expect(early.cycles[0]!.record).toMatchObject({ score_state: "PENDING_SCORE" });

    const later = records(new Date(night.end.getTime() + 50 * 60_000), rules, 3);
    const scored = later.sleeps.find((s) => s.record.id === night.id)!.record;
    expect(scored.score_state).toBe("SCORED");
    expect(scored.score).toBeDefined();
    expect(later.recoveries.find((r) => r.record.sleep_id === night.id)!.record.score).toBeDefined();
  });

  it("the slow account has pending recent nights and a few UNSCORABLE ones", () => {
    const { sleeps, recoveries } = records(NOW, slow, 40);
    const nights = sleeps.filter((s) => s.record.nap === false).map((s) => s.record);
    expect(nights[0]!.score_state).toBe("PENDING_SCORE");
    expect(nights.filter((n) => n.score_state === "UNSCORABLE").length).toBeGreaterThan(0);
    expect(nights.filter((n) => n.score_state === "SCORED").length).toBeGreaterThan(25);
    for (const n of nights.filter((x) => x.score_state !== "SCORED")) {
      expect(n).not.toHaveProperty("score");
      expect(recoveries.find((r) => r.record.sleep_id === n.id)!.record.score_state).toBe(n.score_state);
    }
  });

  it("maps through the provider module onto the local days WHOOP's app shows", () => {
    const { sleeps, recoveries, cycles } = records(NOW);
    const ctx: MappingContext = {};
    const sleepSamples = mapWhoopItems(
      "sleep",
      sleeps.map((s) => s.record),
      ctx,
    );
    const recoverySamples = mapWhoopItems(
      "recovery",
      recoveries.map((r) => r.record),
      ctx,
    );
    const cycleSamples = mapWhoopItems(
      "cycle",
      cycles.map((c) => c.record),
      ctx,
    );
    const gen = createGenerator(account, NOW);
    for (const s of sleepSamples.filter((x) => x.metric === "time_in_bed"))
      expect(s.value).toBe(gen.nightOf(s.day)!.timeInBed);
    // Recovery lands on the morning of its night, never on the evening the cycle started.
    const recoveryDays = recoverySamples.filter((x) => x.metric === "readiness_score").map((x) => x.day);
    expect(recoveryDays.every((d) => gen.nightOf(d))).toBe(true);
    expect(recoveryDays.length).toBeGreaterThan(30);
    expect(cycleSamples.filter((x) => x.metric === "strain").length).toBeGreaterThan(30);
  });

  it("derives cycle ids and offsets stably", () => {
    expect(cycleIdFor(rules, "2026-03-15")).toBe(cycleIdFor(rules, "2026-03-14") + 1);
    expect(timezoneOffset(new Date("2026-01-15T12:00:00Z"), "America/Chicago")).toBe("-06:00");
    expect(timezoneOffset(new Date("2026-07-15T12:00:00Z"), "America/Chicago")).toBe("-05:00");
  });
});
