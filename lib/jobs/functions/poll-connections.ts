import { planPollSyncs } from "@/lib/sync/schedule";
import { defineJob } from "../define";
import { syncRequested } from "../events";

/** Every two hours (the help page's "roughly every 2 hours"): one sync event per active connection. */
export default defineJob({
  id: "poll-connections",
  trigger: { cron: "0 */2 * * *" },
  retries: 2,
  handler: async ({ step }) => {
    const planned = await step.run("plan-poll-syncs", () => planPollSyncs());
    if (planned.length) {
      await step.sendEvent(
        "fan-out-sync-requests",
        planned.map((data) => ({ name: syncRequested.name, data })),
      );
    }
    return { connections: planned.length };
  },
});
