import backfillConnection from "./functions/backfill-connection";
import continuePlan from "./functions/continue-plan";
import deliverSandboxWebhooks from "./functions/deliver-sandbox-webhooks";
import pollConnections from "./functions/poll-connections";
import processWebhook from "./functions/process-webhook";
import ensureWebhookSubscriptions from "./functions/ensure-webhook-subscriptions";
import renewWebhookSubscriptions from "./functions/renew-webhook-subscriptions";
import subscribeConnectionWebhooks from "./functions/subscribe-connection-webhooks";
import pruneSyncRuns from "./functions/prune-sync-runs";
import reapSyncRuns from "./functions/reap-sync-runs";
import refreshConnectionTokens from "./functions/refresh-connection-tokens";
import refreshExpiringTokens from "./functions/refresh-expiring-tokens";
import syncConnection from "./functions/sync-connection";
import uploadSandboxDays from "./functions/upload-sandbox-days";

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
  ensureWebhookSubscriptions,
  renewWebhookSubscriptions,
  subscribeConnectionWebhooks,
  deliverSandboxWebhooks,
  uploadSandboxDays,
];

export const inngestFunctions = jobs.map((job) => job.inngestFunction);
