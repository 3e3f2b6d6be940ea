import { config } from "@/lib/config";
import { configureEventSender, type AppEvent } from "@/lib/events";
import { inngest } from "./client";
import { dispatchInProcess, registerInProcessJobs } from "./in-process";
import { jobs } from "./index";

/** Sends a job event to Inngest, or runs its jobs in this process when no Inngest is configured. */
export async function sendJobEvent(event: AppEvent): Promise<void> {
  if (config().jobRunner === "inngest") {
    await inngest.send(event);
    return;
  }
  registerInProcessJobs(jobs.map((j) => j.definition));
  dispatchInProcess(event);
}

/**
 * Makes the services' event sender (lib/events) deliver to these jobs. Called once per process at
 * startup (and by the integration-test setup, which plays the server's part).
 */
export function connectEventsToJobs(): void {
  configureEventSender(sendJobEvent);
}
