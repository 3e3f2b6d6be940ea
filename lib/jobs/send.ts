import { config } from "@/lib/config";
import { inngest } from "./client";
import type { JobEvent } from "./events";
import { dispatchInProcess, registerInProcessJobs } from "./in-process";
import { jobs } from "./index";

/** Sends a job event to Inngest, or runs its jobs in this process when no Inngest is configured. */
export async function sendJobEvent(event: JobEvent): Promise<void> {
  if (config().jobRunner === "inngest") {
    await inngest.send(event);
    return;
  }
  registerInProcessJobs(jobs.map((j) => j.definition));
  dispatchInProcess(event);
}
