import { describe, expect, it } from "vitest";
import { csvField, exportFileName } from "./export";

describe("csvField", () => {
  it("leaves plain values alone and writes numbers and nulls plainly", () => {
    expect(csvField("sleep_score")).toBe("sleep_score");
    expect(csvField(-1.5)).toBe("-1.5");
    expect(csvField(null)).toBe("");
    expect(csvField(["daily", "heartrate"])).toBe("daily heartrate");
  });

  it("quotes commas, quotes and line breaks (RFC 4180)", () => {
    expect(csvField('a,"b"')).toBe('"a,""b"""');
    expect(csvField("line\nbreak")).toBe('"line\nbreak"');
    expect(csvField("cr\rhere")).toBe('"cr\rhere"');
  });

  it("defuses text a spreadsheet would run as a formula", () => {
    for (const text of ["=1+1", "+1", "-cmd", "@SUM(A1)", "\tx"]) expect(csvField(text)).toBe(`'${text}`);
    expect(csvField('=HYPERLINK("x")')).toBe('"\'=HYPERLINK(""x"")"');
  });
});

describe("exportFileName", () => {
  it("carries the UTC date", () => {
    const now = new Date("2026-12-31T23:30:00Z");
    expect(exportFileName("csv", now)).toBe("wearables-data-2026-12-31.zip");
    expect(exportFileName("json", now)).toBe("wearables-data-2026-12-31.json");
  });
});
