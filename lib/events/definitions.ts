import { eventType, type EventType } from "inngest";
import { z } from "zod";

/**
 * Every event the app emits, declared once with its payload schema. Services send them through
 * `sendEvent` (./sender); jobs (lib/jobs) trigger on these same objects, so the payload a service
 * builds and the one a job reads are one type.
 */
// `provider` keys the per-provider throttle: provider rate limits are per application, not per user.
export const connectionConnected = eventType("wearables/connection.connected", {
  schema: z.object({ connectionId: z.uuid(), syncRunId: z.uuid(), provider: z.string().min(1) }),
});

export const syncRequested = eventType("wearables/sync.requested", {
  schema: z.object({ connectionId: z.uuid(), syncRunId: z.uuid(), provider: z.string().min(1) }),
});

/** One connection's access token expires soon (fanned out by the refresh-expiring-tokens cron). */
export const tokenRefreshRequested = eventType("wearables/token.refresh-requested", {
  schema: z.object({ connectionId: z.uuid(), provider: z.string().min(1) }),
});

/**
 * A cron's plan continues in a new run after the keyset cursor `after`, so no run exceeds
 * Inngest's steps-per-run cap however many connections there are; `startedAt` pins the plan's clock.
 */
export const planContinued = eventType("wearables/plan.continued", {
  schema: z.object({
    plan: z.enum(["polls", "token-refreshes"]),
    after: z.string().min(1),
    startedAt: z.number().int(),
  }),
});

/**
 * A verified notification is in the webhook inbox (`inboxId`); its processing fetches only what
 * changed. Sent with the inbox id as the event id, so a re-sent event is dropped by Inngest.
 */
export const webhookReceived = eventType("wearables/webhook.received", {
  schema: z.object({ inboxId: z.uuid(), connectionId: z.uuid(), provider: z.string().min(1) }),
});

/** An event type whose payload is an object schema (what a job may trigger on). */
export type AnyEventType = EventType<string, z.ZodType<Record<string, unknown>, Record<string, unknown>>>;

/**
 * The `{ name, data }` an event type describes; `ts` (ms since the epoch) delays it, and `id`
 * deduplicates it (Inngest drops an event whose id it saw in the last 24 hours), as in Inngest.
 */
export type EventOf<E extends AnyEventType> = {
  name: E["name"];
  data: z.output<E["schema"]>;
  ts?: number;
  id?: string;
};

/** Every event type; add a new one here so `AppEvent` (what may be sent) knows it. */
export const appEventTypes = [
  connectionConnected,
  syncRequested,
  tokenRefreshRequested,
  planContinued,
  webhookReceived,
] as const;

type AppEventType = (typeof appEventTypes)[number];

/** Any event the app sends: a wrong name or payload is a type error. */
export type AppEvent = AppEventType extends infer E ? (E extends AnyEventType ? EventOf<E> : never) : never;
