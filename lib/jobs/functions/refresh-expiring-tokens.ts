import { defineJob } from "../define";
import { runPlan } from "../plan-steps";

/**
 * Every half hour: one refresh event per connection whose token expires within the hour, so syncs
 * and webhooks find working tokens. Each refresh is its own run (refresh-connection-tokens).
 */
export default defineJob({
  id: "refresh-expiring-tokens",
  trigger: { cron: "*/30 * * * *" },
  retries: 2,
  handler: ({ step }) => runPlan(step, "token-refreshes", { after: null, startedAt: null }),
});
