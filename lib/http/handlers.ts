import type { z } from "zod";
import { sessionUser, type SessionUser } from "@/lib/auth/session";

/** Small helpers that keep route handlers thin: session check, JSON answers, 422 in one shape. */

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

/** Wraps a route handler that needs a signed-in user; everyone else gets 401. */
export function withSession<P = Record<string, never>>(handler: AuthedHandler<P>) {
  return async (request: Request, context: RouteContext<P>): Promise<Response> => {
    const user = await sessionUser(request);
    if (!user) return detail(401, "Not signed in");
    return handler({ request, user, params: await context.params });
  };
}

export async function readJson(request: Request): Promise<unknown> {
  try {
    return await request.json();
  } catch {
    return undefined;
  }
}
