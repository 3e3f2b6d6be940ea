import { eventType, type EventType } from "inngest";
import { z } from "zod";

/**
 * Every event the app emits, declared once with its payload schema. Services send them through
 * `sendEvent` (./sender); jobs (lib/jobs) trigger on these same objects, so the payload a service
 * builds and the one a job reads are one type.
 */
export const connectionConnected = eventType("wearables/connection.connected", {
  schema: z.object({ connectionId: z.uuid(), syncRunId: z.uuid() }),
});

export const syncRequested = eventType("wearables/sync.requested", {
  schema: z.object({ connectionId: z.uuid(), syncRunId: z.uuid() }),
});

/** An event type whose payload is an object schema (what a job may trigger on). */
export type AnyEventType = EventType<string, z.ZodType<Record<string, unknown>, Record<string, unknown>>>;

/** The `{ name, data }` an event type describes; `ts` (ms since the epoch) delays it, as in Inngest. */
export type EventOf<E extends AnyEventType> = { name: E["name"]; data: z.output<E["schema"]>; ts?: number };

/** Every event type; add a new one here so `AppEvent` (what may be sent) knows it. */
export const appEventTypes = [connectionConnected, syncRequested] as const;

type AppEventType = (typeof appEventTypes)[number];

/** Any event the app sends: a wrong name or payload is a type error. */
export type AppEvent = AppEventType extends infer E ? (E extends AnyEventType ? EventOf<E> : never) : never;
