/**
 * The Garmin sandbox's sign-in accounts. Plain data with no server imports, so the connect dialog
 * can name them in its sandbox hint.
 */

export const GARMIN_SANDBOX_PASSWORD = "forerunner965";
/** The code the sandbox "emails" to MFA accounts (shown in the connect dialog's sandbox hint). */
export const GARMIN_SANDBOX_MFA_CODE = "123456";

export const GARMIN_SANDBOX_EMAILS = {
  /** Signs in without a second step. */
  plain: "alex@garmin.example",
  /** Asks for the emailed verification code. */
  mfa: "mfa@garmin.example",
  /** Answers "account locked". */
  locked: "locked@garmin.example",
} as const;
