import { z } from "zod";
import {
  advanceSandboxClock,
  clearSandboxFaults,
  expireSandboxAccessTokens,
  FAULT_KINDS,
  FAULT_TARGETS,
  faultsForRequest,
  getSandboxControls,
  injectSandboxFault,
  resetSandboxControls,
  revokeSandboxGrant,
  sandboxClock,
  sandboxControlsEnabled,
  setSandboxClientCredentialsRejected,
  setSandboxTokenLifetimes,
  type SandboxFault,
} from "./controls";
import type { ProviderSandbox } from "./types";
import { deliverDueSandboxWebhooks, sandboxDeliveryCounts } from "./webhooks/deliveries";
import { uploadSandboxDay, UnknownSandboxAccountError } from "./webhooks/new-day";

/**
 * `/sandbox/<id>/_control` (JSON; development and tests only, never in production) and the
 * faults every other sandbox request may meet.
 */

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  Response.json(body, { status, headers: { "cache-control": "no-store", ...headers } });

const seconds = z
  .number()
  .int()
  .positive()
  .max(10 * 365 * 86_400);
const account = z.string().min(1).max(200);

const controlAction = z.discriminatedUnion("action", [
  z.object({ action: z.literal("expire_access_tokens"), account }),
  z.object({ action: z.literal("revoke_grant"), account }),
  z.object({
    action: z.literal("set_token_lifetimes"),
    access_token_seconds: seconds.optional(),
    refresh_token_seconds: seconds.optional(),
    code_seconds: seconds.optional(),
  }),
  z.object({
    action: z.literal("inject_fault"),
    kind: z.enum(FAULT_KINDS),
    for_seconds: seconds,
    probability: z.number().min(0).max(1).optional(),
    target: z.enum(FAULT_TARGETS).optional(),
    retry_after_seconds: z.number().int().min(1).max(86_400).optional(),
    status: z.number().int().min(500).max(599).optional(),
    delay_ms: z.number().int().min(0).max(120_000).optional(),
  }),
  z.object({ action: z.literal("clear_faults") }),
  z.object({ action: z.literal("reject_client_credentials"), rejected: z.boolean() }),
  z.object({
    action: z.literal("advance_clock"),
    seconds: z
      .number()
      .min(0)
      .max(365 * 86_400),
  }),
  z.object({ action: z.literal("reset") }),
  // The wearer's device uploads the next day: it exists from now on and its notifications are sent.
  z.object({ action: z.literal("upload_day"), account, deliver: z.boolean().optional() }),
  // Sends the notifications that are due now (the delivery loop also runs every minute).
  z.object({ action: z.literal("deliver_webhooks") }),
]);

async function describe(providerId: string) {
  return {
    now: (await sandboxClock(providerId)).toISOString(),
    ...(await getSandboxControls(providerId)),
    webhook_deliveries: await sandboxDeliveryCounts(providerId),
  };
}

export async function handleSandboxControl(providerId: string, request: Request): Promise<Response> {
  if (!sandboxControlsEnabled()) return json(404, { detail: "Sandbox controls are not available here." });
  const method = request.method.toUpperCase();
  if (method === "GET") return json(200, await describe(providerId));
  if (method !== "POST") return json(405, { detail: "Use GET or POST." }, { allow: "GET, POST" });
  // JSON only: a cross-site form cannot send it without a CORS preflight.
  if (!(request.headers.get("content-type") ?? "").includes("application/json"))
    return json(415, { detail: "Send application/json." });
  let body: unknown;
  try {
    body = await request.json();
  } catch {
    return json(400, { detail: "The body is not JSON." });
  }
  const parsed = controlAction.safeParse(body);
  if (!parsed.success) return json(400, { detail: z.prettifyError(parsed.error) });
  const input = parsed.data;
  switch (input.action) {
    case "expire_access_tokens":
      return json(200, { expired: await expireSandboxAccessTokens(providerId, input.account) });
    case "revoke_grant":
      return json(200, { revoked: await revokeSandboxGrant(providerId, input.account) });
    case "set_token_lifetimes":
      await setSandboxTokenLifetimes(providerId, {
        accessTokenSeconds: input.access_token_seconds,
        refreshTokenSeconds: input.refresh_token_seconds,
        codeSeconds: input.code_seconds,
      });
      break;
    case "inject_fault":
      await injectSandboxFault(providerId, {
        kind: input.kind,
        forSeconds: input.for_seconds,
        probability: input.probability,
        target: input.target,
        retryAfterSeconds: input.retry_after_seconds,
        status: input.status,
        delayMs: input.delay_ms,
      });
      break;
    case "clear_faults":
      await clearSandboxFaults(providerId);
      break;
    case "reject_client_credentials":
      await setSandboxClientCredentialsRejected(providerId, input.rejected);
      break;
    case "advance_clock":
      await advanceSandboxClock(providerId, input.seconds * 1000);
      break;
    case "reset":
      await resetSandboxControls(providerId);
      break;
    case "upload_day": {
      let uploaded;
      try {
        uploaded = await uploadSandboxDay(providerId, input.account);
      } catch (error) {
        if (error instanceof UnknownSandboxAccountError) return json(404, { detail: error.message });
        throw error;
      }
      const deliveries =
        input.deliver === false ? undefined : await deliverDueSandboxWebhooks({ providers: [providerId] });
      return json(200, { ...uploaded, ...(deliveries ? { deliveries } : {}) });
    }
    case "deliver_webhooks":
      return json(200, { deliveries: await deliverDueSandboxWebhooks({ providers: [providerId] }) });
  }
  return json(200, await describe(providerId));
}

/** The default shape of an injected failure; a sandbox whose provider differs supplies its own. */
export function defaultFaultResponse(fault: SandboxFault): Response {
  if (fault.kind === "malformed") return json(200, { unexpected: "a shape no documented answer has" });
  if (fault.kind === "rate_limit") {
    const retryAfter = String(fault.retryAfterSeconds ?? 30);
    return json(
      429,
      { status: 429, title: "Too Many Requests", detail: "Rate limit exceeded." },
      { "retry-after": retryAfter },
    );
  }
  const status = fault.status ?? 503;
  return json(status, { status, title: "Service Unavailable", detail: "The service is temporarily unavailable." });
}

/**
 * Applies the injected faults to one sandbox request: a slow fault holds the answer, then a
 * rate-limit or server-error fault answers instead of the route. The consent page and the
 * controls themselves are never faulted.
 */
export async function injectedFaultResponse(
  sandbox: ProviderSandbox,
  path: string[],
  baseUrl: string,
): Promise<Response | undefined> {
  if (!sandboxControlsEnabled()) return undefined;
  if (path[0] === "oauth" && path[1] === "authorize") return undefined;
  const endpoints = sandbox.endpoints(baseUrl);
  const tokenPath =
    "token" in endpoints ? new URL(endpoints.token).pathname.slice(new URL(baseUrl).pathname.length) : "";
  const target = tokenPath && `/${path.join("/")}` === tokenPath ? "token" : "api";
  const faults = await faultsForRequest(sandbox.providerId, target);
  const slow = faults.find((f) => f.kind === "slow");
  if (slow) await new Promise((r) => setTimeout(r, slow.delayMs ?? 0));
  const failure =
    faults.find((f) => f.kind === "rate_limit") ??
    faults.find((f) => f.kind === "server_error") ??
    faults.find((f) => f.kind === "malformed");
  if (!failure) return undefined;
  return (sandbox.faultResponse ?? defaultFaultResponse)(failure);
}
