import { PLAN_BATCH_SIZE, reapOverdueSyncRuns } from "@/lib/sync/schedule";
import { defineJob } from "../define";

const MAX_BATCHES = 50;

/**
 * Every ten minutes: fails runs still queued or running past their deadline (an event never
 * delivered, a cancelled run, a killed worker), so their connections are polled again.
 */
export default defineJob({
  id: "reap-sync-runs",
  trigger: { cron: "*/10 * * * *" },
  retries: 2,
  handler: async ({ step }) => {
    let reaped = 0;
    for (let i = 0; i < MAX_BATCHES; i++) {
      const ids = await step.run(`reap-overdue-runs-${i}`, () => reapOverdueSyncRuns());
      reaped += ids.length;
      if (ids.length < PLAN_BATCH_SIZE) break;
    }
    if (reaped) console.warn(`[jobs] Reaped ${reaped} sync run(s) that did not finish before their deadline.`);
    return { reaped };
  },
});
