import type { AppEvent } from "./definitions";

/**
 * The one way a service asks for work to be done later: `sendEvent(event)`. Where the event goes
 * (Inngest, or the in-process runner) is decided by lib/jobs, which configures the sender when the
 * server starts; services never import lib/jobs. The sender is kept on globalThis because Next.js
 * may load this module once per route bundle.
 */
export type EventSender = (event: AppEvent) => Promise<void>;

const SENDER = Symbol.for("wearables.events.sender");
type GlobalWithSender = typeof globalThis & { [SENDER]?: EventSender };

export class EventSenderMissingError extends Error {
  override name = "EventSenderMissingError";
}

export function configureEventSender(sender: EventSender): void {
  (globalThis as GlobalWithSender)[SENDER] = sender;
}

export async function sendEvent(event: AppEvent): Promise<void> {
  const sender = (globalThis as GlobalWithSender)[SENDER];
  if (!sender) throw new EventSenderMissingError("No event sender is configured (lib/jobs configures it at startup)");
  await sender(event);
}
