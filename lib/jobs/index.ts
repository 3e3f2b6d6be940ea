import backfillConnection from "./functions/backfill-connection";
import pollConnections from "./functions/poll-connections";
import refreshExpiringTokens from "./functions/refresh-expiring-tokens";
import syncConnection from "./functions/sync-connection";

/** Every job; /api/inngest serves their Inngest functions and the in-process runner their definitions. */
export const jobs = [backfillConnection, syncConnection, pollConnections, refreshExpiringTokens];

export const inngestFunctions = jobs.map((job) => job.inngestFunction);
