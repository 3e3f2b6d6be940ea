import { defineJob } from "../define";
import { BACKFILL_THROTTLE_PER_PROVIDER, ONE_STEP_AT_A_TIME_PER_CONNECTION } from "../flow-control-settings";
import { connectionConnected } from "../events";
import { recordSyncFailure, runSyncSteps } from "../sync-steps";

/** On connect: fetch the provider's last 30 days of every collection and record progress. */
export default defineJob({
  id: "backfill-connection",
  trigger: { event: connectionConnected },
  retries: 4,
  // One step at a time per connection across every function that touches it, so two runs never
  // refresh or write the same rows at once; run starts spaced per provider (app-wide rate limits).
  concurrency: ONE_STEP_AT_A_TIME_PER_CONNECTION,
  throttle: BACKFILL_THROTTLE_PER_PROVIDER,
  handler: ({ event, step }) => runSyncSteps(step, event.data.syncRunId),
  onFailure: ({ event, error }) => recordSyncFailure(event.data.syncRunId, error),
});
