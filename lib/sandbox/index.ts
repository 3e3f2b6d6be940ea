import { providerMode, sandboxBaseUrl } from "@/lib/providers/runtime";
import { handleSandboxControl, injectedFaultResponse } from "./control-route";
import { ouraSandbox } from "./oura";
import { garminSandbox } from "./garmin";
import { withingsSandbox } from "./withings";
import { whoopSandbox } from "./whoop";
import type { ProviderSandbox, SandboxRouteHandler } from "./types";

/** Every provider sandbox, by provider id. Adding a provider's sandbox is one line here. */
export const sandboxes: Record<string, ProviderSandbox> = {
  [whoopSandbox.providerId]: whoopSandbox,
  [ouraSandbox.providerId]: ouraSandbox,
  [garminSandbox.providerId]: garminSandbox,
  [withingsSandbox.providerId]: withingsSandbox,
};

/**
 * A sandbox is served exactly when the runtime sends the app to it (sandboxes enabled, no live
 * client credentials): one rule, owned by the runtime, so switching to the real provider is
 * configuration, not code.
 */
export function servedSandbox(providerId: string): ProviderSandbox | undefined {
  if (!Object.hasOwn(sandboxes, providerId)) return undefined;
  return providerMode(providerId) === "sandbox" ? sandboxes[providerId] : undefined;
}

export { sandboxBaseUrl };

interface CompiledRoute {
  method: string;
  segments: string[];
  handler: SandboxRouteHandler;
}

function compile(routes: Record<string, SandboxRouteHandler>): CompiledRoute[] {
  return Object.entries(routes).map(([key, handler]) => {
    const [method, path] = key.split(" ") as [string, string];
    return { method: method.toUpperCase(), segments: path.split("/").filter(Boolean), handler };
  });
}

function matches(route: CompiledRoute, path: string[]): boolean {
  return route.segments.length === path.length && route.segments.every((s, i) => s.startsWith(":") || s === path[i]);
}

/** Literal segments beat `:params` (so `/personal_info` wins over `/:collection`). */
function specificity(route: CompiledRoute): string {
  return route.segments.map((s) => (s.startsWith(":") ? "0" : "1")).join("");
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  Response.json(body, { status, headers: { "cache-control": "no-store", ...headers } });

/**
 * Dispatches one request to a sandbox route. Unknown paths → 404 JSON; a known path with another
 * method → 405 with `Allow`. HEAD falls back to the GET route without a body.
 */
export async function handleSandboxRequest(providerId: string, request: Request, path: string[]): Promise<Response> {
  // The consent page's form posts to /oauth/decision: Next.js renders POSTs to the page's own URL
  // as the page, so the decision needs a path the route handler owns.
  if (path.length === 2 && path[0] === "oauth" && path[1] === "decision") path = ["oauth", "authorize"];
  const sandbox = servedSandbox(providerId);
  if (!sandbox)
    return json(404, { status: 404, title: "Not Found", detail: "No sandbox is served for this provider." });
  // Test and development controls (clock, lifetimes, faults); never in production.
  if (path.length === 1 && path[0] === "_control") return handleSandboxControl(providerId, request);

  const routes = compile(sandbox.routes).filter((r) => matches(r, path));
  if (routes.length === 0)
    return json(404, { status: 404, title: "Not Found", detail: `No route for /${path.join("/")}.` });

  const method = request.method.toUpperCase();
  const pick = (m: string) =>
    routes.filter((r) => r.method === m).sort((a, b) => specificity(b).localeCompare(specificity(a)))[0];
  const route = pick(method) ?? (method === "HEAD" ? pick("GET") : undefined);
  if (!route) {
    const allow = [...new Set(routes.map((r) => r.method))].sort().join(", ");
    return json(405, { status: 405, title: "Method Not Allowed", detail: `Use ${allow}.` }, { allow });
  }
  const injected = await injectedFaultResponse(sandbox, path, sandboxBaseUrl(providerId));
  if (injected) return injected;
  const response = await route.handler(request, { path, baseUrl: sandboxBaseUrl(providerId) });
  if (method === "HEAD" && route.method === "GET")
    return new Response(null, { status: response.status, headers: response.headers });
  return response;
}
