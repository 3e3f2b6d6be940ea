import { RetryAfterError } from "inngest";
import { tokenRefreshRequested } from "@/lib/events/definitions";
import { ConnectionUnavailableError, refreshConnectionTokens } from "@/lib/connections/tokens";
import {
  ProviderAuthError,
  ProviderClientError,
  ProviderForbiddenError,
  ProviderPayloadError,
  ProviderRateLimitError,
} from "@/lib/providers/errors";
import { tokenStillExpiring } from "@/lib/sync/schedule";
import { defineJob } from "../define";
import { ONE_STEP_AT_A_TIME_PER_CONNECTION } from "../flow-control-settings";
import { REFRESH_WITHIN_MS } from "../plan-steps";

/**
 * Refreshes one connection's expiring token. A refused grant marks that connection disconnected
 * (the banner asks the user to Reconnect); refused client credentials pause the provider's
 * refreshes (nobody is disconnected); a token a sync refreshed meanwhile is left alone. A token
 * endpoint that throttles (429 with Retry-After, Withings 601 with `wait_seconds`) is asked again
 * after the wait it named; timeouts and 5xx are retried with backoff. None of them disconnects.
 */
export default defineJob({
  id: "refresh-connection-tokens",
  trigger: { event: tokenRefreshRequested },
  retries: 2,
  // Shares the connection's key with the syncs: a refresh never races a sync's own refresh.
  concurrency: ONE_STEP_AT_A_TIME_PER_CONNECTION,
  handler: ({ event, step }) =>
    step.run("refresh-tokens", async () => {
      const { connectionId } = event.data;
      if (!(await tokenStillExpiring(connectionId, new Date(Date.now() + REFRESH_WITHIN_MS)))) return "not-needed";
      try {
        await refreshConnectionTokens(connectionId);
        return "refreshed";
      } catch (error) {
        if (error instanceof ProviderRateLimitError)
          throw new RetryAfterError(error.message, error.retryAfterSeconds * 1000, { cause: error });
        if (isFinal(error)) return (error as Error).name;
        throw error; // transient (timeouts, 5xx, a database error): retried with backoff
      }
    }),
});

/** Outcomes a retry cannot change: the grant or the client refused, the connection gone, a bad payload. */
function isFinal(error: unknown): boolean {
  return (
    error instanceof ProviderAuthError ||
    error instanceof ProviderClientError ||
    error instanceof ProviderForbiddenError ||
    error instanceof ProviderPayloadError ||
    error instanceof ConnectionUnavailableError
  );
}
