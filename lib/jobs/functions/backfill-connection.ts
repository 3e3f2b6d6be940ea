import { defineJob } from "../define";
import { connectionConnected } from "../events";
import { recordSyncFailure, runSyncSteps } from "../sync-steps";

/** On connect: fetch the provider's last 30 days of every collection and record progress. */
export default defineJob({
  id: "backfill-connection",
  trigger: { event: connectionConnected },
  retries: 4,
  // One sync at a time per connection, so two runs never refresh or write the same rows at once.
  concurrency: { key: "event.data.connectionId", limit: 1 },
  handler: ({ event, step }) => runSyncSteps(step, event.data.syncRunId),
  onFailure: ({ event, error }) => recordSyncFailure(event.data.syncRunId, error),
});
