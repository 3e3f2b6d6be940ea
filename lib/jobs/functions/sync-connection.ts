import { defineJob } from "../define";
import { syncRequested, type JobEvent } from "../events";
import { recordSyncFailure, runSyncSteps } from "../sync-steps";

type Data = Extract<JobEvent, { name: "wearables/sync.requested" }>["data"];

/** A sync of a recent range: the ⟳ "Sync now" button, polling and webhooks all end here. */
export default defineJob<Data>({
  id: "sync-connection",
  trigger: { event: syncRequested.name },
  retries: 4,
  concurrency: { key: "event.data.connectionId", limit: 1 },
  handler: ({ event, step }) => runSyncSteps(step, event.data.syncRunId),
  onFailure: ({ event, error }) => recordSyncFailure(event.data.syncRunId, error),
});
