import { apiFetch } from "@/components/api-fetch";
import type { AuthorizeResponse } from "@/components/api-types";

/** Where the OAuth callback sends the user back to; it shows the outcome there. */
export const CONNECT_RETURN_PATH = "/accounts";

/**
 * Starts an OAuth 2 connect (or reconnect) for a provider: asks our API for the provider's
 * authorisation URL (it stores state and PKCE server-side) and navigates there. Resolves once
 * navigation has started; rejects with an ApiError the caller shows.
 */
export async function startConnect(provider: string): Promise<void> {
  const query = new URLSearchParams({ redirect_uri: CONNECT_RETURN_PATH });
  const { authorization_url } = await apiFetch<AuthorizeResponse>(
    `/api/v1/oauth/${encodeURIComponent(provider)}/authorize?${query}`,
  );
  const url = new URL(authorization_url, window.location.href);
  // Only ever leave for a web page: never run a javascript: or data: URL from a response.
  if (url.protocol !== "https:" && url.protocol !== "http:")
    throw new Error("The provider returned an invalid sign-in address.");
  window.location.href = url.toString();
}
