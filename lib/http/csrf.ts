import { config } from "@/lib/config";

/**
 * Cross-site request forgery defence for state-changing requests, in one place.
 *
 * SameSite=Lax cookies do not stop a *same-site* attacker (a page on another port of the same
 * host) and do not cover every cross-site trick, so a state-changing request must prove it came
 * from a page of this app: its `Origin` equals APP_URL's origin, or, when a browser omits Origin,
 * `Sec-Fetch-Site: same-origin`. A request with neither is refused: every browser we support
 * sends one of them on a POST/PUT/PATCH/DELETE, and non-browser clients can send Origin.
 *
 * JSON endpoints additionally require `content-type: application/json`: a cross-site HTML form
 * can only send urlencoded, multipart or text/plain bodies without a CORS preflight.
 */

export const STATE_CHANGING_METHODS: ReadonlySet<string> = new Set(["POST", "PUT", "PATCH", "DELETE"]);

export type CrossSiteRefusal = { status: 403 | 415; detail: string };

/** Whether the request says it came from a page on `appOrigin` (APP_URL's origin by default). */
export function isSameOriginRequest(request: Request, appOrigin: string = config().appUrl.origin): boolean {
  const origin = request.headers.get("origin");
  // "null" (sandboxed frames, file:, some redirects) is never our origin.
  if (origin !== null) return origin === appOrigin;
  return request.headers.get("sec-fetch-site") === "same-origin";
}

/** The media type of a content-type header, lower-cased without parameters ("application/json"). */
export function mediaType(contentType: string | null): string {
  return (contentType ?? "").split(";")[0]!.trim().toLowerCase();
}

/**
 * Why a request must be refused before it changes anything, or undefined when it may proceed.
 * Safe methods (GET, HEAD, OPTIONS) always proceed: they must not change state anyway.
 */
export function crossSiteRefusal(
  request: Request,
  options: { json?: boolean; appOrigin?: string } = {},
): CrossSiteRefusal | undefined {
  if (!STATE_CHANGING_METHODS.has(request.method.toUpperCase())) return undefined;
  if (!isSameOriginRequest(request, options.appOrigin)) {
    return { status: 403, detail: "Cross-site request refused: this action must come from the app's own pages" };
  }
  if (options.json && mediaType(request.headers.get("content-type")) !== "application/json") {
    return { status: 415, detail: "Send the request body as application/json" };
  }
  return undefined;
}
