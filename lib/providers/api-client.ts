import type { ProviderApi, ProviderCommon, QueryParams } from "./types";
import {
  ProviderAuthError,
  ProviderError,
  ProviderForbiddenError,
  ProviderPayloadError,
  ProviderRateLimitError,
  retryAfterFromHeaders,
} from "./errors";

const TIMEOUT_MS = 30_000;

function toSearchParams(params: QueryParams | undefined): URLSearchParams {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params ?? {})) {
    if (value !== undefined && value !== null) search.set(key, String(value));
  }
  return search;
}

/** Default classification of a data-API answer: JSON on 2xx, typed errors otherwise. */
export function defaultInterpretResponse(
  provider: Pick<ProviderCommon, "name">,
  response: Response,
  body: unknown,
): unknown {
  if (response.ok) return body;
  if (response.status === 401) {
    throw new ProviderAuthError(`${provider.name} rejected the access token (HTTP 401)`, 401);
  }
  // 403 is about this resource (a scope not granted, a lapsed membership), not the whole grant.
  if (response.status === 403) {
    throw new ProviderForbiddenError(`${provider.name} refused access to this data (HTTP 403)`, 403);
  }
  if (response.status === 429) {
    throw new ProviderRateLimitError(
      `${provider.name} rate limit reached`,
      retryAfterFromHeaders(response.headers),
      429,
    );
  }
  throw new ProviderError(`${provider.name} answered HTTP ${response.status}`, response.status);
}

/** An authenticated client for one provider's data API. */
export function createProviderApi(
  provider: ProviderCommon,
  baseUrl: string,
  accessToken: string,
  fetchImpl: typeof fetch = fetch,
): ProviderApi {
  const interpret =
    provider.interpretResponse ?? ((res: Response, body: unknown) => defaultInterpretResponse(provider, res, body));

  async function send(path: string, init: RequestInit, query?: URLSearchParams): Promise<unknown> {
    const url = new URL(baseUrl.replace(/\/$/, "") + path);
    if (query) for (const [k, v] of query) url.searchParams.set(k, v);
    let response: Response;
    try {
      response = await fetchImpl(url, {
        ...init,
        headers: { ...init.headers, authorization: `Bearer ${accessToken}`, accept: "application/json" },
        signal: AbortSignal.timeout(TIMEOUT_MS),
        redirect: "error",
      });
    } catch (error) {
      throw new ProviderError(`${provider.name} could not be reached (${(error as Error).name})`);
    }
    const text = await response.text();
    let body: unknown = undefined;
    if (text) {
      try {
        body = JSON.parse(text);
      } catch {
        if (response.ok)
          throw new ProviderPayloadError(`${provider.name} answered with a body that is not JSON`, response.status);
      }
    }
    return interpret(response, body);
  }

  return {
    baseUrl,
    get: (path, query) => send(path, { method: "GET" }, toSearchParams(query)),
    post: (path, form) =>
      send(path, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: toSearchParams(form).toString(),
      }),
  };
}
