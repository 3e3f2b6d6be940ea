import { NonRetriableError, RetryAfterError } from "inngest";
import { ConnectionUnavailableError } from "@/lib/connections/tokens";
import { ProviderAuthError, ProviderRateLimitError } from "@/lib/providers/errors";
import {
  collectionsFor,
  failSyncRun,
  finishSyncRun,
  loadSyncRun,
  markSyncRunRunning,
  syncCollectionForRun,
} from "@/lib/sync/engine";
import type { MappingContext } from "@/lib/providers/types";
import type { JobStep } from "./define";

/** Turns provider outcomes into retry decisions: wait on rate limits, stop on refused access. */
async function asStepOutcome<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof ProviderRateLimitError) {
      throw new RetryAfterError(error.message, error.retryAfterSeconds * 1000, { cause: error });
    }
    if (error instanceof ProviderAuthError || error instanceof ConnectionUnavailableError) {
      throw new NonRetriableError(error.message, { cause: error });
    }
    throw error;
  }
}

/**
 * The steps of one sync run: one step per collection (so a retry repeats only the collection that
 * failed), carrying the mapping context from one step to the next.
 */
export async function runSyncSteps(
  step: JobStep,
  syncRunId: string,
): Promise<{ recordsFetched: number; metricsWritten: number }> {
  const provider = await step.run("start-sync-run", async () => {
    const run = await loadSyncRun(syncRunId);
    await markSyncRunRunning(syncRunId);
    return run.provider;
  });
  let ctx: MappingContext = {};
  let recordsFetched = 0;
  let metricsWritten = 0;
  for (const collection of collectionsFor(provider)) {
    const result = await step.run(`sync-${collection.id}`, () =>
      asStepOutcome(() => syncCollectionForRun(syncRunId, collection.id, ctx)),
    );
    ctx = result.ctx;
    recordsFetched += result.recordsFetched;
    metricsWritten += result.metricsWritten;
  }
  await step.run("finish-sync-run", () => finishSyncRun(syncRunId));
  return { recordsFetched, metricsWritten };
}

export async function recordSyncFailure(syncRunId: string, error: unknown): Promise<void> {
  const cause = error instanceof Error && error.cause !== undefined ? error.cause : error;
  await failSyncRun(syncRunId, cause);
}
