import { config } from "@/lib/config";
import { interruptedSyncRuns } from "@/lib/sync/schedule";
import { connectionConnected, syncRequested } from "./events";
import {
  dispatchInProcess,
  refuseInProcessJobs,
  registerInProcessJobs,
  runCronJobInProcess,
  startInProcessScheduler,
} from "./in-process";
import { acquireRunnerLock } from "./runner-lock";
import { jobs } from "./index";
import { connectEventsToJobs } from "./send";

const ENSURE_WEBHOOK_SUBSCRIPTIONS = "ensure-webhook-subscriptions";
const ENSURE_WEBHOOK_SUBSCRIPTIONS_AFTER_MS = 15_000;

/**
 * Called once per server process (instrumentation.ts). With the in-process runner it starts the
 * cron schedules and resumes sync runs a previous process left unfinished. With Inngest there is
 * nothing to start: Inngest calls /api/inngest.
 */
export async function startBackgroundWork(): Promise<void> {
  const cfg = config();
  connectEventsToJobs();
  if (cfg.jobRunner !== "in-process") {
    console.info("[jobs] Jobs run on Inngest (served at /api/inngest).");
    return;
  }
  // One runner per database: a second instance would double every cron and resume our runs.
  const lock = await acquireRunnerLock(cfg.databaseUrl, {
    onLost: (reason) => {
      console.error(`[jobs] ${reason}`);
      refuseInProcessJobs(reason);
    },
  });
  if (!lock.acquired) {
    console.error(`\n✖ [jobs] ${lock.reason}\n`);
    refuseInProcessJobs(lock.reason);
    return;
  }
  registerInProcessJobs(jobs.map((j) => j.definition));
  startInProcessScheduler();
  // App-level webhook subscriptions (Oura) once the server listens: the provider calls our callback
  // to verify it before it answers. The hourly cron keeps them in place afterwards.
  setTimeout(() => {
    runCronJobInProcess(ENSURE_WEBHOOK_SUBSCRIPTIONS).catch((error: unknown) =>
      console.error(`[jobs] Webhook subscriptions not ensured: ${(error as Error).message}`),
    );
  }, ENSURE_WEBHOOK_SUBSCRIPTIONS_AFTER_MS).unref();
  const interrupted = await interruptedSyncRuns();
  for (const run of interrupted) {
    const name = run.kind === "backfill" ? connectionConnected.name : syncRequested.name;
    const { connectionId, syncRunId, provider } = run;
    dispatchInProcess({ name, data: { connectionId, syncRunId, provider }, ts: run.dueAt ?? undefined });
  }
  console.info(
    `[jobs] Running jobs in-process (development mode; set INNGEST_DEV=1 or INNGEST_EVENT_KEY to use Inngest).` +
      (interrupted.length ? ` Resumed ${interrupted.length} interrupted sync run(s).` : ""),
  );
}
