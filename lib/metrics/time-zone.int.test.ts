import { describe, expect, it } from "vitest";
import { upsertDailyMetrics } from "@/lib/sync/engine";
import { serveAppForTests } from "@/lib/testing/serve-app";
import { createSignedInUser } from "@/lib/testing/users";
import { getDashboardTiles } from "./tiles";
import { dayIn, getTimeZone } from "./time-zone";
import { getTrendDetail } from "./trends";

const app = serveAppForTests();

// Kiritimati (UTC+14) and Pago Pago (UTC−11) are 25 hours apart: at any instant their dates differ by one day.
const AHEAD = "Pacific/Kiritimati";
const BEHIND = "Pacific/Pago_Pago";

describe("the user's days", () => {
  it("PUT /api/v1/settings/time-zone saves a valid IANA zone and refuses others with a 4xx", async () => {
    const user = await createSignedInUser();
    const put = (body: unknown, headers: Record<string, string> = {}) =>
      fetch(`${app.url}/api/v1/settings/time-zone`, {
        method: "PUT",
        headers: { cookie: user.cookie, "content-type": "application/json", origin: app.url, ...headers },
        body: JSON.stringify(body),
      });
    const ok = await put({ timeZone: "Europe/Berlin" });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ timeZone: "Europe/Berlin" });
    expect(await getTimeZone(user.id)).toBe("Europe/Berlin");

    for (const bad of [{ timeZone: "Mars/Olympus_Mons" }, { timeZone: "+02:00" }, { timeZone: 3 }, {}]) {
      const res = await put(bad);
      expect(res.status, JSON.stringify(bad)).toBe(422);
    }
    expect((await put({ timeZone: "Asia/Tokyo" }, { origin: "https://evil.example" })).status).toBe(403);
    expect(
      (
        await fetch(`${app.url}/api/v1/settings/time-zone`, {
          method: "PUT",
          headers: { "content-type": "application/json", origin: app.url },
          body: JSON.stringify({ timeZone: "Asia/Tokyo" }),
        })
      ).status,
    ).toBe(401);
    expect(await getTimeZone(user.id)).toBe("Europe/Berlin");
  });

  it("computes today and the ranges of tiles and detail views in the user's zone", async () => {
    const ahead = await createSignedInUser();
    const behind = await createSignedInUser();
    const put = (cookie: string, timeZone: string) =>
      fetch(`${app.url}/api/v1/settings/time-zone`, {
        method: "PUT",
        headers: { cookie, "content-type": "application/json", origin: app.url },
        body: JSON.stringify({ timeZone }),
      });
    expect((await put(ahead.cookie, AHEAD)).status).toBe(200);
    expect((await put(behind.cookie, BEHIND)).status).toBe(200);

    const now = new Date();
    const aheadToday = dayIn(AHEAD, now);
    const behindToday = dayIn(BEHIND, now);
    expect(aheadToday > behindToday).toBe(true);
    // Both users have a value dated on the ahead zone's today (a night that ended there).
    for (const user of [ahead, behind])
      await upsertDailyMetrics(user.id, "oura", [{ metric: "sleep_score", day: aheadToday, value: 88 }]);

    const aheadDetail = await getTrendDetail(ahead.id, "sleep", 7);
    const behindDetail = await getTrendDetail(behind.id, "sleep", 7);
    expect(aheadDetail.to).toBe(aheadToday);
    expect(behindDetail.to).toBe(behindToday);
    // Tomorrow, for the user behind, is not in their range yet.
    expect(aheadDetail.headline.latest).toEqual({ day: aheadToday, value: 88 });
    expect(behindDetail.headline.latest).toBeNull();

    const [aheadSleep] = await getDashboardTiles(ahead.id);
    expect(aheadSleep!.latest).toEqual({ day: aheadToday, value: 88 });
  });
});
