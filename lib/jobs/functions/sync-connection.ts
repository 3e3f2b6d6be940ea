import { defineJob } from "../define";
import { syncRequested } from "../events";
import { recordSyncFailure, runSyncSteps } from "../sync-steps";

/** A sync of a recent range: the ⟳ "Sync now" button, polling and webhooks all end here. */
export default defineJob({
  id: "sync-connection",
  trigger: { event: syncRequested },
  retries: 4,
  concurrency: { key: "event.data.connectionId", limit: 1 },
  handler: ({ event, step }) => runSyncSteps(step, event.data.syncRunId),
  onFailure: ({ event, error }) => recordSyncFailure(event.data.syncRunId, error),
});
