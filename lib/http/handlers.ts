import type { z } from "zod";
import { sessionUser, type SessionUser } from "@/lib/auth/session";
import { crossSiteRefusal, mediaType } from "./csrf";
import { CONTROL_CHARACTER } from "./request-guard";

/** Small helpers that keep route handlers thin: session and origin checks, JSON answers, 422 in one shape. */

export function json(body: unknown, init: ResponseInit = {}): Response {
  return Response.json(body, { ...init, headers: { "cache-control": "no-store", ...init.headers } });
}

export function detail(status: number, message: string): Response {
  return json({ detail: message }, { status });
}

/** The FastAPI-style validation error of the Open Wearables API reference. */
export function validationError(error: z.ZodError, location: "query" | "body" | "path"): Response {
  return json(
    {
      detail: error.issues.map((issue) => ({
        type: issue.code === "invalid_type" && issue.input === undefined ? "missing" : issue.code,
        loc: [location, ...issue.path.map(String)],
        msg: issue.input === undefined && issue.code === "invalid_type" ? "Field required" : issue.message,
      })),
    },
    { status: 422 },
  );
}

type RouteContext<P> = { params: Promise<P> };
type AuthedHandler<P> = (args: { request: Request; user: SessionUser; params: P }) => Promise<Response>;

export interface SessionRouteOptions {
  /**
   * The route reads a JSON body: state-changing requests must send `content-type: application/json`
   * (else 415). Default: required whenever the request carries a body, so a route added later is
   * covered too; body-less POSTs and DELETEs need only the origin check.
   */
  json?: boolean;
}

function carriesBody(request: Request): boolean {
  return request.headers.has("transfer-encoding") || Number(request.headers.get("content-length") ?? 0) > 0;
}

/**
 * The 403/415 answer for a state-changing request that did not come from the app's own pages, or
 * undefined. withSession applies it; routes without a session (sign-up, next-auth) call it first.
 */
export function refuseCrossSite(request: Request, options: SessionRouteOptions = {}): Response | undefined {
  const refusal = crossSiteRefusal(request, { json: options.json ?? carriesBody(request) });
  return refusal && detail(refusal.status, refusal.detail);
}

// NUL and other control characters never belong in a path segment (PostgreSQL refuses NUL in text).
function hasInvalidParam(params: unknown): boolean {
  if (!params || typeof params !== "object") return false;
  return Object.values(params).some((value) =>
    (Array.isArray(value) ? value : [value]).some((v) => typeof v === "string" && CONTROL_CHARACTER.test(v)),
  );
}

/**
 * Wraps a route handler that needs a signed-in user. State-changing methods must come from the
 * app's own pages (lib/http/csrf.ts: 403 otherwise, 415 for a JSON route sent anything but JSON);
 * then a request without a session gets 401. Path parameters with control characters get 400.
 */
export function withSession<P = Record<string, never>>(handler: AuthedHandler<P>, options: SessionRouteOptions = {}) {
  return async (request: Request, context: RouteContext<P>): Promise<Response> => {
    const refused = refuseCrossSite(request, options);
    if (refused) return refused;
    const params = await context.params;
    if (hasInvalidParam(params)) return detail(400, "Invalid characters in the request path");
    const user = await sessionUser(request);
    if (!user) return detail(401, "Not signed in");
    return handler({ request, user, params });
  };
}

/**
 * The request's JSON body, or undefined when it is not JSON (wrong content type or unparseable),
 * which the route's schema then reports as a 422.
 */
export async function readJson(request: Request): Promise<unknown> {
  if (mediaType(request.headers.get("content-type")) !== "application/json") return undefined;
  try {
    return await request.json();
  } catch {
    return undefined;
  }
}

/**
 * For state-changing routes that do not use withSession and take forms as well as JSON
 * (next-auth's sign-in and sign-out): the same origin check, and a body that claims to be JSON
 * but does not parse is a 400 here rather than an exception inside the library.
 */
export function withSameOrigin<C>(handler: (request: Request, context: C) => Promise<Response>) {
  return async (request: Request, context: C): Promise<Response> => {
    const refused = refuseCrossSite(request, { json: false });
    if (refused) return refused;
    if (mediaType(request.headers.get("content-type")) === "application/json") {
      try {
        await request.clone().json();
      } catch {
        return detail(400, "The request body is not valid JSON");
      }
    }
    return handler(request, context);
  };
}
