import type { IncomingMessage, ServerResponse } from "node:http";
import { config } from "@/lib/config";
import { refusedRequest } from "./request-guard";
import { createNonce, dynamicSecurityHeaders, STATIC_SECURITY_HEADERS } from "./security-headers";

/**
 * The production server's first look at a request, before Next.js: a method no route handler can
 * export (TRACE, TRACK, CONNECT, PROPFIND…) makes Next.js fail with a 500 before proxy.ts runs, so
 * it is answered here with 405 `{detail}` (and the same for an undecodable path). Everything else is
 * left to Next.js, whose proxy applies the same rules again for `next dev`.
 * Returns true when the request was answered.
 */
export function refuseUnroutable(request: IncomingMessage, response: ServerResponse): boolean {
  const { appUrl, env } = config();
  let refusal;
  try {
    refusal = refusedRequest(request.method ?? "GET", new URL(request.url ?? "/", appUrl).toString());
  } catch {
    refusal = { status: 400 as const, detail: "Malformed request target" };
  }
  if (!refusal) return false;
  const headers: Record<string, string> = {
    "content-type": "application/json",
    "cache-control": "no-store",
    ...refusal.headers,
    ...dynamicSecurityHeaders({ nonce: createNonce(), development: env === "development", appUrl }),
  };
  for (const { key, value } of STATIC_SECURITY_HEADERS) headers[key] = value;
  response.writeHead(refusal.status, headers);
  response.end(request.method === "HEAD" ? undefined : JSON.stringify({ detail: refusal.detail }));
  return true;
}
