import { defineJob } from "../define";
import { connectionConnected, type JobEvent } from "../events";
import { recordSyncFailure, runSyncSteps } from "../sync-steps";

type Data = Extract<JobEvent, { name: "wearables/connection.connected" }>["data"];

/** On connect: fetch the provider's last 30 days of every collection and record progress. */
export default defineJob<Data>({
  id: "backfill-connection",
  trigger: { event: connectionConnected.name },
  retries: 4,
  // One sync at a time per connection, so two runs never refresh or write the same rows at once.
  concurrency: { key: "event.data.connectionId", limit: 1 },
  handler: ({ event, step }) => runSyncSteps(step, event.data.syncRunId),
  onFailure: ({ event, error }) => recordSyncFailure(event.data.syncRunId, error),
});
