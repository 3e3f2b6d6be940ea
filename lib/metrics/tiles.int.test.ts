import { format, subDays } from "date-fns";
import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { getDb } from "@/lib/db/client";
import { dailyMetrics } from "@/lib/db/schema";
import { upsertDailyMetrics } from "@/lib/sync/engine";
import { createSignedInUser } from "@/lib/testing/users";
import { setSourcePriority } from "./source-priority";
import { getDashboardTiles, MIN_POINTS_30D } from "./tiles";

const today = new Date("2026-11-21T12:00:00Z");
const day = (n: number) => format(subDays(today, n), "yyyy-MM-dd");
const days = (count: number, value: (i: number) => number) =>
  Array.from({ length: count }, (_, i) => ({ day: day(i), value: value(i) }));

describe("dashboard tiles", () => {
  it("keeps every provider's values and shows the one first in the metric's source priority", async () => {
    const user = await createSignedInUser();
    await upsertDailyMetrics(
      user.id,
      "whoop",
      days(30, () => 50).map((d) => ({ metric: "readiness_score", ...d })),
    );
    await upsertDailyMetrics(
      user.id,
      "oura",
      days(30, (i) => 70 + (i % 3)).map((d) => ({ metric: "readiness_score", ...d })),
    );
    const readiness = (await getDashboardTiles(user.id, today)).find((t) => t.id === "readiness")!;
    expect(readiness.source).toEqual({ provider: "oura", name: "Oura" });
    expect(readiness.sources.map((s) => s.provider)).toEqual(["oura", "whoop"]);
    expect(readiness.priority[0]).toBe("Oura");
    expect(readiness.series).toHaveLength(30);
    expect(readiness.series.every((p) => p.value >= 70)).toBe(true);
    expect(readiness.latest).toEqual({ day: day(0), value: 70 });
    expect(readiness.avg7).toBeCloseTo((70 + 71 + 72 + 70 + 71 + 72 + 70) / 7, 1);
    expect(readiness.insufficient).toBeNull();
    const db = await getDb();
    const stored = await db
      .select()
      .from(dailyMetrics)
      .where(and(eq(dailyMetrics.userId, user.id), eq(dailyMetrics.metric, "readiness_score")));
    expect(stored).toHaveLength(60);
  });

  it("shows — with an explanation when there are too few points, and nothing of other users", async () => {
    const user = await createSignedInUser();
    const other = await createSignedInUser();
    await upsertDailyMetrics(
      other.id,
      "oura",
      days(30, () => 90).map((d) => ({ metric: "sleep_score", ...d })),
    );
    await upsertDailyMetrics(
      user.id,
      "oura",
      days(3, () => 80).map((d) => ({ metric: "sleep_score", ...d })),
    );
    const [sleep, readiness] = await getDashboardTiles(user.id, today);
    expect(sleep!.latest).toEqual({ day: day(0), value: 80 });
    expect(sleep!.avg7).toBe(80);
    expect(sleep!.baseline30).toBeNull();
    expect(sleep!.insufficient).toBe(
      `Needs at least ${MIN_POINTS_30D} nights for a baseline (has 3). Give it a few more days.`,
    );
    expect(readiness!.latest).toBeNull();
    expect(readiness!.source).toBeNull();
    expect(readiness!.insufficient).toMatch(/No readiness data/);
  });

  it("adds a tile for each other category with data, and none for a category without", async () => {
    const user = await createSignedInUser();
    await upsertDailyMetrics(user.id, "garmin", [
      ...days(10, (i) => 8000 + i).map((d) => ({ metric: "steps" as const, ...d })),
      ...days(10, () => 31).map((d) => ({ metric: "stress_avg" as const, ...d })),
    ]);
    await upsertDailyMetrics(
      user.id,
      "oura",
      days(20, (i) => 50 + i).map((d) => ({ metric: "resting_heart_rate", ...d })),
    );
    const tiles = await getDashboardTiles(user.id, today);
    expect(tiles.map((t) => t.id)).toEqual(["sleep", "readiness", "activity", "resting-heart-rate", "stress"]);
    const activity = tiles.find((t) => t.id === "activity")!;
    expect(activity).toMatchObject({ category: "activity", unit: "steps", latest: { day: day(0), value: 8000 } });
    expect(activity.baseline30).toBeNull();
    expect(activity.insufficient).toMatch(/Needs at least 14 days for a baseline \(has 10\)/);
    expect(tiles.find((t) => t.id === "resting-heart-rate")).toMatchObject({ category: "heart", better: "lower" });
  });

  it("follows the user's own source order: another value and another source label", async () => {
    const user = await createSignedInUser();
    const other = await createSignedInUser();
    await upsertDailyMetrics(
      user.id,
      "oura",
      days(30, () => 80).map((d) => ({ metric: "sleep_score", ...d })),
    );
    await upsertDailyMetrics(
      user.id,
      "whoop",
      days(30, () => 60).map((d) => ({ metric: "sleep_score", ...d })),
    );
    const before = (await getDashboardTiles(user.id, today))[0]!;
    expect(before.source?.name).toBe("Oura");
    expect(before.latest?.value).toBe(80);

    expect(await setSourcePriority(user.id, "sleep_score", ["whoop", "oura", "garmin", "withings"])).toMatchObject({
      ok: true,
    });
    const after = (await getDashboardTiles(user.id, today))[0]!;
    expect(after.source).toEqual({ provider: "whoop", name: "Whoop" });
    expect(after.sources.map((s) => s.name)).toEqual(["Whoop", "Oura"]);
    expect(after.latest?.value).toBe(60);
    expect(after.priority).toEqual(["Whoop", "Oura", "Garmin", "Withings"]);
    // Another user's order is theirs alone.
    await upsertDailyMetrics(
      other.id,
      "oura",
      days(3, () => 70).map((d) => ({ metric: "sleep_score", ...d })),
    );
    expect((await getDashboardTiles(other.id, today))[0]!.priority[0]).toBe("Oura");

    // Back to the documented default.
    await setSourcePriority(user.id, "sleep_score", null);
    expect((await getDashboardTiles(user.id, today))[0]!.source?.name).toBe("Oura");
  });

  it("refuses an order that is not a permutation of the metric's sources", async () => {
    const user = await createSignedInUser();
    expect(await setSourcePriority(user.id, "sleep_score", ["whoop", "oura"])).toMatchObject({ ok: false });
    expect(await setSourcePriority(user.id, "sleep_score", ["whoop", "whoop", "oura", "garmin"])).toMatchObject({
      ok: false,
    });
    expect(await setSourcePriority(user.id, "weight", ["withings"])).toMatchObject({ ok: false });
    expect((await getDashboardTiles(user.id, today))[0]!.priority[0]).toBe("Oura");
  });
});
