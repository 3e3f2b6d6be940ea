import { Cron } from "croner";
import { NonRetriableError, RetryAfterError } from "inngest";
import type { JobDefinition, JobStep } from "./define";
import type { JobEvent } from "./events";
import {
  compileConcurrency,
  compileThrottle,
  ConcurrencySlots,
  ThrottleSchedule,
  type CompiledThrottle,
  type ConcurrencyGroup,
} from "./flow-control";

/**
 * Development job runner: executes the same job definitions inside this process when no Inngest
 * server is configured (the embedded default). It honours the options the functions declare for
 * Inngest, with Inngest's meaning: retries per step, RetryAfterError, NonRetriableError,
 * onFailure, cron triggers, concurrency (key, limit and scope; a slot is held while a step runs,
 * so runs of one key interleave between steps but never overlap), throttle (run starts per key,
 * spaced evenly) and delayed events (`ts`). It keeps its queue in memory, so it is for one
 * process only (lib/jobs/startup.ts makes sure of that in production).
 */

interface RunnerState {
  slots: ConcurrencySlots;
  throttles: ThrottleSchedule;
  inFlight: Set<Promise<void>>;
  /** Events whose `ts` is in the future, with the timer that dispatches them. */
  scheduled: Map<ReturnType<typeof setTimeout>, { event: JobEvent; options: RunnerOptions }>;
  crons: Cron[];
  jobs: CompiledJob[];
  /** Set when this process must not run jobs (another instance holds the runner lock), with why. */
  refused?: string;
}

interface CompiledJob {
  job: JobDefinition;
  groups: (event: { data: unknown }) => ConcurrencyGroup[];
  throttle: CompiledThrottle | undefined;
}

const STATE = Symbol.for("wearables.jobs.in-process");
type GlobalWithRunner = typeof globalThis & { [STATE]?: RunnerState };

function state(): RunnerState {
  const g = globalThis as GlobalWithRunner;
  g[STATE] ??= {
    slots: new ConcurrencySlots(),
    throttles: new ThrottleSchedule(),
    inFlight: new Set(),
    scheduled: new Map(),
    crons: [],
    jobs: [],
  };
  return g[STATE];
}

export class JobsRefusedError extends Error {
  override name = "JobsRefusedError";
}

/** From now on this process runs no jobs: events and crons are refused with `reason`. */
export function refuseInProcessJobs(reason: string | undefined): void {
  const s = state();
  s.refused = reason;
  if (reason) stopInProcessScheduler();
}

export function registerInProcessJobs(jobs: JobDefinition[]): void {
  state().jobs = jobs.map((job) => ({
    job,
    groups: compileConcurrency(job.id, job.concurrency),
    throttle: compileThrottle(job.id, job.throttle),
  }));
}

const BASE_BACKOFF_MS = 1000;
const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function retryDelayMs(error: unknown, attempt: number): number {
  if (error instanceof RetryAfterError) {
    // Inngest stores retryAfter as whole seconds ("37") or an ISO date, whatever it was given.
    const asNumber = Number(error.retryAfter);
    const ms = Number.isFinite(asNumber) ? asNumber * 1000 : Date.parse(error.retryAfter) - Date.now();
    return Math.max(0, ms);
  }
  return BASE_BACKOFF_MS * 2 ** attempt;
}

async function withRetries<T>(retries: number, fn: () => Promise<T>, sleep: (ms: number) => Promise<void>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      if (error instanceof NonRetriableError || attempt >= retries) throw error;
      await sleep(retryDelayMs(error, attempt));
    }
  }
}

export interface RunnerOptions {
  /** Tests replace waiting (RetryAfter, backoff, step.sleep, throttle) with a recorder. */
  sleep?: (ms: number) => Promise<void>;
  /** The clock throttles read (tests pin it). */
  now?: () => number;
  /** Tests observe when steps start and end. */
  onStep?: (step: { jobId: string; stepId: string; phase: "start" | "end"; event: { data: unknown } }) => void;
}

