import { appUrl } from "@/lib/config";
import type { OAuthServer } from "./oauth-server";
import type { ProviderSandbox, SandboxAccount } from "./types";

/**
 * The authorisation endpoint of every OAuth sandbox: validating the authorise query (shared by
 * the consent page and the decision post) and turning the user's decision into the redirect.
 * As RFC 6749 §4.1.2.1 requires, a bad client or redirect URI is shown as an error page and
 * never redirected to; every other error goes back to the app's redirect URI.
 */

export interface AuthorizeRequest {
  clientId: string;
  redirectUri: string;
  state: string | undefined;
  scopes: string[];
  codeChallenge: string | undefined;
  codeChallengeMethod: "S256" | undefined;
  account: SandboxAccount;
}

export type AuthorizeValidation =
  | { ok: true; request: AuthorizeRequest }
  /** Shown on the provider's page; nothing is sent to the app. */
  | { ok: false; redirect: false; error: string; description: string }
  /** Sent back to the app's redirect URI as `error`/`error_description`. */
  | { ok: false; redirect: true; error: string; description: string; redirectUri: string; state: string | undefined };

/** The one redirect URI registered for the sandbox client: the app's own callback. */
export function registeredRedirectUri(providerId: string): string {
  return appUrl(`/api/v1/oauth/${providerId}/callback`);
}

/**
 * A scope list split exactly as the provider splits it: on single spaces (RFC 6749; Oura, WHOOP)
 * or on commas (Withings). Nothing else separates, so `daily,heartrate` at Oura is one unknown
 * scope and `user.info user.metrics` at Withings is one too, as the real providers read them.
 */
export function parseScopes(raw: string | null | undefined, separator: " " | ","): string[] {
  return (raw ?? "").split(separator).filter(Boolean);
}

const PKCE_CHALLENGE = /^[A-Za-z0-9_-]{43}$/;

/** Validates an authorise request (query of the consent page, or the fields of its form post). */
export function validateAuthorizeParams(sandbox: ProviderSandbox, params: URLSearchParams): AuthorizeValidation {
  const get = (name: string) => params.get(name) ?? undefined;
  const clientId = get("client_id");
  if (!clientId) return { ok: false, redirect: false, error: "invalid_request", description: "client_id is required." };
  if (clientId !== sandbox.clientId)
    return { ok: false, redirect: false, error: "invalid_client", description: "Unknown client_id." };

  const registered = registeredRedirectUri(sandbox.providerId);
  const redirectUri = get("redirect_uri") ?? registered;
  if (redirectUri !== registered) {
    return {
      ok: false,
      redirect: false,
      error: "invalid_redirect_uri",
      description: "The redirect_uri does not exactly match the redirect URI registered for this application.",
    };
  }
  const state = get("state");
  const back = (error: string, description: string): AuthorizeValidation => ({
    ok: false,
    redirect: true,
    error,
    description,
    redirectUri,
    state,
  });

  const accountId = get("account");
  const account = accountId ? sandbox.accounts.find((a) => a.id === accountId) : sandbox.accounts[0];
  if (!account)
    return { ok: false, redirect: false, error: "invalid_request", description: "Unknown sandbox account." };

  if (get("response_type") !== "code") return back("unsupported_response_type", "response_type must be code.");

  const known = Object.keys(sandbox.scopeDescriptions ?? {});
  const requested = parseScopes(get("scope"), sandbox.scopeSeparator ?? " ");
  // Oura: no scope means every scope is asked for.
  const scopes = requested.length ? [...new Set(requested)] : known;
  const unknown = scopes.filter((s) => !known.includes(s));
  if (unknown.length) return back("invalid_scope", `Unknown scope: ${unknown.join(", ")}.`);

  const codeChallenge = get("code_challenge");
  const method = get("code_challenge_method");
  if (codeChallenge !== undefined || method !== undefined) {
    if (method !== "S256") return back("invalid_request", "code_challenge_method must be S256.");
    if (!codeChallenge || !PKCE_CHALLENGE.test(codeChallenge))
      return back("invalid_request", "code_challenge must be a base64url S256 challenge.");
  }

  return {
    ok: true,
    request: {
      clientId,
      redirectUri,
      state,
      scopes,
      codeChallenge,
      codeChallengeMethod: codeChallenge ? "S256" : undefined,
      account,
    },
  };
}

function redirectTo(base: string, params: Record<string, string | undefined>): Response {
  const url = new URL(base);
  for (const [k, v] of Object.entries(params)) if (v !== undefined) url.searchParams.set(k, v);
  return new Response(null, { status: 302, headers: { location: url.toString(), "cache-control": "no-store" } });
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** A plain error page for requests that must not be redirected back to the client. */
export function authorizeErrorPage(providerName: string, error: string, description: string): Response {
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(providerName)} – authorisation error</title></head>
<body style="font-family:system-ui;background:#0b0b0f;color:#f4f4f5;padding:3rem">
<h1>${escapeHtml(providerName)}</h1><p><strong>${escapeHtml(error)}</strong></p><p>${escapeHtml(description)}</p>
<p>This application's authorisation request cannot be completed.</p></body></html>`;
  return new Response(html, {
    status: 400,
    headers: { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" },
  });
}

/**
 * `POST …/oauth/authorize`: the consent form's decision (`decision=allow|deny`, `account`, and
 * the original query as fields). Allow → 302 with `code` and `state`; deny → 302 with
 * `error=access_denied`.
 */
export async function handleAuthorizeDecision(
  sandbox: ProviderSandbox,
  providerName: string,
  server: OAuthServer,
  request: Request,
): Promise<Response> {
  const contentType = request.headers.get("content-type") ?? "";
  if (!contentType.includes("application/x-www-form-urlencoded") && !contentType.includes("multipart/form-data")) {
    return authorizeErrorPage(providerName, "invalid_request", "The consent form must be posted as a form.");
  }
  let form: FormData;
  try {
    form = await request.formData();
  } catch {
    return authorizeErrorPage(providerName, "invalid_request", "The consent form could not be read.");
  }
  const params = new URLSearchParams();
  for (const [k, v] of form) if (typeof v === "string") params.set(k, v);

  const validation = validateAuthorizeParams(sandbox, params);
  if (!validation.ok) {
    if (!validation.redirect) return authorizeErrorPage(providerName, validation.error, validation.description);
    return redirectTo(validation.redirectUri, {
      error: validation.error,
      error_description: validation.description,
      state: validation.state,
    });
  }
  const { request: req } = validation;
  const decision = params.get("decision");
  if (decision === "deny") {
    return redirectTo(req.redirectUri, {
      error: "access_denied",
      error_description: "The user denied access to the application.",
      state: req.state,
    });
  }
  if (decision !== "allow")
    return authorizeErrorPage(providerName, "invalid_request", "decision must be allow or deny.");

  const code = await server.issueCode({
    accountId: req.account.id,
    clientId: req.clientId,
    redirectUri: req.redirectUri,
    scopes: req.scopes,
    codeChallenge: req.codeChallenge,
  });
  return redirectTo(req.redirectUri, { code, state: req.state });
}
