import { format } from "date-fns";
import { describe, expect, it } from "vitest";
import { canonicalTimeZone, dayIn, timeZoneInput, userTodayAt } from "./time-zone";

describe("user time zone", () => {
  it("accepts IANA zones (canonicalised) and refuses offsets, abbreviations and made-up names", () => {
    expect(canonicalTimeZone("Europe/Berlin")).toBe("Europe/Berlin");
    expect(canonicalTimeZone("America/Los_Angeles")).toBe("America/Los_Angeles");
    expect(canonicalTimeZone("UTC")).toBe("UTC");
    expect(canonicalTimeZone("europe/berlin")).toBe("Europe/Berlin");
    // A link resolves to this runtime's own name for the zone, which it accepts back.
    const kolkata = canonicalTimeZone("Asia/Kolkata");
    expect(["Asia/Kolkata", "Asia/Calcutta"]).toContain(kolkata);
    expect(canonicalTimeZone(kolkata!)).toBe(kolkata);
    for (const bad of [
      "Mars/Olympus_Mons",
      "+01:00",
      "GMT+1",
      "",
      " Europe/Berlin",
      "Europe/Berlin; drop",
      "x".repeat(80),
    ])
      expect(canonicalTimeZone(bad), bad).toBeNull();
    expect(timeZoneInput.safeParse({ timeZone: "Pacific/Auckland" })).toEqual({
      success: true,
      data: { timeZone: "Pacific/Auckland" },
    });
    expect(timeZoneInput.safeParse({ timeZone: "Moon/Tranquility" }).success).toBe(false);
    expect(timeZoneInput.safeParse({ timeZone: 42 }).success).toBe(false);
  });

  it("computes the user's calendar day, not the server's", () => {
    // 20:00 UTC on 10 March: already the 11th in Kiritimati (UTC+14), still the 10th in Pago Pago (UTC−11).
    const now = new Date("2026-03-10T20:00:00Z");
    expect(dayIn("Pacific/Kiritimati", now)).toBe("2026-03-11");
    expect(dayIn("Pacific/Pago_Pago", now)).toBe("2026-03-10");
    expect(dayIn("Europe/Berlin", new Date("2026-03-29T22:30:00Z"))).toBe("2026-03-30"); // after the DST switch
    expect(format(userTodayAt("Pacific/Kiritimati", now), "yyyy-MM-dd")).toBe("2026-03-11");
    expect(format(userTodayAt("Pacific/Pago_Pago", now), "yyyy-MM-dd")).toBe("2026-03-10");
    // No saved zone: the server's own clock, as before.
    expect(userTodayAt(null, now)).toBe(now);
  });
});
