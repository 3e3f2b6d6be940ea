import { config } from "@/lib/config";
import { detail } from "./handlers";

/**
 * CSRF defence for state-changing JSON routes: a browser always sends Origin on PUT/POST/DELETE,
 * so a request from another site is refused before it changes anything.
 */
export function crossOriginRefusal(request: Request): Response | null {
  const origin = request.headers.get("origin");
  if (origin !== null && origin !== config().appUrl.origin) return detail(403, "Cross-origin request refused");
  return null;
}
