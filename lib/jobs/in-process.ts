import { Cron } from "croner";
import { NonRetriableError, RetryAfterError } from "inngest";
import type { JobDefinition, JobStep } from "./define";
import type { JobEvent } from "./events";

/**
 * Development job runner: executes the same job definitions inside this process when no Inngest
 * server is configured (the embedded default). It honours retries, RetryAfterError,
 * NonRetriableError, per-key concurrency of 1, onFailure and cron triggers. It keeps its queue
 * in memory, so it is for one process only; production runs on Inngest.
 */

interface RunnerState {
  /** Per concurrency key, the tail of the chain of runs waiting for that key. */
  chains: Map<string, Promise<void>>;
  inFlight: Set<Promise<void>>;
  crons: Cron[];
  jobs: JobDefinition[];
}

const STATE = Symbol.for("wearables.jobs.in-process");
type GlobalWithRunner = typeof globalThis & { [STATE]?: RunnerState };

function state(): RunnerState {
  const g = globalThis as GlobalWithRunner;
  g[STATE] ??= { chains: new Map(), inFlight: new Set(), crons: [], jobs: [] };
  return g[STATE];
}

export function registerInProcessJobs(jobs: JobDefinition[]): void {
  state().jobs = jobs;
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

/** Evaluates the tiny subset of Inngest key expressions we use ("event.data.connectionId"). */
function concurrencyKey(job: JobDefinition, event: JobEvent): string {
  const key = job.concurrency?.key;
  if (!key) return `${job.id}:${crypto.randomUUID()}`;
  const value = key
    .replace(/^event\./, "")
    .split(".")
    .reduce<unknown>(
      (obj: unknown, part: string) =>
        obj && typeof obj === "object" ? (obj as Record<string, unknown>)[part] : undefined,
      event,
    );
  return `${job.id}:${String(value)}`;
}

export interface RunnerOptions {
  /** Tests replace waiting (RetryAfter, backoff, step.sleep) with a recorder. */
  sleep?: (ms: number) => Promise<void>;
}

async function execute(
  job: JobDefinition,
  event: { name: string; data: unknown },
  options: RunnerOptions,
): Promise<void> {
  const sleep = options.sleep ?? delay;
  const step: JobStep = {
    run: (_id, fn) => withRetries(job.retries, fn, sleep),
    sleep: (_id, ms) => sleep(ms),
    sendEvent: async (_id, events) => {
      for (const e of Array.isArray(events) ? events : [events]) dispatchInProcess(e, options);
      return { ids: [] };
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
  }
}

function track(work: Promise<void>): void {
  const s = state();
  s.inFlight.add(work);
  void work.finally(() => s.inFlight.delete(work));
}

/** Starts every job triggered by the event, in the background. */
export function dispatchInProcess(event: JobEvent, options: RunnerOptions = {}): void {
  const s = state();
  for (const job of s.jobs) {
    if (!("event" in job.trigger) || job.trigger.event !== event.name) continue;
    const key = concurrencyKey(job, event);
    const previous = s.chains.get(key) ?? Promise.resolve();
    const run = previous.then(() => execute(job, event, options));
    s.chains.set(key, run);
    void run.finally(() => {
      if (s.chains.get(key) === run) s.chains.delete(key);
    });
    track(run);
  }
}

/** Runs a cron job now (the scheduler calls this; tests and the README's scripts may too). */
export function runCronJobInProcess(jobId: string, options: RunnerOptions = {}): Promise<void> {
  const job = state().jobs.find((j) => j.id === jobId && "cron" in j.trigger);
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
  for (const job of s.jobs) {
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
}
