import NextAuth from "next-auth";
import { config } from "@/lib/config";
import type { RateLimitedError } from "@/lib/rate-limit/limits";
import { authOptions } from "./options";

/** The `error` next-auth's client reads from a refused sign-in's URL: `RateLimited:<seconds>`. */
export const RATE_LIMITED_ERROR_PREFIX = "RateLimited:";

/**
 * next-auth's endpoints (`/api/auth/*`), with one change: a sign-in refused by the attempt limits
 * answers 429 with Retry-After and a `{detail}` (plus the `url` next-auth's client reads, whose
 * `error` carries the wait) instead of next-auth's plain 401.
 */
export async function nextAuthHandler(
  request: Request,
  context: { params: Promise<{ nextauth: string[] }> },
): Promise<Response> {
  let limited: RateLimitedError | undefined;
  const options = authOptions({ onRateLimited: (error) => (limited = error) });
  // next-auth v4 types its route-handler overload as `any`; this is the App Router shape it serves.
  const handler = NextAuth(options) as (req: Request, ctx: { params: { nextauth: string[] } }) => Promise<Response>;
  const response = await handler(request, { params: await context.params });
  if (!limited) return response;
  const url = new URL("/sign-in", config().appUrl);
  url.searchParams.set("error", `${RATE_LIMITED_ERROR_PREFIX}${limited.retryAfterSeconds}`);
  const headers = new Headers({
    "cache-control": "no-store",
    "content-type": "application/json",
    "retry-after": String(limited.retryAfterSeconds),
  });
  for (const cookie of response.headers.getSetCookie()) headers.append("set-cookie", cookie);
  return new Response(JSON.stringify({ detail: limited.message, url: url.toString() }), { status: 429, headers });
}
