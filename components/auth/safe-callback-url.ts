import { sameOriginPath } from "@/lib/http/safe-redirect";

/**
 * The path to return to after signing in: `raw` normalised, if it stays on this app (see
 * `sameOriginPath`), otherwise `fallback`. A crafted sign-in link cannot send the user to another site.
 */
export function safeCallbackUrl(raw: unknown, appOrigin: string | URL, fallback = "/"): string {
  return sameOriginPath(raw, appOrigin) ?? fallback;
}
