import { defineJob } from "../define";
import { runPlan } from "../plan-steps";

/**
 * Every two hours (the help page's "roughly every 2 hours"): one sync event per active connection,
 * each due at its connection's own offset in the window; a connection whose backfill never
 * completed gets its backfill instead.
 */
export default defineJob({
  id: "poll-connections",
  trigger: { cron: "0 */2 * * *" },
  retries: 2,
  handler: ({ step }) => runPlan(step, "polls", { after: null, startedAt: null }),
});
