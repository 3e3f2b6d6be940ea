/**
 * Classified provider failures. Messages are safe to show and store: they never contain a token,
 * a password or a response body that could echo one.
 */
export class ProviderError extends Error {
  override name = "ProviderError";
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

/** The provider refused our credentials (expired, revoked, or a refresh token that was used). */
export class ProviderAuthError extends ProviderError {
  override name = "ProviderAuthError";
}

/** The provider asked us to slow down; `retryAfterSeconds` says for how long. */
export class ProviderRateLimitError extends ProviderError {
  override name = "ProviderRateLimitError";
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
    status?: number,
  ) {
    super(message, status);
  }
}

/**
 * The provider refused our refresh token (`invalid_grant`): the user's grant is gone (revoked,
 * expired, or already spent). The token service re-reads the connection before believing it.
 */
export class ProviderGrantError extends ProviderAuthError {
  override name = "ProviderGrantError";
}

/**
 * The provider refused our client credentials (`invalid_client` / `unauthorized_client`): an
 * operator problem (a rotated secret, a typo), never a reason to disconnect users.
 */
export class ProviderClientError extends ProviderError {
  override name = "ProviderClientError";
  constructor(
    message: string,
    readonly code: string,
    status?: number,
  ) {
    super(message, status);
  }
}

/**
 * The provider refused one collection (HTTP 403 for a scope the user did not grant, a lapsed
 * membership, Withings 214): that collection is unavailable, the rest of the connection is fine.
 */
export class ProviderForbiddenError extends ProviderError {
  override name = "ProviderForbiddenError";
}

/** The payload did not have the shape the provider documents: retrying cannot help. */
export class ProviderPayloadError extends ProviderError {
  override name = "ProviderPayloadError";
}

/** Seconds to wait from Retry-After (seconds or HTTP date) or X-RateLimit-Reset (epoch or delta seconds). */
export function retryAfterFromHeaders(headers: Headers, now = Date.now()): number {
  const retryAfter = headers.get("retry-after");
  if (retryAfter) {
    const seconds = Number(retryAfter);
    if (Number.isFinite(seconds)) return Math.max(1, Math.ceil(seconds));
    const date = Date.parse(retryAfter);
    if (!Number.isNaN(date)) return Math.max(1, Math.ceil((date - now) / 1000));
  }
  const reset = Number(headers.get("x-ratelimit-reset"));
  if (Number.isFinite(reset) && reset > 0) {
    // Large values are epoch seconds (Oura), small ones a delta (Whoop).
    return Math.max(1, reset > 1_000_000_000 ? Math.ceil(reset - now / 1000) : Math.ceil(reset));
  }
  return 60;
}

/** The provider answers "not found" for an object it just notified us about: try again later, do not drop it. */
export class WebhookObjectNotReadyError extends ProviderError {
  override name = "WebhookObjectNotReadyError";
}
