import { NonRetriableError, RetryAfterError } from "inngest";
import { ConnectionUnavailableError } from "@/lib/connections/tokens";
import {
  ProviderAuthError,
  ProviderClientError,
  ProviderPayloadError,
  ProviderRateLimitError,
} from "@/lib/providers/errors";
import {
  aggregateCollectionForRun,
  collectionsForRun,
  completeCollection,
  failSyncRun,
  finishSyncRun,
  markSyncRunRunning,
  syncCollectionPage,
  type PageResult,
} from "@/lib/sync/engine";
import type { MappingContext } from "@/lib/providers/types";
import type { JobStep } from "./define";

/** Inngest runs at most 1,000 steps per run; no collection may take them all. */
const MAX_PAGE_STEPS_PER_COLLECTION = 400;

/**
 * Turns provider outcomes into retry decisions: wait as long as the provider asked on rate limits;
 * stop at once on refused access, refused client credentials (an operator problem: the run says
 * so, nobody is disconnected) and payloads we cannot parse (retrying cannot help). Everything else
 * (timeouts, 5xx) is retried with backoff.
 */
export async function asStepOutcome<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof ProviderRateLimitError) {
      throw new RetryAfterError(error.message, error.retryAfterSeconds * 1000, { cause: error });
    }
    if (
      error instanceof ProviderAuthError ||
      error instanceof ConnectionUnavailableError ||
      error instanceof ProviderClientError ||
      error instanceof ProviderPayloadError
    ) {
      throw new NonRetriableError(error.message, { cause: error });
    }
    throw error;
  }
}

/**
 * The steps of one sync run: one step per page of each granted collection, each starting from the
 * cursor the previous page returned (so a retried step resumes, never restarts the collection),
 * carrying the mapping context from one step to the next.
 */
export async function runSyncSteps(
  step: JobStep,
  syncRunId: string,
): Promise<{ recordsFetched: number; metricsWritten: number; unavailable: string[] }> {
  const plan = await step.run("start-sync-run", async () => {
    const collections = await collectionsForRun(syncRunId);
    await markSyncRunRunning(syncRunId);
    return collections;
  });
  let ctx: MappingContext = {};
  let recordsFetched = 0;
  let metricsWritten = 0;
  const unavailable: string[] = [];
  for (const [index, collection] of plan.collections.entries()) {
    let cursor: string | null = null;
    const items: unknown[] = [];
    for (let page = 0; ; page++) {
      if (page >= MAX_PAGE_STEPS_PER_COLLECTION)
        throw new NonRetriableError(`${plan.provider} ${collection} needs more pages than a run may take`);
      const from: string | null = cursor;
      const result: PageResult = await step.run(`sync-${collection}-page-${page}`, () =>
        asStepOutcome(() => syncCollectionPage(syncRunId, collection, { cursor: from, ctx, page })),
      );
      ctx = result.ctx;
      recordsFetched += result.recordsFetched;
      metricsWritten += result.metricsWritten;
      if (result.unavailable) unavailable.push(collection);
      if (result.items) items.push(...result.items);
      if (!result.nextCursor) break;
      cursor = result.nextCursor;
    }
    if (items.length) {
      const aggregated = await step.run(`aggregate-${collection}`, () =>
        asStepOutcome(() => aggregateCollectionForRun(syncRunId, collection, items, ctx)),
      );
      ctx = aggregated.ctx;
      metricsWritten += aggregated.metricsWritten;
    }
    await step.run(`complete-${collection}`, () => completeCollection(syncRunId, index + 1, plan.collections.length));
  }
  await step.run("finish-sync-run", () => finishSyncRun(syncRunId));
  return { recordsFetched, metricsWritten, unavailable };
}

export async function recordSyncFailure(syncRunId: string, error: unknown): Promise<void> {
  const cause = error instanceof Error && error.cause !== undefined ? error.cause : error;
  await failSyncRun(syncRunId, cause);
}
