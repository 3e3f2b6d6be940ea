import { expect } from "vitest";
import { handleSandboxRequest } from "@/lib/sandbox";
import { registeredRedirectUri } from "@/lib/sandbox/authorize";

/**
 * Scaffolding for the sandbox integration tests (`lib/sandbox/<provider>/*.int.test.ts`): requests go
 * straight into `handleSandboxRequest`, without an HTTP server, and the OAuth 2 authorisation-code
 * dance is answered the way the consent page's form would. Imports vitest: for tests only.
 */

export interface SandboxCallInit {
  /** Sent as an `application/x-www-form-urlencoded` body. */
  form?: Record<string, string | number>;
  /** Sent as `Authorization: Bearer <token>`. */
  token?: string;
  /** Added to the URL's query string. */
  query?: Record<string, string>;
  headers?: Record<string, string>;
  /** A raw body, for requests that are not forms. */
  body?: string;
}

/** `call(method, path)` for one provider's sandbox; `path` is below the sandbox's base URL and may carry a query. */
export function sandboxCaller(providerId: string) {
  const base = `http://localhost:3000/sandbox/${providerId}`;
  const basePath = new URL(base).pathname;

  function call(method: string, path: string, init: SandboxCallInit = {}): Promise<Response> {
    const url = new URL(`${base}${path}`);
    for (const [k, v] of Object.entries(init.query ?? {})) url.searchParams.set(k, v);
    const headers: Record<string, string> = { ...init.headers };
    if (init.form) headers["content-type"] = "application/x-www-form-urlencoded";
    if (init.token) headers.authorization = `Bearer ${init.token}`;
    const body = init.form ? new URLSearchParams(Object.entries(init.form).map(([k, v]) => [k, String(v)])) : init.body;
    const segments = url.pathname.slice(basePath.length).split("/").filter(Boolean);
    return handleSandboxRequest(providerId, new Request(url, { method, headers, body }), segments);
  }

  return { base, call };
}

export interface SandboxOAuthClient {
  providerId: string;
  clientId: string;
  clientSecret: string;
  /** The sandbox account the consent form picks unless a test says otherwise. */
  account: string;
  /** The scope asked for unless a test says otherwise. */
  scope: string;
  /** Where `connect` exchanges codes, e.g. `/oauth/token`; left out where the answer is not RFC 6749 JSON. */
  tokenPath?: string;
  state?: string;
}

/**
 * The authorisation-code flow against one OAuth 2 sandbox. `authorize` answers the consent form
 * (allow, the default account and scope, overridable field by field) and returns the code;
 * `connect` also exchanges it at `tokenPath` and returns the token endpoint's JSON. Withings wraps
 * its token answer in an envelope, so its tests leave `tokenPath` out and post `tokenForm(code)` themselves.
 */
export function sandboxOAuthFlow<TokenBody>(client: SandboxOAuthClient) {
  const { base, call } = sandboxCaller(client.providerId);
  const state = client.state ?? "state-123";

  const authorizeForm = (overrides: Record<string, string> = {}): Record<string, string> => ({
    decision: "allow",
    account: client.account,
    client_id: client.clientId,
    redirect_uri: registeredRedirectUri(client.providerId),
    response_type: "code",
    state,
    scope: client.scope,
    ...overrides,
  });

  async function authorize(overrides: Record<string, string> = {}): Promise<string> {
    const response = await call("POST", "/oauth/authorize", { form: authorizeForm(overrides) });
    expect(response.status).toBe(302);
    const location = new URL(response.headers.get("location")!);
    expect(location.searchParams.get("state")).toBe(overrides.state ?? state);
    return location.searchParams.get("code")!;
  }

  const tokenForm = (code: string, extra: Record<string, string> = {}): Record<string, string> => ({
    grant_type: "authorization_code",
    code,
    redirect_uri: registeredRedirectUri(client.providerId),
    client_id: client.clientId,
    client_secret: client.clientSecret,
    ...extra,
  });

  async function connect(overrides: Record<string, string> = {}): Promise<TokenBody> {
    if (!client.tokenPath) throw new Error(`connect needs the ${client.providerId} sandbox's tokenPath`);
    const response = await call("POST", client.tokenPath, { form: tokenForm(await authorize(overrides)) });
    expect(response.status).toBe(200);
    return (await response.json()) as TokenBody;
  }

  return { base, call, authorizeForm, authorize, tokenForm, connect };
}
