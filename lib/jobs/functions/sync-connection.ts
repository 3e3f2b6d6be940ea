import { defineJob } from "../define";
import { SYNC_THROTTLE_PER_PROVIDER, ONE_STEP_AT_A_TIME_PER_CONNECTION } from "../flow-control-settings";
import { syncRequested } from "../events";
import { recordSyncFailure, runSyncSteps } from "../sync-steps";

/** A sync of a recent range: the ⟳ "Sync now" button, polling and webhooks all end here. */
export default defineJob({
  id: "sync-connection",
  trigger: { event: syncRequested },
  retries: 4,
  // One step at a time per connection across every function that touches it, so two runs never
  // refresh or write the same rows at once; run starts spaced per provider (app-wide rate limits).
  concurrency: ONE_STEP_AT_A_TIME_PER_CONNECTION,
  throttle: SYNC_THROTTLE_PER_PROVIDER,
  handler: ({ event, step }) => runSyncSteps(step, event.data.syncRunId),
  onFailure: ({ event, error }) => recordSyncFailure(event.data.syncRunId, error),
});
