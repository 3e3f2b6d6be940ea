import { inngest } from "./client";
import type { JobEvent } from "./events";

/**
 * A job is written once against this small step API (a subset of Inngest's) and becomes both an
 * Inngest function (served at /api/inngest) and something the in-process runner can execute when
 * no Inngest server is configured. The handler is the same code either way.
 */
export interface JobStep {
  run<T>(id: string, fn: () => Promise<T>): Promise<T>;
  sleep(id: string, durationMs: number): Promise<void>;
  sendEvent(id: string, events: JobEvent | JobEvent[]): Promise<unknown>;
}

export interface JobContext<TData> {
  event: { name: string; data: TData };
  step: JobStep;
}

export type JobTrigger = { event: string } | { cron: string };

export interface JobDefinition<TData = any> {
  id: string;
  trigger: JobTrigger;
  retries: number;
  /** Same shape as Inngest's concurrency option; the in-process runner honours `key` with limit 1. */
  concurrency?: { key: string; limit: number };
  handler(ctx: JobContext<TData>): Promise<unknown>;
  /** Runs once the retries are exhausted, with the original event. */
  onFailure?(ctx: { event: { name: string; data: TData }; error: unknown }): Promise<void>;
}

export function defineJob<TData>(definition: JobDefinition<TData>) {
  const inngestFunction = inngest.createFunction(
    {
      id: definition.id,
      triggers: [definition.trigger],
      retries: definition.retries as 0,
      concurrency: definition.concurrency,
      onFailure: definition.onFailure
        ? async ({ event, error }: { event: { data: { event: { name: string; data: unknown } } }; error: unknown }) =>
            definition.onFailure!({ event: event.data.event as { name: string; data: TData }, error })
        : undefined,
    } as never,
    ((ctx: { event: { name: string; data: TData }; step: unknown }) =>
      definition.handler({ event: ctx.event, step: ctx.step as JobStep })) as never,
  );
  return { definition: definition as JobDefinition<unknown>, inngestFunction };
}

export type Job = ReturnType<typeof defineJob>;