async function execute(
  compiled: CompiledJob,
  event: { name: string; data: unknown },
  options: RunnerOptions,
): Promise<void> {
  const { job } = compiled;
  const sleep = options.sleep ?? delay;
  const now = options.now ?? Date.now;
  const s = state();
  if (compiled.throttle) {
    const startAt = s.throttles.reserve(compiled.throttle, compiled.throttle.bucket(event), now());
    if (startAt > now()) await sleep(startAt - now());
  }
  const groups = compiled.groups(event);
  let release = await s.slots.acquire(groups);
  // Waiting (backoff, step.sleep) holds no slot, and a finished step queues behind runs already waiting.
  const yieldSlot = async (wait?: () => Promise<void>) => {
    release();
    if (wait) await wait();
    release = await s.slots.acquire(groups);
  };
  const step: JobStep = {
    run: async (id, fn) => {
      const result = await withRetries(
        job.retries,
        async () => {
          options.onStep?.({ jobId: job.id, stepId: id, phase: "start", event });
          try {
            return await fn();
          } finally {
            options.onStep?.({ jobId: job.id, stepId: id, phase: "end", event });
          }
        },
        (ms) => yieldSlot(() => sleep(ms)),
      );
      await yieldSlot();
      return result;
    },
    sleep: (_id, ms) => yieldSlot(() => sleep(ms)),
    sendEvent: (_id, events) => {
      for (const e of Array.isArray(events) ? events : [events]) dispatchInProcess(e, options);
      return Promise.resolve({ ids: [] });
    },
  };
  try {
    await job.handler({ event, step });
  } catch (error) {
    if (job.onFailure) {
      await job
        .onFailure({ event, error })
        .catch((e: Error) => console.error(`[jobs] ${job.id} onFailure failed: ${e.name}`));
    } else {
      console.error(`[jobs] ${job.id} failed: ${(error as Error).name}: ${(error as Error).message}`);
    }
  } finally {
    release();
  }
}

function track(work: Promise<void>): void {
  const s = state();
  s.inFlight.add(work);
  void work.finally(() => s.inFlight.delete(work));
}

/**
 * Starts every job triggered by the event, in the background; an event with a future `ts` is
 * held until then (as Inngest does).
 */
export function dispatchInProcess(event: JobEvent, options: RunnerOptions = {}): void {
  const s = state();
  if (s.refused) throw new JobsRefusedError(s.refused);
  const now = options.now ?? Date.now;
  if (event.ts !== undefined && event.ts > now()) {
    const timer = setTimeout(() => {
      s.scheduled.delete(timer);
      dispatchInProcess({ ...event, ts: undefined }, options);
    }, event.ts - now());
    timer.unref?.();
    s.scheduled.set(timer, { event, options });
    return;
  }
  for (const compiled of s.jobs) {
    const { trigger } = compiled.job;
    if (!("event" in trigger) || trigger.event !== event.name) continue;
    track(execute(compiled, event, options));
  }
}

/** Dispatches every delayed event now (tests; the scheduler's own timers do this when due). */
export function dispatchDelayedEventsNow(): number {
  const s = state();
  const due = [...s.scheduled.entries()];
  for (const [timer, { event, options }] of due) {
    clearTimeout(timer);
    s.scheduled.delete(timer);
    dispatchInProcess({ ...event, ts: undefined }, options);
  }
  return due.length;
}

/** Runs a cron job now (the scheduler calls this; tests and the README's scripts may too). */
export function runCronJobInProcess(jobId: string, options: RunnerOptions = {}): Promise<void> {
  const refused = state().refused;
  if (refused) return Promise.reject(new JobsRefusedError(refused));
  const job = state().jobs.find((j) => j.job.id === jobId && "cron" in j.job.trigger);
  if (!job) throw new Error(`No cron job ${jobId}`);
  const run = execute(job, { name: "inngest/scheduled.timer", data: {} }, options);
  track(run);
  return run;
}

/** Resolves when nothing is running or queued (runs started meanwhile are awaited too). */
export async function drainInProcessJobs(): Promise<void> {
  const s = state();
  while (s.inFlight.size > 0) await Promise.allSettled([...s.inFlight]);
}

export function startInProcessScheduler(): void {
  const s = state();
  if (s.crons.length > 0) return;
  for (const { job } of s.jobs) {
    if ("cron" in job.trigger) {
      const id = job.id;
      // protect: a slow run is not overlapped by the next tick.
      s.crons.push(new Cron(job.trigger.cron, { protect: true }, () => runCronJobInProcess(id)));
    }
  }
}

export function stopInProcessScheduler(): void {
  const s = state();
  for (const cron of s.crons) cron.stop();
  s.crons = [];
  for (const timer of s.scheduled.keys()) clearTimeout(timer);
  s.scheduled.clear();
}
