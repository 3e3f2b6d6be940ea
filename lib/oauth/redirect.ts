import { sameOriginPath } from "@/lib/http/safe-redirect";

/**
 * Where the OAuth callback may send the user afterwards: a path on this app, never another origin
 * (no open redirect). The rule is shared with sign-in's callbackUrl (`lib/http/safe-redirect.ts`).
 */
export const DEFAULT_REDIRECT_PATH = "/accounts";

/** The Accounts page when nothing was asked for; the normalised same-origin path; or null when refused. */
export function safeRedirectPath(input: string | null | undefined, appOrigin: string): string | null {
  if (input === null || input === undefined || input === "") return DEFAULT_REDIRECT_PATH;
  return sameOriginPath(input, appOrigin);
}
