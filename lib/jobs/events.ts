import { eventType } from "inngest";
import { z } from "zod";

/** Events are declared once; functions trigger on them and senders build them from them. */

export const connectionConnected = eventType("wearables/connection.connected", {
  schema: z.object({ connectionId: z.uuid(), syncRunId: z.uuid() }),
});

export const syncRequested = eventType("wearables/sync.requested", {
  schema: z.object({ connectionId: z.uuid(), syncRunId: z.uuid() }),
});

export type JobEvent =
  | { name: typeof connectionConnected.name; data: z.infer<typeof connectionConnected.schema> }
  | { name: typeof syncRequested.name; data: z.infer<typeof syncRequested.schema> };
