import { ProviderError } from "@/lib/providers/errors";
import { failSyncRun } from "./engine";

/** Waits between enqueue attempts: a brief outage of the event API should not cost a sync. */
const ENQUEUE_BACKOFF_MS = [250, 1000, 4000];

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Sends a sync run's job event, retrying a few times. Every failure is logged (the error's name
 * and message only: events carry ids, never tokens). When every attempt fails the run is failed
 * with a reason, so its connection is no longer busy and the poll planner queues it again (a
 * connection whose backfill never ran gets a backfill, see planPollBatch).
 */
export async function enqueueSyncRun(
  syncRunId: string,
  send: () => Promise<void>,
  options: { backoffMs?: number[]; sleep?: (ms: number) => Promise<void> } = {},
): Promise<boolean> {
  const backoff = options.backoffMs ?? ENQUEUE_BACKOFF_MS;
  const sleep = options.sleep ?? delay;
  for (let attempt = 0; ; attempt++) {
    try {
      await send();
      return true;
    } catch (error) {
      const { name, message } = error instanceof Error ? error : { name: "Error", message: String(error) };
      const last = attempt >= backoff.length;
      console.error(
        `[jobs] Could not queue sync run ${syncRunId} (attempt ${attempt + 1} of ${backoff.length + 1}): ${name}: ${message}` +
          (last ? "; giving up, the next poll queues it again" : ""),
      );
      if (last) {
        await failSyncRun(syncRunId, new ProviderError("Could not queue the sync job; the next poll queues it again"));
        return false;
      }
      await sleep(backoff[attempt]!);
    }
  }
}
