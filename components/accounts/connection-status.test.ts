import { describe, expect, it } from "vitest";
import { cardActions, disconnectedProviders, statusPill, syncingBadge, syncPercent } from "./connection-status";

const base = { mode: "live" as const, status: "active" as const, syncing: false, latestSync: null };
const run = (progress: number) => ({
  kind: "backfill" as const,
  status: "running" as const,
  progress,
  metricsWritten: 0,
  error: null,
  finishedAt: null,
});

describe("statusPill", () => {
  it("shows Connected for an active connection", () => {
    expect(statusPill(base)).toEqual({ label: "Connected", tone: "success" });
  });

  it("stays Connected while a sync runs", () => {
    expect(statusPill({ ...base, syncing: true, latestSync: run(42) }).label).toBe("Connected");
  });

  it("shows Disconnected, Not connected and Unavailable", () => {
    expect(statusPill({ ...base, status: "disconnected" }).label).toBe("Disconnected");
    expect(statusPill({ ...base, status: "not_connected" }).label).toBe("Not connected");
    expect(statusPill({ ...base, status: "revoked" }).label).toBe("Not connected");
    expect(statusPill({ ...base, status: "not_connected", mode: "unavailable" }).label).toBe("Unavailable");
  });

  it("keeps a broken connection Disconnected even when the provider became unavailable", () => {
    expect(statusPill({ ...base, status: "disconnected", mode: "unavailable" }).label).toBe("Disconnected");
  });
});

describe("syncingBadge", () => {
  it("shows sync progress while syncing", () => {
    expect(syncingBadge({ ...base, syncing: true, latestSync: run(42.4) })).toEqual({
      label: "Syncing… 42%",
      tone: "info",
    });
    expect(syncingBadge({ ...base, syncing: true, latestSync: null })?.label).toBe("Syncing… 0%");
  });

  it("is absent when idle or not connected", () => {
    expect(syncingBadge(base)).toBeNull();
    expect(syncingBadge({ ...base, status: "revoked", syncing: true })).toBeNull();
  });
});

describe("syncPercent", () => {
  it("clamps and rounds", () => {
    expect(syncPercent(-5)).toBe(0);
    expect(syncPercent(140)).toBe(100);
    expect(syncPercent(66.6)).toBe(67);
    expect(syncPercent(Number.NaN)).toBe(0);
    expect(syncPercent(undefined)).toBe(0);
  });
});

describe("cardActions", () => {
  it("offers refresh, sync and disconnect when connected", () => {
    expect(cardActions({ mode: "sandbox", status: "active" })).toEqual(["refresh", "sync", "disconnect"]);
  });

  it("offers connect when not connected or revoked, unless unavailable", () => {
    expect(cardActions({ mode: "live", status: "not_connected" })).toEqual(["connect"]);
    expect(cardActions({ mode: "live", status: "revoked" })).toEqual(["connect"]);
    expect(cardActions({ mode: "unavailable", status: "not_connected" })).toEqual([]);
  });

  it("offers reconnect when disconnected", () => {
    expect(cardActions({ mode: "live", status: "disconnected" })).toEqual(["reconnect", "disconnect"]);
    expect(cardActions({ mode: "unavailable", status: "disconnected" })).toEqual(["disconnect"]);
  });
});

describe("disconnectedProviders", () => {
  it("keeps only disconnected cards", () => {
    const cards = [
      { provider: "oura", status: "disconnected" as const },
      { provider: "whoop", status: "active" as const },
      { provider: "withings", status: "revoked" as const },
    ];
    expect(disconnectedProviders(cards).map((c) => c.provider)).toEqual(["oura"]);
    expect(disconnectedProviders(undefined)).toEqual([]);
  });
});
