import { ProviderError } from "./errors";

/**
 * Failures of a credential sign-in (session providers such as Garmin). Messages are fixed,
 * user-safe sentences: they never contain the email, the password, a code or a provider body.
 */

/** The provider says the email or password is wrong. */
export class SessionCredentialsError extends ProviderError {
  override name = "SessionCredentialsError";
  constructor(providerName: string) {
    super(`${providerName} did not accept that email and password`);
  }
}

/** The provider account is locked (too many attempts, or locked by the provider). */
export class SessionAccountLockedError extends ProviderError {
  override name = "SessionAccountLockedError";
  constructor(providerName: string) {
    super(`Your ${providerName} account is locked. Unlock it on ${providerName}'s website, then try again`);
  }
}

/** The verification code was wrong; the provider's sign-in is still waiting for the right one. */
export class SessionMfaCodeError extends ProviderError {
  override name = "SessionMfaCodeError";
  constructor(providerName: string) {
    super(`${providerName} did not accept that verification code`);
  }
}

/** The provider's half-finished sign-in is gone (code too old, too many tries): start again. */
export class SessionMfaExpiredError extends ProviderError {
  override name = "SessionMfaExpiredError";
  constructor(providerName: string) {
    super(`The ${providerName} verification code has expired. Sign in again`);
  }
}
