import { config } from "@/lib/config";
import {
  buildAuthorizationUrl,
  exchangeAuthorizationCode,
  needsPkce,
  newCodeVerifier,
  TokenExchangeError,
} from "@/lib/oauth/engine";
import { safeRedirectPath } from "@/lib/oauth/redirect";
import { consumeOAuthState, createOAuthState, OAuthStateError } from "@/lib/oauth/state";
import { createProviderApi } from "@/lib/providers/api-client";
import { getProvider } from "@/lib/providers";
import { ProviderError } from "@/lib/providers/errors";
import { isOAuth2Runtime, resolveProvider, type OAuth2Runtime } from "@/lib/providers/runtime";
import { saveConnectionGrant, setProviderUserId } from "./service";
import { startBackfill } from "./backfill";

export class UnknownProviderError extends Error {
  override name = "UnknownProviderError";
  constructor(readonly providerId: string) {
    super(`Provider '${providerId}' not found`);
  }
}

export class NotOAuthProviderError extends Error {
  override name = "NotOAuthProviderError";
  constructor(readonly providerId: string) {
    super(`Provider '${providerId}' does not support OAuth`);
  }
}

export class ProviderUnavailableError extends Error {
  override name = "ProviderUnavailableError";
  constructor(readonly providerName: string) {
    super(`${providerName} is not configured on this server (no client credentials, and its sandbox is off)`);
  }
}

export class InvalidRedirectError extends Error {
  override name = "InvalidRedirectError";
  constructor() {
    super("redirect_uri must be a path on this site");
  }
}

/** The runtime of an OAuth provider, or the reason it cannot start a flow. */
export function oauthRuntime(providerId: string): OAuth2Runtime {
  const provider = getProvider(providerId);
  if (!provider) throw new UnknownProviderError(providerId);
  if (provider.kind !== "oauth2") throw new NotOAuthProviderError(providerId);
  const runtime = resolveProvider(providerId);
  if (!runtime || !isOAuth2Runtime(runtime)) throw new ProviderUnavailableError(provider.name);
  return runtime;
}

/** Step 1: an authorisation URL with a fresh one-time state (and PKCE where the provider supports it). */
export async function startOAuthConnect(input: { userId: string; providerId: string; redirectUri?: string | null }) {
  const runtime = oauthRuntime(input.providerId);
  const redirectPath = safeRedirectPath(input.redirectUri, config().appUrl.origin);
  if (!redirectPath) throw new InvalidRedirectError();
  const codeVerifier = needsPkce(runtime) ? newCodeVerifier() : undefined;
  const state = await createOAuthState({
    userId: input.userId,
    provider: input.providerId,
    redirectPath,
    codeVerifier,
  });
  return { authorizationUrl: await buildAuthorizationUrl(runtime, state, codeVerifier), state };
}

export type CallbackOutcome =
  | { ok: true; connectionId: string; redirectTo: string }
  | {
      ok: false;
      error: "oauth_state_invalid" | "access_denied" | "token_exchange_failed" | "provider_error";
      redirectTo: string;
    };

function withQuery(path: string, params: Record<string, string>): string {
  const url = new URL(path, "http://placeholder");
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  return `${url.pathname}${url.search}`;
}

/** The callback's own parameters, the only ones worth carrying through a sign-in. */
const CALLBACK_PARAMS = ["code", "state", "error", "error_description"] as const;

/**
 * Where to send a callback that arrived without a session (it ended while the person was on the
 * provider's page): sign-in, coming back to this same callback afterwards. Nothing is consumed
 * here, so the flow completes once its owner has signed in; anyone else still gets
 * "OAuth state invalid".
 */
export function signInToResumeCallback(providerId: string, query: URLSearchParams): string {
  const resume = new URLSearchParams();
  for (const name of CALLBACK_PARAMS) {
    const value = query.get(name);
    if (value !== null) resume.set(name, value);
  }
  const callbackPath = `/api/v1/oauth/${encodeURIComponent(providerId)}/callback?${resume}`;
  return `/sign-in?${new URLSearchParams({ callbackUrl: callbackPath })}`;
}

/**
 * Step 2: the provider sent the user back; `sessionUserId` is whoever is signed in here. The
 * state is consumed first, and only if it belongs to that user (an attacker's state delivered to
 * a victim, or a victim's state replayed by an attacker, is refused and stores nothing). Then the
 * code is exchanged (with the PKCE verifier where the provider supports it, so a code issued in
 * someone else's flow is refused by the provider), the grant stored (updating an existing
 * connection on reconnect) and the 30-day backfill started. Every failure stores nothing and says why.
 */
export async function completeOAuthCallback(input: {
  providerId: string;
  code?: string | null;
  state?: string | null;
  error?: string | null;
  sessionUserId: string;
}): Promise<CallbackOutcome> {
  const fail = (error: Exclude<CallbackOutcome, { ok: true }>["error"], path = "/accounts"): CallbackOutcome => ({
    ok: false,
    error,
    redirectTo: withQuery(path, { error, provider: input.providerId }),
  });
  let runtime: OAuth2Runtime;
  try {
    runtime = oauthRuntime(input.providerId);
  } catch {
    return fail("provider_error");
  }
  let consumed;
  try {
    consumed = await consumeOAuthState({
      state: input.state,
      provider: input.providerId,
      userId: input.sessionUserId,
    });
  } catch (error) {
    if (error instanceof OAuthStateError) return fail("oauth_state_invalid");
    throw error;
  }
  if (input.error)
    return fail(input.error === "access_denied" ? "access_denied" : "provider_error", consumed.redirectPath);
  if (!input.code) return fail("token_exchange_failed", consumed.redirectPath);

  let tokens;
  try {
    tokens = await exchangeAuthorizationCode(runtime, input.code, consumed.codeVerifier);
  } catch (error) {
    if (error instanceof TokenExchangeError) return fail("token_exchange_failed", consumed.redirectPath);
    if (error instanceof ProviderError) return fail("provider_error", consumed.redirectPath);
    throw error;
  }
  const connection = await saveConnectionGrant({ userId: consumed.userId, provider: input.providerId, tokens });
  if (!tokens.providerUserId && runtime.provider.fetchUserId) {
    // Nice to have for support and webhooks; a failure here must not undo the connection.
    const id = await runtime.provider
      .fetchUserId(createProviderApi(runtime.provider, runtime.endpoints.api, tokens.accessToken))
      .catch(() => undefined);
    if (id) await setProviderUserId(connection.id, id);
  }
  await startBackfill(connection.id, input.providerId);
  return {
    ok: true,
    connectionId: connection.id,
    redirectTo: withQuery(consumed.redirectPath, { connected: input.providerId }),
  };
}
