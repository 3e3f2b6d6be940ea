import type { InngestFunction } from "inngest";
import type { AnyEventType, AppEvent, EventOf } from "@/lib/events/definitions";
import { inngest } from "./client";
import type { ConcurrencyOptions, ThrottleOptions } from "./flow-control";

/**
 * A job is written once against this small step API (a subset of Inngest's) and becomes both an
 * Inngest function (served at /api/inngest) and something the in-process runner can execute when
 * no Inngest server is configured. The handler is the same code either way.
 */
export interface JobStep {
  run<T>(id: string, fn: () => Promise<T>): Promise<T>;
  sleep(id: string, durationMs: number): Promise<void>;
  sendEvent(id: string, events: AppEvent | AppEvent[]): Promise<unknown>;
}

export interface JobContext<TData> {
  event: { name: string; data: TData };
  step: JobStep;
}

type Retries = NonNullable<InngestFunction.Options["retries"]>;

interface JobOptions {
  id: string;
  retries: Retries;
  /** Inngest's concurrency option (key, limit, scope); the in-process runner honours it the same way. */
  concurrency?: ConcurrencyOptions;
  /** Inngest's throttle (run starts per period, per key); the in-process runner honours it too. */
  throttle?: ThrottleOptions;
}

/** A job triggered by an event type: its handler reads that event's payload type. */
export interface EventJobSpec<E extends AnyEventType> extends JobOptions {
  trigger: { event: E };
  handler: (ctx: JobContext<EventOf<E>["data"]>) => Promise<unknown>;
  /** Runs once the retries are exhausted, with the original event. */
  onFailure?: (ctx: { event: EventOf<E>; error: unknown }) => Promise<void>;
}

export interface CronJobSpec extends JobOptions {
  trigger: { cron: string };
  handler: (ctx: JobContext<Record<string, never>>) => Promise<unknown>;
  onFailure?: (ctx: { event: { name: string; data: Record<string, never> }; error: unknown }) => Promise<void>;
}

export type JobTrigger = { event: string } | { cron: string };

/** What the in-process runner executes: the same job, its trigger reduced to the event name. */
// The runner holds jobs of every event type; each handler only ever receives its own event's data.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export interface JobDefinition<TData = any> {
  id: string;
  trigger: JobTrigger;
  retries: number;
  concurrency?: ConcurrencyOptions;
  throttle?: ThrottleOptions;
  handler(ctx: JobContext<TData>): Promise<unknown>;
  onFailure?(ctx: { event: { name: string; data: TData }; error: unknown }): Promise<void>;
}

/** Inngest's step tools, seen through the subset jobs use. */
interface InngestSteps {
  run(id: string, fn: () => Promise<unknown>): Promise<unknown>;
  sleep(id: string, duration: number): Promise<unknown>;
  sendEvent(id: string, events: AppEvent | AppEvent[]): Promise<unknown>;
}

export function defineJob<E extends AnyEventType>(spec: EventJobSpec<E>): Job;
export function defineJob(spec: CronJobSpec): Job;
export function defineJob(spec: EventJobSpec<AnyEventType> | CronJobSpec): Job {
  const definition: JobDefinition = {
    id: spec.id,
    trigger: "event" in spec.trigger ? { event: spec.trigger.event.name } : { cron: spec.trigger.cron },
    retries: spec.retries,
    concurrency: spec.concurrency,
    throttle: spec.throttle,
    handler: spec.handler as JobDefinition["handler"],
    onFailure: spec.onFailure,
  };
  const steps = (step: InngestSteps): JobStep => ({
    // Inngest memoises a step's result as JSON; our results are JSON-shaped (ids, counts, plain records).
    run: (id, fn) => step.run(id, fn) as Promise<never>,
    sleep: async (id, ms) => void (await step.sleep(id, ms)),
    sendEvent: (id, events) => step.sendEvent(id, events),
  });
  const inngestFunction = inngest.createFunction(
    {
      id: spec.id,
      triggers: ["event" in spec.trigger ? spec.trigger.event : { cron: spec.trigger.cron }],
      retries: spec.retries,
      concurrency: spec.concurrency,
      throttle: spec.throttle,
      onFailure: definition.onFailure
        ? async ({ event, error }: { event: { data: { event: { name: string; data: unknown } } }; error: unknown }) =>
            definition.onFailure!({ event: event.data.event, error })
        : undefined,
    },
    async ({ event, step }) =>
      definition.handler({
        event: { name: event.name, data: event.data },
        step: steps(step as unknown as InngestSteps),
      }),
  );
  return { definition, inngestFunction };
}

export interface Job {
  definition: JobDefinition;
  inngestFunction: InngestFunction.Any;
}
