import { connectionConnected } from "@/lib/events";
import { subscribeConnectionWebhooks } from "@/lib/webhooks/subscriptions";
import { defineJob } from "../define";
import { ONE_STEP_AT_A_TIME_PER_CONNECTION } from "../flow-control-settings";

/**
 * On connect and reconnect, for providers with per-user subscriptions (Withings): a new callback
 * token, our older callbacks revoked, each granted appli subscribed. Other providers: nothing.
 */
export default defineJob({
  id: "subscribe-connection-webhooks",
  trigger: { event: connectionConnected },
  retries: 4,
  // The same per-connection rule as every other function that touches a connection's tokens.
  concurrency: ONE_STEP_AT_A_TIME_PER_CONNECTION,
  handler: ({ event, step }) =>
    step.run("subscribe-webhooks", () => subscribeConnectionWebhooks(event.data.connectionId)),
});
