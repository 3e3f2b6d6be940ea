import { RetryAfterError } from "inngest";
import { webhookReceived } from "@/lib/events";
import { WebhookObjectNotReadyError } from "@/lib/providers/errors";
import type { MappingContext } from "@/lib/providers/types";
import { syncCollectionForRun } from "@/lib/sync/engine";
import {
  failWebhook,
  finishWebhook,
  ignoreWebhook,
  resolveWebhookWork,
  startWebhookProcessing,
  startWebhookRun,
} from "@/lib/webhooks/process";
import { defineJob } from "../define";
import { ONE_STEP_AT_A_TIME_PER_CONNECTION, SYNC_THROTTLE_PER_PROVIDER } from "../flow-control-settings";
import { asStepOutcome } from "../sync-steps";

/** Oura sometimes notifies before its single-document endpoint serves the object: look again later. */
const NOT_READY_RETRY_MS = 5 * 60 * 1000;

/** As every sync step, plus: an object the provider does not serve yet is looked at again later. */
async function asWebhookStepOutcome<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await asStepOutcome(work);
  } catch (error) {
    if (error instanceof WebhookObjectNotReadyError) {
      throw new RetryAfterError(error.message, NOT_READY_RETRY_MS, { cause: error });
    }
    throw error;
  }
}

/**
 * A verified notification in the inbox: fetch only what it changed (the provider's single-document
 * endpoint says which day), sync those collections for those days as a `webhook` run, close the
 * row. Unknown users and disconnected connections never get here (the route acknowledges them).
 */
export default defineJob({
  id: "process-webhook",
  trigger: { event: webhookReceived },
  // Enough for a just-notified object to appear (5 minutes apart), then the row is failed; the
  // two-hourly poll reads the same days anyway.
  retries: 4,
  // The same per-connection rule as every other function that writes a connection's rows.
  concurrency: ONE_STEP_AT_A_TIME_PER_CONNECTION,
  // Provider rate limits are per application: webhook runs share the sync budget per provider.
  throttle: SYNC_THROTTLE_PER_PROVIDER,
  async handler({ event, step }) {
    const { inboxId } = event.data;
    const start = await step.run("start-webhook", () => startWebhookProcessing(inboxId));
    if (start.kind === "skip") return start;
    const work = await step.run("resolve-webhook", () =>
      asWebhookStepOutcome(() => resolveWebhookWork(start.provider, start.connectionId, start.notification)),
    );
    if (work.kind === "ignored") {
      await step.run("ignore-webhook", () => ignoreWebhook(inboxId, start.provider, work.reason));
      return work;
    }
    const runId = await step.run("start-webhook-run", () => startWebhookRun(inboxId, start.connectionId, work));
    let ctx: MappingContext = {};
    let metricsWritten = 0;
    for (const collection of work.collections) {
      const result = await step.run(`sync-${collection}`, () =>
        asWebhookStepOutcome(() => syncCollectionForRun(runId, collection, ctx)),
      );
      ctx = result.ctx;
      metricsWritten += result.metricsWritten;
    }
    await step.run("finish-webhook", () => finishWebhook(inboxId, start.provider, runId));
    return { runId, collections: work.collections, metricsWritten };
  },
  onFailure: async ({ event, error }) => {
    const cause = error instanceof Error && error.cause !== undefined ? error.cause : error;
    await failWebhook(event.data.inboxId, cause);
  },
});
