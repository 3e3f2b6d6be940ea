import * as oauth from "oauth4webapi";
import type { OAuth2Runtime } from "@/lib/providers/runtime";
import type { TokenSet } from "@/lib/providers/types";
import {
  ProviderClientError,
  ProviderError,
  ProviderGrantError,
  ProviderRateLimitError,
  retryAfterFromHeaders,
} from "@/lib/providers/errors";

/**
 * The one OAuth 2 engine, configured by provider modules: oauth4webapi does the protocol work
 * (PKCE, request building, response validation); the module supplies endpoints, scopes, client
 * authentication and token-request quirks.
 */

/** The code was refused at the token endpoint (expired, used, or issued to someone else). */
export class TokenExchangeError extends ProviderError {
  override name = "TokenExchangeError";
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

function authorizationServer(rt: OAuth2Runtime): oauth.AuthorizationServer {
  return {
    issuer: new URL(rt.endpoints.token).origin,
    authorization_endpoint: rt.endpoints.authorization,
    token_endpoint: rt.endpoints.token,
    revocation_endpoint: rt.endpoints.revocation,
  };
}

function clientAuth(rt: OAuth2Runtime): oauth.ClientAuth {
  return rt.provider.clientAuthentication === "client_secret_basic"
    ? oauth.ClientSecretBasic(rt.clientSecret)
    : oauth.ClientSecretPost(rt.clientSecret);
}

/** How long a token request may take before it is abandoned (a transient failure). */
export const DEFAULT_TOKEN_REQUEST_TIMEOUT_MS = 30_000;

function requestOptions(
  rt: OAuth2Runtime,
  extra: Record<string, string> = {},
  timeoutMs = DEFAULT_TOKEN_REQUEST_TIMEOUT_MS,
): oauth.TokenEndpointRequestOptions {
  const conform = rt.provider.token?.conform;
  return {
    additionalParameters: { ...rt.provider.token?.params, ...extra },
    // Sandboxes are served over plain HTTP on localhost; live providers are always HTTPS.
    [oauth.allowInsecureRequests]: rt.mode === "sandbox",
    [oauth.customFetch]: async (url, init) => {
      const response = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
      // A throttled token endpoint says how long to wait; honour it rather than guessing.
      if (response.status === 429)
        throw new ProviderRateLimitError(
          `${rt.provider.name} token endpoint rate limit reached`,
          retryAfterFromHeaders(response.headers),
          429,
        );
      if (response.status >= 500)
        throw new ProviderError(`${rt.provider.name} token endpoint answered HTTP ${response.status}`, response.status);
      return conform ? conform(response) : asPlainJson(response);
    },
  };
}

/** RFC 7807 error bodies (Oura) are JSON; oauth4webapi only reads `application/json`. */
async function asPlainJson(response: Response): Promise<Response> {
  if (!(response.headers.get("content-type") ?? "").includes("+json")) return response;
  const headers = new Headers(response.headers);
  headers.set("content-type", "application/json");
  return new Response(await response.text(), { status: response.status, statusText: response.statusText, headers });
}

export function needsPkce(rt: OAuth2Runtime): boolean {
  return rt.provider.checks.includes("pkce");
}

export function newCodeVerifier(): string {
  return oauth.generateRandomCodeVerifier();
}

export async function buildAuthorizationUrl(
  rt: OAuth2Runtime,
  state: string,
  codeVerifier?: string | null,
): Promise<string> {
  const url = new URL(rt.endpoints.authorization);
  url.searchParams.set("response_type", "code");
  url.searchParams.set("client_id", rt.clientId);
  url.searchParams.set("redirect_uri", rt.redirectUri);
  url.searchParams.set("scope", rt.provider.scopes.join(rt.provider.scopeSeparator));
  url.searchParams.set("state", state);
  if (codeVerifier) {
    url.searchParams.set("code_challenge", await oauth.calculatePKCECodeChallenge(codeVerifier));
    url.searchParams.set("code_challenge_method", "S256");
  }
  return url.toString();
}

function toTokenSet(rt: OAuth2Runtime, response: oauth.TokenEndpointResponse, now: number): TokenSet {
  const scope = typeof response.scope === "string" ? response.scope : undefined;
  return {
    accessToken: response.access_token,
    refreshToken: response.refresh_token,
    expiresAt: typeof response.expires_in === "number" ? new Date(now + response.expires_in * 1000) : undefined,
    scopes: scope ? scope.split(/[\s,]+/).filter(Boolean) : undefined,
    providerUserId:
      typeof response.userid === "string" || typeof response.userid === "number" ? String(response.userid) : undefined,
  };
}

/** Maps library and transport failures to classified provider errors with safe messages. */
function classify(rt: OAuth2Runtime, error: unknown, refreshing: boolean): never {
  const name = rt.provider.name;
  if (error instanceof oauth.ResponseBodyError || error instanceof oauth.WWWAuthenticateChallengeError) {
    const code = error instanceof oauth.ResponseBodyError ? error.error : "invalid_client";
    const status = error.status;
    if (status === 429 || code === "rate_limited") {
      throw new ProviderRateLimitError(
        `${name} rate limit reached`,
        retryAfterFromHeaders(error.response.headers),
        status,
      );
    }
    if (status >= 500 || code === "temporarily_unavailable" || code === "server_error") {
      throw new ProviderError(`${name} token endpoint is temporarily unavailable (${code})`, status);
    }
    // Our client credentials were refused: an operator problem, never the user's grant.
    if (refreshing && (code === "invalid_client" || code === "unauthorized_client")) {
      throw new ProviderClientError(`${name} refused this app's client credentials (${code})`, code, status);
    }
    if (refreshing && code === "invalid_grant") {
      throw new ProviderGrantError(`${name} refused the refresh token (${code})`, status);
    }
    throw new TokenExchangeError(`${name} refused the token request (${code})`, code);
  }
  if (error instanceof ProviderError) throw error;
  if (error instanceof oauth.OperationProcessingError || error instanceof oauth.UnsupportedOperationError) {
    throw new ProviderError(`${name} answered the token request with an invalid response`);
  }
  throw new ProviderError(`${name} token endpoint could not be reached (${(error as Error)?.name ?? "error"})`);
}

export async function exchangeAuthorizationCode(
  rt: OAuth2Runtime,
  code: string,
  codeVerifier: string | null,
): Promise<TokenSet> {
  const as = authorizationServer(rt);
  const client: oauth.Client = { client_id: rt.clientId };
  const now = Date.now();
  try {
    const params = oauth.validateAuthResponse(as, client, new URLSearchParams({ code }), oauth.skipStateCheck);
    const response = await oauth.authorizationCodeGrantRequest(
      as,
      client,
      clientAuth(rt),
      params,
      rt.redirectUri,
      codeVerifier ?? oauth.nopkce,
      requestOptions(rt),
    );
    return toTokenSet(rt, await oauth.processAuthorizationCodeResponse(as, client, response), now);
  } catch (error) {
    classify(rt, error, false);
  }
}

export async function refreshAccessToken(
  rt: OAuth2Runtime,
  refreshToken: string,
  options: { timeoutMs?: number } = {},
): Promise<TokenSet> {
  const as = authorizationServer(rt);
  const client: oauth.Client = { client_id: rt.clientId };
  const now = Date.now();
  try {
    const response = await oauth.refreshTokenGrantRequest(
      as,
      client,
      clientAuth(rt),
      refreshToken,
      requestOptions(rt, rt.provider.token?.refreshParams, options.timeoutMs),
    );
    return toTokenSet(rt, await oauth.processRefreshTokenResponse(as, client, response), now);
  } catch (error) {
    classify(rt, error, true);
  }
}
