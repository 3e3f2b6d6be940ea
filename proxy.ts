import { NextResponse, type NextRequest } from "next/server";
import { config as appConfig } from "@/lib/config";
import { refusedRequest } from "@/lib/http/request-guard";
import { createNonce, dynamicSecurityHeaders, STATIC_SECURITY_HEADERS } from "@/lib/http/security-headers";

/**
 * Runs before every route (Next.js 16 "proxy", formerly middleware):
 * - refuses requests Next.js itself would answer with a 500 (malformed percent-encoding or
 *   control characters in the path, methods no route can have) with a 4xx `{detail}`;
 * - gives each request a CSP nonce: Next.js reads it from the request's Content-Security-Policy
 *   header and puts it on the scripts it renders; the same policy goes on the response.
 */
export function proxy(request: NextRequest): NextResponse {
  const { appUrl, env } = appConfig();
  const security = dynamicSecurityHeaders({ nonce: createNonce(), development: env === "development", appUrl });

  const refused = refusedRequest(request.method, request.url);
  if (refused) {
    const response = NextResponse.json(
      { detail: refused.detail },
      { status: refused.status, headers: { "cache-control": "no-store", ...refused.headers } },
    );
    // A response the proxy makes itself skips next.config's headers: set them all here.
    for (const { key, value } of STATIC_SECURITY_HEADERS) response.headers.set(key, value);
    for (const [key, value] of Object.entries(security)) response.headers.set(key, value);
    return response;
  }

  const requestHeaders = new Headers(request.headers);
  requestHeaders.set("Content-Security-Policy", security["Content-Security-Policy"]!);
  const response = NextResponse.next({ request: { headers: requestHeaders } });
  for (const [key, value] of Object.entries(security)) response.headers.set(key, value);
  return response;
}

export const config = {
  // Everything but the build's static files (they carry no scripts to protect and are immutable).
  matcher: ["/((?!_next/static|_next/image).*)"],
};
