import { passwordMessage } from "@/lib/auth/password-policy";
import { tooManyAttemptsMessage } from "@/lib/rate-limit/wait-text";
import { firstParam } from "./auth-card";
import { EMAIL_TAKEN, INCORRECT_CREDENTIALS } from "./messages";

/**
 * Server side: the message for the `?error=` code the plain-HTML form path redirects back with
 * (lib/auth/password-form.ts). Only known codes produce text; the URL never carries the text itself.
 */
export function authFormErrorMessage(
  page: "sign-in" | "sign-up",
  params: Record<string, string | string[] | undefined>,
): string | null {
  const error = firstParam(params.error);
  switch (error) {
    case "credentials":
      return page === "sign-in" ? INCORRECT_CREDENTIALS : null;
    case "rate_limited": {
      const seconds = Number(firstParam(params.retry_after));
      const wait = Number.isInteger(seconds) && seconds > 0 && seconds <= 24 * 3600 ? seconds : 15 * 60;
      return tooManyAttemptsMessage(page, wait);
    }
    case "invalid_email":
      return page === "sign-up" ? "Enter a valid email address" : null;
    case "email_taken":
      return page === "sign-up" ? EMAIL_TAKEN : null;
    case "password":
      return page === "sign-up" ? passwordMessage(firstParam(params.reason) ?? "") : null;
    default:
      return null;
  }
}
