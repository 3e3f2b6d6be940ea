import { NonRetriableError, RetryAfterError } from "inngest";
import { afterEach, describe, expect, it } from "vitest";
import type { JobDefinition } from "./define";
import {
  dispatchDelayedEventsNow,
  dispatchInProcess,
  drainInProcessJobs,
  refuseInProcessJobs,
  registerInProcessJobs,
  runCronJobInProcess,
} from "./in-process";

const event = (connectionId: string) => ({
  name: "wearables/sync.requested" as const,
  data: { connectionId, syncRunId: "00000000-0000-4000-8000-000000000000", provider: "oura" },
});

afterEach(() => registerInProcessJobs([]));

function job(overrides: Partial<JobDefinition>): JobDefinition {
  return {
    id: "test-job",
    trigger: { event: "wearables/sync.requested" },
    retries: 2,
    handler: async () => {},
    ...overrides,
  };
}

describe("in-process job runner", () => {
  it("retries a failing step with backoff, then succeeds", async () => {
    const waits: number[] = [];
    let calls = 0;
    registerInProcessJobs([
      job({
        handler: ({ step }) =>
          step.run("flaky", async () => {
            if (++calls < 3) throw new Error("transient");
            return "ok";
          }),
      }),
    ]);
    dispatchInProcess(event("a"), { sleep: async (ms) => void waits.push(ms) });
    await drainInProcessJobs();
    expect(calls).toBe(3);
    expect(waits).toEqual([1000, 2000]);
  });

  it("waits exactly as long as a RetryAfterError asks", async () => {
    const waits: number[] = [];
    let calls = 0;
    registerInProcessJobs([
      job({
        handler: ({ step }) =>
          step.run("rate-limited", async () => {
            if (++calls === 1) throw new RetryAfterError("429", 42_000);
          }),
      }),
    ]);
    dispatchInProcess(event("a"), { sleep: async (ms) => void waits.push(ms) });
    await drainInProcessJobs();
    expect(waits).toEqual([42_000]);
    expect(calls).toBe(2);
  });

  it("stops at a NonRetriableError and calls onFailure with the event", async () => {
    const failures: unknown[] = [];
    let calls = 0;
    registerInProcessJobs([
      job({
        handler: ({ step }) =>
          step.run("refused", async () => {
            calls++;
            throw new NonRetriableError("access revoked");
          }),
        onFailure: async ({ event: e, error }) => void failures.push([e.data, (error as Error).message]),
      }),
    ]);
    dispatchInProcess(event("a"), { sleep: async () => {} });
    await drainInProcessJobs();
    expect(calls).toBe(1);
    expect(failures).toEqual([[event("a").data, "access revoked"]]);
  });

  it("gives up after the configured retries", async () => {
    const failures: string[] = [];
    let calls = 0;
    registerInProcessJobs([
      job({
        retries: 1,
        handler: ({ step }) =>
          step.run("broken", async () => {
            calls++;
            throw new Error("still broken");
          }),
        onFailure: async ({ error }) => void failures.push((error as Error).message),
      }),
    ]);
    dispatchInProcess(event("a"), { sleep: async () => {} });
    await drainInProcessJobs();
    expect(calls).toBe(2);
    expect(failures).toEqual(["still broken"]);
  });

  it("runs one job at a time per concurrency key, and different keys side by side", async () => {
    const log: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    registerInProcessJobs([
      job({
        concurrency: { key: "event.data.connectionId", limit: 1 },
        handler: async ({ event: e }) => {
          const id = (e.data as { connectionId: string }).connectionId;
          log.push(`start ${id}`);
          if (id === "a" && !log.includes("end a")) await gate;
          log.push(`end ${id}`);
        },
      }),
    ]);
    dispatchInProcess(event("a"));
    dispatchInProcess(event("a"));
    dispatchInProcess(event("b"));
    await new Promise((r) => setTimeout(r, 10));
    expect(log).toEqual(["start a", "start b", "end b"]);
    release();
    await drainInProcessJobs();
    expect(log).toEqual(["start a", "start b", "end b", "end a", "start a", "end a"]);
  });

  it("fans out events sent from a step to the jobs they trigger", async () => {
    const seen: string[] = [];
    registerInProcessJobs([
      job({
        id: "cron",
        trigger: { cron: "0 */2 * * *" },
        handler: ({ step }) => step.sendEvent("fan-out", [event("x"), event("y")]),
      }),
      job({ handler: async ({ event: e }) => void seen.push((e.data as { connectionId: string }).connectionId) }),
    ]);
    await runCronJobInProcess("cron");
    await drainInProcessJobs();
    expect(seen.sort()).toEqual(["x", "y"]);
  });

  it("shares an env-scoped concurrency key across functions: their steps never overlap, but interleave", async () => {
    const log: string[] = [];
    let active = 0;
    let maxActive = 0;
    const stepwise = (id: string) =>
      job({
        id,
        trigger: { event: "wearables/sync.requested" },
        concurrency: [{ key: "event.data.connectionId", limit: 1, scope: "env" }],
        handler: async ({ step }) => {
          for (const n of [1, 2]) {
            await step.run(`step-${n}`, async () => {
              active++;
              maxActive = Math.max(maxActive, active);
              log.push(`${id}:${n}`);
              await new Promise((r) => setTimeout(r, 5));
              active--;
            });
          }
        },
      });
    registerInProcessJobs([stepwise("backfill"), stepwise("sync")]);
    dispatchInProcess(event("a"));
    await drainInProcessJobs();
    expect(maxActive).toBe(1);
    // One step each in turn, as Inngest hands the key's slot from run to run between steps.
    expect(log).toEqual(["backfill:1", "sync:1", "backfill:2", "sync:2"]);
  });

  it("keeps function-scoped keys apart (Inngest's default scope)", async () => {
    let active = 0;
    let maxActive = 0;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const holder = (id: string) =>
      job({
        id,
        concurrency: { key: "event.data.connectionId", limit: 1 },
        handler: ({ step }) =>
          step.run("hold", async () => {
            maxActive = Math.max(maxActive, ++active);
            await gate;
            active--;
          }),
      });
    registerInProcessJobs([holder("one"), holder("two")]);
    dispatchInProcess(event("a"));
    await new Promise((r) => setTimeout(r, 10));
    release();
    await drainInProcessJobs();
    expect(maxActive).toBe(2);
  });

  it("spaces run starts per throttle key, and other keys start at once", async () => {
    const clock = 1_000_000;
    const waits: number[] = [];
    const started: string[] = [];
    registerInProcessJobs([
      job({
        throttle: { key: "event.data.provider", limit: 2, period: "1m" },
        handler: async ({ event: e }) => void started.push((e.data as { provider: string }).provider),
      }),
    ]);
    // A pinned clock; waiting is recorded, not slept.
    const options = { now: () => clock, sleep: async (ms: number) => void waits.push(ms) };
    const whoop = (id: string) => ({ ...event(id), data: { ...event(id).data, provider: "whoop" } });
    for (const id of ["a", "b", "c"]) dispatchInProcess(whoop(id), options);
    dispatchInProcess(event("d"), options);
    await drainInProcessJobs();
    expect(started.sort()).toEqual(["oura", "whoop", "whoop", "whoop"]);
    // Two a minute, evenly: the second whoop run waits 30 s, the third 60 s; oura's does not wait.
    expect(waits.sort((x, y) => x - y)).toEqual([30_000, 60_000]);
  });

  it("holds an event with a future ts until it is due", async () => {
    const seen: string[] = [];
    registerInProcessJobs([job({ handler: async () => void seen.push("ran") })]);
    dispatchInProcess({ ...event("a"), ts: Date.now() + 60_000 });
    await drainInProcessJobs();
    expect(seen).toEqual([]);
    expect(dispatchDelayedEventsNow()).toBe(1);
    await drainInProcessJobs();
    expect(seen).toEqual(["ran"]);
  });

  it("refuses every event once another instance holds the runner lock", async () => {
    registerInProcessJobs([job({})]);
    refuseInProcessJobs("another instance runs the jobs");
    try {
      expect(() => dispatchInProcess(event("a"))).toThrow(/another instance runs the jobs/);
    } finally {
      refuseInProcessJobs(undefined);
    }
  });
});
