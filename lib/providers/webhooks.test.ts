import { describe, expect, it } from "vitest";
import { oura, ouraSandboxTarget } from "./oura";
import { ouraVerificationToken } from "./oura-webhooks";
import { whoop } from "./whoop";
import { withings } from "./withings";
import { parseWithingsNotification, withingsWork } from "./withings-webhooks";
import { listProviders } from "./index";

describe("provider webhook declarations", () => {
  it("Oura subscribes create and update for every collection Oura notifies about, and nothing else", () => {
    const topics = oura.webhooks!.appSubscriptions!.topics;
    const dataTypes = [...new Set(topics.map((t) => t.split(":")[0]))];
    expect(dataTypes).toContain("daily_sleep");
    expect(dataTypes).toContain("sleep");
    expect(dataTypes).not.toContain("heartrate");
    expect(dataTypes.every((d) => oura.collections.some((c) => c.id === d))).toBe(true);
    expect(topics).toHaveLength(dataTypes.length * 2);
  });

  it("derives Oura's verification token from the client secret: stable, and different per secret", () => {
    const a = ouraVerificationToken(ouraSandboxTarget);
    expect(ouraVerificationToken({ ...ouraSandboxTarget })).toBe(a);
    expect(ouraVerificationToken({ ...ouraSandboxTarget, clientSecret: "other" })).not.toBe(a);
    expect(a).not.toContain(ouraSandboxTarget.clientSecret);
  });

  it("every appli Withings is subscribed to maps to collections the module has; Garmin has no webhooks", () => {
    const topics = withings.webhooks!.connectionSubscriptions!.topics;
    for (const collections of Object.values(topics))
      expect(collections.every((c) => withings.collections.some((x) => x.id === c))).toBe(true);
    expect(listProviders().find((p) => p.id === "garmin")?.webhooks).toBeUndefined();
    expect(whoop.webhooks?.authentication).toBe("signature");
    expect(withings.webhooks?.authentication).toBe("path-token");
  });

  it("reads a Withings period one day wider on each side, at most 31 days", () => {
    const n = parseWithingsNotification("userid=1&appli=44&startdate=1764000000&enddate=1764030000")!;
    expect(withingsWork(n)).toEqual({
      kind: "sync",
      collections: ["sleep"],
      startDay: "2025-11-23",
      endDay: "2025-11-26",
    });
    const long = parseWithingsNotification("userid=1&appli=1&startdate=1600000000&enddate=1764030000")!;
    const work = withingsWork(long);
    expect(work).toMatchObject({
      kind: "sync",
      collections: ["measures"],
      endDay: "2025-11-26",
      startDay: "2025-10-27",
    });
  });

  it("accepts Withings' user-action notification (appli 46) without a period, and ignores it", () => {
    const n = parseWithingsNotification("userid=1&appli=46&action=unlink")!;
    expect(n).toMatchObject({ topic: "46", action: "other", eventKey: "1:46:::unlink" });
    expect(withingsWork(n)).toMatchObject({ kind: "ignored" });
    expect(parseWithingsNotification("userid=1&appli=44")).toBeUndefined();
  });
});
