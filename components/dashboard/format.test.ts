import { describe, expect, it } from "vitest";
import { compareToBaseline, describeSources, formatDayLabel, formatShortDay, formatValue } from "./format";

describe("formatValue", () => {
  it("rounds to a whole number", () => {
    expect(formatValue(81.6)).toBe("82");
    expect(formatValue(79.4)).toBe("79");
    expect(formatValue(0)).toBe("0");
  });

  it("shows a dash for missing values", () => {
    expect(formatValue(null)).toBe("—");
    expect(formatValue(undefined)).toBe("—");
    expect(formatValue(Number.NaN)).toBe("—");
  });
});

describe("compareToBaseline", () => {
  it("compares the rounded numbers as displayed", () => {
    expect(compareToBaseline(82.4, 79.4)).toEqual({ delta: 3, text: "+3", direction: "up" });
    // 81.6 → 82 and 79.4 → 79: the shown delta must be +3, not +2.2 → +2.
    expect(compareToBaseline(81.6, 79.4)).toEqual({ delta: 3, text: "+3", direction: "up" });
  });

  it("shows a decline with a minus sign", () => {
    expect(compareToBaseline(70, 75.2)).toEqual({ delta: -5, text: "−5", direction: "down" });
  });

  it("is flat when the rounded values match", () => {
    expect(compareToBaseline(80.2, 79.8)).toEqual({ delta: 0, text: "±0", direction: "flat" });
  });

  it("is null when either side is missing", () => {
    expect(compareToBaseline(null, 79)).toBeNull();
    expect(compareToBaseline(82, null)).toBeNull();
  });
});

describe("formatDayLabel", () => {
  const now = new Date(2026, 10, 5, 9, 30); // Thu 5 Nov 2026, local time

  it("names today and yesterday", () => {
    expect(formatDayLabel("2026-11-05", now)).toBe("Today");
    expect(formatDayLabel("2026-11-04", now)).toBe("Yesterday");
  });

  it("shows weekday and date within the year, and the year otherwise", () => {
    expect(formatDayLabel("2026-11-03", now)).toBe("Tue 3 Nov");
    expect(formatDayLabel("2025-12-30", now)).toBe("30 Dec 2025");
  });

  it("returns an unparseable day unchanged", () => {
    expect(formatDayLabel("not-a-day", now)).toBe("not-a-day");
  });
});

describe("formatShortDay", () => {
  it("formats axis labels", () => {
    expect(formatShortDay("2026-11-03")).toBe("3 Nov");
  });
});

describe("describeSources", () => {
  const oura = { provider: "oura", name: "Oura" };
  const whoop = { provider: "whoop", name: "Whoop" };
  const garmin = { provider: "garmin", name: "Garmin" };

  it("names the chosen source and the others in priority order", () => {
    expect(describeSources(oura, [oura, whoop, garmin])).toEqual({
      primary: "from Oura",
      also: "also from: Whoop, Garmin",
    });
  });

  it("omits the also line with a single source", () => {
    expect(describeSources(oura, [oura])).toEqual({ primary: "from Oura", also: null });
  });

  it("has no source line without data", () => {
    expect(describeSources(null, [])).toEqual({ primary: null, also: null });
  });
});
