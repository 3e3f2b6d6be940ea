import type { AlertTone } from "@/components/ui/alert";

/** The outcome of an OAuth callback, as carried back to /accounts in the query string. */
export type CallbackNotice =
  { kind: "connected"; provider: string } | { kind: "error"; code: string; provider: string | null };

export const CALLBACK_PARAMS = ["connected", "error", "provider"] as const;

/** Reads `?connected=<id>` or `?error=<code>&provider=<id>`; null when neither is present. */
export function readCallbackNotice(params: URLSearchParams): CallbackNotice | null {
  const error = params.get("error");
  if (error) return { kind: "error", code: error, provider: params.get("provider") || null };
  const connected = params.get("connected");
  if (connected) return { kind: "connected", provider: connected };
  return null;
}

/** The query string without the callback parameters ("" or "?…"). */
export function withoutCallbackParams(params: URLSearchParams): string {
  const rest = new URLSearchParams(params);
  for (const name of CALLBACK_PARAMS) rest.delete(name);
  const query = rest.toString();
  return query ? `?${query}` : "";
}

export interface CallbackMessage {
  tone: AlertTone;
  title: string;
  text: string | null;
  /** Offer "Try again" (restart the connect flow for this provider). */
  retry: boolean;
}

/**
 * The panel shown for a callback outcome. `name` is the provider's display name, or null when
 * the id in the URL is not a provider we know (then the URL's text is never echoed).
 */
export function describeCallbackNotice(notice: CallbackNotice, name: string | null): CallbackMessage | null {
  if (notice.kind === "connected") {
    if (!name) return null;
    return { tone: "success", title: `${name} connected. Your first 30 days are syncing.`, text: null, retry: false };
  }
  const retry = name !== null;
  const who = name ?? "The provider";
  switch (notice.code) {
    case "oauth_state_invalid":
      return {
        tone: "error",
        title: "OAuth state invalid",
        text: "The authorisation took too long or the link was already used. Go back and connect again.",
        retry,
      };
    case "access_denied":
      return {
        tone: "warning",
        title: "Authorisation was denied",
        text: `Access was not granted on ${name ?? "the provider"}'s page, so nothing was connected. You can try again at any time.`,
        retry,
      };
    case "token_exchange_failed":
      return { tone: "error", title: `${who} did not accept the authorisation`, text: "Please try again.", retry };
    case "provider_error":
      return {
        tone: "error",
        title: `${who} reported an error`,
        text: "The connection could not be completed. Please try again in a few minutes.",
        retry,
      };
    default:
      return {
        tone: "error",
        title: name ? `Connecting ${name} failed` : "Connecting failed",
        text: "Something went wrong while connecting. Please try again.",
        retry,
      };
  }
}
