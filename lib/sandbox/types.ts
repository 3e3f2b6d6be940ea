import type { OAuth2Endpoints, SessionEndpoints } from "@/lib/providers/types";
import type { SandboxFault } from "./controls";

/**
 * A local stand-in for one provider: its OAuth pages (or sign-in exchange), token endpoint, data
 * API, errors and rate limits, served by this app under `/sandbox/<provider>/…` whenever the
 * provider's client credentials are not configured.
 */
export interface SandboxAccount {
  id: string;
  /** Shown on the consent page / sign-in hint. */
  displayName: string;
  email: string;
  /** How many days of history the deterministic generator produces for this account. */
  historyDays: number;
  /** Session sandboxes: the password that signs in, and whether MFA is asked. */
  password?: string;
  mfa?: boolean;
  locked?: boolean;
}

export interface SandboxRouteContext {
  /** Path segments after `/sandbox/<provider>/`. */
  path: string[];
  /** Absolute base URL of this sandbox, e.g. http://localhost:3000/sandbox/oura. */
  baseUrl: string;
}

export type SandboxRouteHandler = (request: Request, ctx: SandboxRouteContext) => Promise<Response>;

export interface ProviderSandbox {
  providerId: string;
  /** Client credentials the sandbox accepts (the app uses them while the sandbox is active). */
  clientId: string;
  clientSecret: string;
  accounts: SandboxAccount[];
  /** The provider's endpoints as served by this sandbox under `baseUrl`. */
  endpoints(baseUrl: string): OAuth2Endpoints | SessionEndpoints;
  /**
   * Routes keyed by "METHOD /path/after/provider" (e.g. "POST /oauth/token",
   * "GET /v2/usercollection/:collection"). `:name` matches one segment.
   */
  routes: Record<string, SandboxRouteHandler>;
  /**
   * How this provider answers an injected fault (sandbox controls), when it differs from HTTP 429
   * with Retry-After / HTTP 5xx (Withings: HTTP 200 with status 601 and `wait_seconds`).
   */
  faultResponse?(fault: SandboxFault): Response;
  /** How the provider separates scopes in an authorise request: a space (RFC 6749) unless it says otherwise. */
  scopeSeparator?: " " | ",";
  /** OAuth sandboxes: scope descriptions for the consent page. */
  scopeDescriptions?: Record<string, string>;
}
