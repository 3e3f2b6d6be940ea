import { pruneSyncRunsBatch } from "@/lib/sync/schedule";
import { defineJob } from "../define";

const MAX_BATCHES = 200;

/**
 * Daily: sync runs older than the retention period are added to their connection's monthly
 * summary and deleted, so the sync history stays small per user and the totals stay known.
 */
export default defineJob({
  id: "prune-sync-runs",
  trigger: { cron: "17 3 * * *" },
  retries: 2,
  handler: async ({ step }) => {
    let pruned = 0;
    for (let i = 0; i < MAX_BATCHES; i++) {
      const n = await step.run(`prune-old-runs-${i}`, () => pruneSyncRunsBatch());
      pruned += n;
      if (n === 0) break;
    }
    return { pruned };
  },
});
