import type { ConcurrencyOptions, ThrottleOptions } from "./flow-control";

/**
 * The flow control every function that touches one connection declares (on Inngest and in the
 * in-process runner alike).
 *
 * Concurrency: one key for all of them, scoped to the environment, so a backfill, a sync and a
 * token refresh of one connection never run a step at the same time. Inngest's default scope is
 * the function, under which two different functions of one connection would interleave freely.
 */
export const ONE_STEP_AT_A_TIME_PER_CONNECTION: ConcurrencyOptions = [
  { key: "event.data.connectionId", limit: 1, scope: "env" },
];

/**
 * Throttles: provider rate limits are per application (WHOOP: 100 requests a minute for the whole
 * app; Withings: 120), so run starts are spaced per provider. Inngest throttles run starts, not
 * requests: a poll makes about 5 requests (one page per collection) and a 30-day backfill about
 * 15, so the steady rates below (12 polls + 2 backfills a minute ≈ 90 requests) stay under the
 * strictest provider's budget. The bursts let a handful of people connecting at once start without
 * waiting; a 429 that still happens is retried after the provider's Retry-After.
 */
export const SYNC_THROTTLE_PER_PROVIDER: ThrottleOptions = {
  key: "event.data.provider",
  limit: 12,
  period: "1m",
  burst: 12,
};

export const BACKFILL_THROTTLE_PER_PROVIDER: ThrottleOptions = {
  key: "event.data.provider",
  limit: 2,
  period: "1m",
  burst: 10,
};
