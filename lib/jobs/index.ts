import backfillConnection from "./functions/backfill-connection";
import continuePlan from "./functions/continue-plan";
import pollConnections from "./functions/poll-connections";
import processWebhook from "./functions/process-webhook";
import pruneSyncRuns from "./functions/prune-sync-runs";
import reapSyncRuns from "./functions/reap-sync-runs";
import refreshConnectionTokens from "./functions/refresh-connection-tokens";
import refreshExpiringTokens from "./functions/refresh-expiring-tokens";
import syncConnection from "./functions/sync-connection";

/** Every job; /api/inngest serves their Inngest functions and the in-process runner their definitions. */
export const jobs = [
  backfillConnection,
  syncConnection,
  refreshConnectionTokens,
  pollConnections,
  refreshExpiringTokens,
  continuePlan,
  reapSyncRuns,
  pruneSyncRuns,
  processWebhook,
];

export const inngestFunctions = jobs.map((job) => job.inngestFunction);
