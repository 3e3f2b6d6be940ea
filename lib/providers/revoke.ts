import crypto from "node:crypto";
import { ProviderError } from "./errors";
import type { OAuth2Endpoints } from "./types";

/**
 * Grant revocation at the provider, used by Disconnect. Each OAuth provider module declares its
 * own (`revoke`) from the helpers below; a provider without a revocation API declares none.
 */

export interface RevokeContext {
  endpoints: OAuth2Endpoints;
  clientId: string;
  clientSecret: string;
  accessToken?: string | null;
  refreshToken?: string | null;
  providerUserId?: string | null;
  timeoutMs?: number;
}

const REVOKE_TIMEOUT_MS = 10_000;

async function send(name: string, url: string, init: RequestInit, timeoutMs = REVOKE_TIMEOUT_MS): Promise<Response> {
  try {
    return await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs), redirect: "error" });
  } catch (error) {
    throw new ProviderError(`${name} could not be reached to revoke access (${(error as Error).name})`);
  }
}

function expectOk(name: string, response: Response): void {
  if (!response.ok) throw new ProviderError(`${name} did not confirm the revocation (HTTP ${response.status})`);
}

/** Oura: `GET /oauth/revoke?access_token=…` ends the whole grant. */
export function revokeByTokenQuery(name: string, param = "access_token") {
  return async (ctx: RevokeContext): Promise<void> => {
    const token = ctx.accessToken ?? ctx.refreshToken;
    if (!ctx.endpoints.revocation) throw new ProviderError(`${name} has no revocation endpoint`);
    if (!token) throw new ProviderError(`No ${name} token left to revoke`);
    const url = new URL(ctx.endpoints.revocation);
    url.searchParams.set(param, token);
    expectOk(name, await send(name, url.toString(), { method: "GET" }, ctx.timeoutMs));
  };
}

/** WHOOP: `DELETE /v2/user/access` with the user's bearer token revokes the grant (and its webhooks). */
export function revokeByBearerDelete(name: string, path: string) {
  return async (ctx: RevokeContext): Promise<void> => {
    if (!ctx.accessToken) throw new ProviderError(`No ${name} access token left to revoke`);
    const url = ctx.endpoints.api.replace(/\/$/, "") + path;
    const response = await send(
      name,
      url,
      { method: "DELETE", headers: { authorization: `Bearer ${ctx.accessToken}` } },
      ctx.timeoutMs,
    );
    expectOk(name, response);
  };
}

const hmacHex = (secret: string, message: string) => crypto.createHmac("sha256", secret).update(message).digest("hex");

async function withingsCall(name: string, url: string, form: Record<string, string>, timeoutMs?: number) {
  const response = await send(
    name,
    url,
    {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(form).toString(),
    },
    timeoutMs,
  );
  expectOk(name, response);
  const payload = (await response.json().catch(() => undefined)) as { status?: unknown; body?: unknown } | undefined;
  if (payload?.status !== 0)
    throw new ProviderError(`${name} refused the revocation (status ${String(payload?.status)})`);
  return payload.body as Record<string, unknown> | undefined;
}

/**
 * Withings: a signed `action=revoke` on `/v2/oauth2` for the user (it also drops the user's
 * notification subscriptions). The signature needs a nonce from `/v2/signature action=getnonce`.
 */
export function revokeWithingsUser(name: string) {
  return async (ctx: RevokeContext): Promise<void> => {
    if (!ctx.providerUserId) throw new ProviderError(`The ${name} user id is unknown, so access cannot be revoked`);
    const base = ctx.endpoints.api.replace(/\/$/, "");
    const timestamp = String(Math.floor(Date.now() / 1000));
    const nonceBody = await withingsCall(
      name,
      `${base}/v2/signature`,
      {
        action: "getnonce",
        client_id: ctx.clientId,
        timestamp,
        signature: hmacHex(ctx.clientSecret, `getnonce,${ctx.clientId},${timestamp}`),
      },
      ctx.timeoutMs,
    );
    const nonce = typeof nonceBody?.nonce === "string" ? nonceBody.nonce : undefined;
    if (!nonce) throw new ProviderError(`${name} gave no nonce for the revocation`);
    await withingsCall(
      name,
      ctx.endpoints.token,
      {
        action: "revoke",
        client_id: ctx.clientId,
        nonce,
        signature: hmacHex(ctx.clientSecret, `revoke,${ctx.clientId},${nonce}`),
        userid: ctx.providerUserId,
      },
      ctx.timeoutMs,
    );
  };
}
