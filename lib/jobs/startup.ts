import { config } from "@/lib/config";
import { interruptedSyncRuns } from "@/lib/sync/schedule";
import { connectionConnected, syncRequested } from "./events";
import { dispatchInProcess, registerInProcessJobs, startInProcessScheduler } from "./in-process";
import { jobs } from "./index";
import { connectEventsToJobs } from "./send";

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
  registerInProcessJobs(jobs.map((j) => j.definition));
  startInProcessScheduler();
  const interrupted = await interruptedSyncRuns();
  for (const run of interrupted) {
    const name = run.kind === "backfill" ? connectionConnected.name : syncRequested.name;
    dispatchInProcess({ name, data: { connectionId: run.connectionId, syncRunId: run.syncRunId } });
  }
  console.info(
    `[jobs] Running jobs in-process (development mode; set INNGEST_DEV=1 or INNGEST_EVENT_KEY to use Inngest).` +
      (interrupted.length ? ` Resumed ${interrupted.length} interrupted sync run(s).` : ""),
  );
}
