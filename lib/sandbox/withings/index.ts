import { withingsSandboxTarget } from "@/lib/providers/withings";
import crypto from "node:crypto";
import { handleAuthorizeDecision } from "../authorize";
import { createGenerator, isDay, type Generator, type GeneratorAccount } from "../data-generator";
import {
  createOAuthServer,
  SandboxOAuthError,
  SandboxTokenError,
  type IssuedTokens,
  type OAuthFailureReason,
  type ValidatedToken,
} from "../oauth-server";
import { hitRateLimit, positiveIntFromEnv } from "../rate-limit";
import { sandboxClock, type SandboxFault } from "../controls";
import type { ProviderSandbox, SandboxRouteHandler } from "../types";
import { sandboxDataNow } from "../uploads";
import { withingsNotifyRoute } from "./notify";
import {
  activityForDay,
  documentsBetween,
  measureGroupsBetween,
  sleepSeriesForDay,
  type MeasureGroupDocument,
  type WithingsSandboxAccount,
} from "./payloads";

/**
 * A faithful local Withings API (provider-apis.md §3): RPC endpoints taking `action=` in a form
 * POST (GET with a query works too, as in real clients), and EVERY answer HTTP 200 with
 * `{status, body, error}` — errors included: 401 for a bad access token, 503 for invalid
 * parameters (codes, refresh tokens, client credentials, dates), 601 with `wait_seconds` past the
 * per-application limit. OAuth: comma-separated scopes, 30-second codes, 3-hour access tokens,
 * refresh tokens that rotate and stay valid for 8 hours or until the new access token is used.
 *
 * Documented choices where Withings' behaviour is not public: a missing scope answers status 214
 * (unauthorized); an unknown action 2554; `getnonce` nonces are stateless and valid for
 * 10 minutes (not single-use).
 */

const PROVIDER = "withings";
const PROVIDER_NAME = "Withings";
// The client this sandbox accepts and its endpoints are declared by the provider module (the
// runtime reads them there; the sandbox never needs to be imported to reach it).
export const WITHINGS_SANDBOX_CLIENT_ID = withingsSandboxTarget.clientId;
export const WITHINGS_SANDBOX_CLIENT_SECRET = withingsSandboxTarget.clientSecret;

export const WITHINGS_SANDBOX_ACCOUNTS: WithingsSandboxAccount[] = [
  {
    id: "sam",
    displayName: "Sam Moreau (Body+ scale, Sleep Analyzer)",
    email: "sam@sandbox.withings.test",
    historyDays: 120,
    timeZone: "Europe/Paris",
    userid: 36_820_517,
    devices: ["scale", "sleep_analyzer"],
    weightKg: 78.4,
    fatRatio: 19.6,
  },
  {
    id: "lee",
    displayName: "Lee Park (ScanWatch, BPM Connect, Thermo)",
    email: "lee@sandbox.withings.test",
    historyDays: 21,
    timeZone: "America/New_York",
    userid: 41_207_733,
    devices: ["watch", "bp_monitor", "thermometer"],
  },
];

const SCOPE_DESCRIPTIONS: Record<string, string> = {
  "user.info": "Your profile: name, birth date, gender and height",
  "user.metrics": "Your measurements: weight, body composition, blood pressure, SpO2 and temperature",
  "user.activity": "Your activity and sleep: steps, calories, heart rate and sleep summaries",
  "user.sleepevents": "Your sleep events: in and out of bed",
};

const PAGE_SIZE = { measures: 10, sleep: 7, activity: 10 } as const;
const GRACE_SECONDS = 8 * 3600;
const NONCE_LIFETIME_SECONDS = 600;

export const withingsOAuth = createOAuthServer({
  provider: PROVIDER,
  clientId: WITHINGS_SANDBOX_CLIENT_ID,
  clientSecret: WITHINGS_SANDBOX_CLIENT_SECRET,
  codeLifetimeSeconds: 30,
  accessTokenLifetimeSeconds: 10_800,
  refreshTokenLifetimeSeconds: 365 * 86_400,
  refreshPolicy: { kind: "rotating-with-grace", graceSeconds: GRACE_SECONDS },
  // Withings documents no PKCE, and its requesttoken action takes no code_verifier.
  pkce: "ignored",
});

/* ---------- the {status, body, error} envelope ---------- */

const envelope = (payload: { status: number; body?: unknown; error?: string }) =>
  Response.json(payload, { status: 200, headers: { "cache-control": "no-store" } });
const success = (body: unknown) => envelope({ status: 0, body });
const failure = (status: number, error: string, body: unknown = {}) => envelope({ status, body, error });
const invalidParams = (what: string) => failure(503, `Invalid Params: ${what}`);

/** Form fields of a POST merged over the query string (Withings accepts either). */
async function readParams(request: Request): Promise<URLSearchParams> {
  const params = new URL(request.url).searchParams;
  if (
    request.method === "POST" &&
    (request.headers.get("content-type") ?? "").includes("application/x-www-form-urlencoded")
  ) {
    for (const [k, v] of new URLSearchParams(await request.text())) params.set(k, v);
  }
  return params;
}

/** 120 requests a minute per application (Public plan); past it, status 601 with `wait_seconds`. */
async function rateLimited(clientId: string): Promise<Response | undefined> {
  // The sandbox clock (tests advance it instead of waiting out a window).
  const now = await sandboxClock(PROVIDER);
  const result = await hitRateLimit({
    key: `withings:app:${clientId}`,
    limit: positiveIntFromEnv("SANDBOX_WITHINGS_RATE_LIMIT", 120),
    windowSeconds: 60,
    now,
  });
  if (!result.exceeded) return undefined;
  const waitSeconds = Math.max(1, Math.ceil((result.resetAt.getTime() - now.getTime()) / 1000));
  return failure(601, "Too many requests", { wait_seconds: waitSeconds });
}

/* ---------- OAuth: /v2/oauth2 and /v2/signature ---------- */

const OAUTH_FAILURES: Record<OAuthFailureReason, string> = {
  client_unknown: "invalid client_id",
  client_secret_mismatch: "invalid client_secret",
  code_unknown_or_used: "invalid code",
  code_expired: "invalid code",
  code_client_mismatch: "invalid code",
  redirect_uri_mismatch: "invalid redirect_uri",
  pkce_verifier_missing: "invalid code",
  pkce_verifier_mismatch: "invalid code",
  pkce_challenge_missing: "invalid code",
  refresh_token_unknown: "invalid refresh_token",
  refresh_token_used: "invalid refresh_token",
  refresh_token_expired: "invalid refresh_token",
  refresh_token_revoked: "invalid refresh_token",
  refresh_token_client_mismatch: "invalid refresh_token",
};

function accountOf(accountId: string): WithingsSandboxAccount | undefined {
  return WITHINGS_SANDBOX_ACCOUNTS.find((a) => a.id === accountId);
}

function tokenBody(tokens: IssuedTokens): Record<string, unknown> {
  return {
    userid: accountOf(tokens.accountId)!.userid,
    access_token: tokens.accessToken,
    refresh_token: tokens.refreshToken,
    expires_in: tokens.expiresIn,
    scope: tokens.scopes.join(","),
    csrf_token: crypto.randomBytes(16).toString("hex"),
    token_type: "Bearer",
  };
}

const hmacHex = (secret: string, message: string) => crypto.createHmac("sha256", secret).update(message).digest("hex");

function safeEqualHex(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && crypto.timingSafeEqual(left, right);
}

/** Withings request signatures: HMAC-SHA256 (client secret) of `action,client_id,<nonce|timestamp>`. */
export function withingsSignature(
  action: string,
  clientId: string,
  nonceOrTimestamp: string,
  secret = WITHINGS_SANDBOX_CLIENT_SECRET,
): string {
  return hmacHex(secret, `${action},${clientId},${nonceOrTimestamp}`);
}

function nonceFor(timestamp: number): string {
  return `${timestamp}.${hmacHex(WITHINGS_SANDBOX_CLIENT_SECRET, `nonce,${timestamp}`).slice(0, 24)}`;
}

function nonceIsValid(nonce: string, now: Date): boolean {
  const timestamp = Number(nonce.split(".")[0]);
  if (!Number.isInteger(timestamp) || !safeEqualHex(nonce, nonceFor(timestamp))) return false;
  const age = now.getTime() / 1000 - timestamp;
  return age >= 0 && age <= NONCE_LIFETIME_SECONDS;
}

async function requestToken(params: URLSearchParams): Promise<Response> {
  const clientId = params.get("client_id");
  const clientSecret = params.get("client_secret");
  if (!clientId) return invalidParams("missing client_id");
  if (!clientSecret) return invalidParams("missing client_secret");
  try {
    switch (params.get("grant_type")) {
      case "authorization_code": {
        const code = params.get("code");
        if (!code) return invalidParams("missing code");
        const tokens = await withingsOAuth.exchangeCode({
          code,
          clientId,
          clientSecret,
          redirectUri: params.get("redirect_uri") ?? undefined,
        });
        return success(tokenBody(tokens));
      }
      case "refresh_token": {
        const refreshToken = params.get("refresh_token");
        if (!refreshToken) return invalidParams("missing refresh_token");
        return success(tokenBody(await withingsOAuth.refresh({ refreshToken, clientId, clientSecret })));
      }
      default:
        return invalidParams("invalid grant_type");
    }
  } catch (error) {
    if (error instanceof SandboxOAuthError) return invalidParams(OAUTH_FAILURES[error.reason]);
    throw error;
  }
}

/** `action=revoke`: the user's grants to this application end (signed with a nonce, as documented). */
async function revoke(params: URLSearchParams): Promise<Response> {
  const clientId = params.get("client_id") ?? "";
  const nonce = params.get("nonce") ?? "";
  const signature = params.get("signature") ?? "";
  const userid = Number(params.get("userid"));
  if (!withingsOAuth.isKnownClient(clientId)) return invalidParams("invalid client_id");
  if (!nonce || !nonceIsValid(nonce, new Date())) return invalidParams("invalid nonce");
  if (!safeEqualHex(signature, withingsSignature("revoke", clientId, nonce))) return invalidParams("invalid signature");
  const account = WITHINGS_SANDBOX_ACCOUNTS.find((a) => a.userid === userid);
  if (!account) return invalidParams("invalid userid");
  await withingsOAuth.revokeAccountGrants(account.id);
  return success({});
}

const oauth2: SandboxRouteHandler = async (request) => {
  const params = await readParams(request);
  const clientId = params.get("client_id");
  // Only our own application is counted (unknown client ids must not create counters).
  if (clientId && withingsOAuth.isKnownClient(clientId)) {
    const limited = await rateLimited(clientId);
    if (limited) return limited;
  }
  switch (params.get("action")) {
    case "requesttoken":
      return requestToken(params);
    case "revoke":
      return revoke(params);
    default:
      return failure(2554, "Unknown action");
  }
};

/** `POST /v2/signature action=getnonce&client_id&timestamp&signature`. */
const signatureRoute: SandboxRouteHandler = async (request) => {
  const params = await readParams(request);
  if (params.get("action") !== "getnonce") return failure(2554, "Unknown action");
  const clientId = params.get("client_id") ?? "";
  const timestamp = Number(params.get("timestamp"));
  if (!withingsOAuth.isKnownClient(clientId)) return invalidParams("invalid client_id");
  const now = Math.floor(Date.now() / 1000);
  if (!Number.isInteger(timestamp) || Math.abs(now - timestamp) > NONCE_LIFETIME_SECONDS)
    return invalidParams("invalid timestamp");
  if (!safeEqualHex(params.get("signature") ?? "", withingsSignature("getnonce", clientId, String(timestamp)))) {
    return invalidParams("invalid signature");
  }
  return success({ nonce: nonceFor(now) });
};

/* ---------- data API ---------- */

type Authorised =
  { ok: true; grant: ValidatedToken; account: WithingsSandboxAccount } | { ok: false; response: Response };

const INVALID_TOKEN = "XRequestID: Not provided invalid_token: The access token provided is invalid";

/** Bearer token → grant, then the per-application limit. */
async function authoriseToken(request: Request): Promise<Authorised> {
  const match = /^Bearer\s+(\S+)$/i.exec(request.headers.get("authorization") ?? "");
  if (!match) return { ok: false, response: failure(401, INVALID_TOKEN) };
  let grant: ValidatedToken;
  try {
    grant = await withingsOAuth.validateAccessToken(match[1]!);
  } catch (error) {
    if (error instanceof SandboxTokenError) return { ok: false, response: failure(401, INVALID_TOKEN) };
    throw error;
  }
  const account = accountOf(grant.accountId);
  if (!account) return { ok: false, response: failure(401, INVALID_TOKEN) };
  const limited = await rateLimited(grant.clientId);
  if (limited) return { ok: false, response: limited };
  return { ok: true, grant, account };
}

/** Bearer token → grant, the per-application limit, then the scope the service needs. */
async function authorise(request: Request, scope: string): Promise<Authorised> {
  const auth = await authoriseToken(request);
  if (!auth.ok) return auth;
  if (!auth.grant.scopes.includes(scope))
    return { ok: false, response: failure(214, `Unauthorized: the ${scope} scope was not granted`) };
  return auth;
}

async function generatorFor(account: WithingsSandboxAccount) {
  const generatorAccount: GeneratorAccount = {
    provider: PROVIDER,
    accountId: account.id,
    historyDays: account.historyDays,
    timeZone: account.timeZone,
  };
  return createGenerator(generatorAccount, await sandboxDataNow(PROVIDER, account.id, account.timeZone));
}

/** A non-negative integer parameter; `undefined` when absent, `null` when malformed. */
function intParam(params: URLSearchParams, name: string): number | undefined | null {
  const raw = params.get(name);
  if (raw === null || raw === "") return undefined;
  return /^\d+$/.test(raw) ? Number(raw) : null;
}

function page<T>(items: T[], offset: number, size: number): { items: T[]; more: boolean; offset: number } {
  const slice = items.slice(offset, offset + size);
  const more = offset + size < items.length;
  return { items: slice, more, offset: more ? offset + slice.length : 0 };
}

/** `POST /measure action=getmeas`. */
const measureRoute: SandboxRouteHandler = async (request) => {
  const auth = await authorise(request, "user.metrics");
  if (!auth.ok) return auth.response;
  const params = await readParams(request);
  if (params.get("action") !== "getmeas") return failure(2554, "Unknown action");
  const startdate = intParam(params, "startdate");
  const enddate = intParam(params, "enddate");
  const lastupdate = intParam(params, "lastupdate");
  const offset = intParam(params, "offset");
  const category = intParam(params, "category");
  if (startdate === null || enddate === null || lastupdate === null || offset === null || category === null)
    return invalidParams("malformed number");
  if (category !== undefined && category !== 1 && category !== 2) return invalidParams("invalid category");
  const typesRaw = params.get("meastypes") ?? params.get("meastype");
  const types = typesRaw ? typesRaw.split(",").map((t) => Number(t.trim())) : undefined;
  if (types && types.some((t) => !Number.isInteger(t) || t <= 0)) return invalidParams("invalid meastype");

  const { account } = auth;
  const gen = await generatorFor(account);
  const now = Math.floor(gen.now.getTime() / 1000);
  const from = Math.max(
    startdate ?? 0,
    lastupdate ?? 0,
    Math.floor(gen.now.getTime() / 1000) - (account.historyDays + 1) * 86_400,
  );
  const to = Math.min(enddate ?? now, now);
  // Category 2 (objectives) is empty in the sandbox; newest first, as Withings lists them.
  let groups: MeasureGroupDocument[] =
    category === 2 || from > to ? [] : measureGroupsBetween(gen, account, from, to).reverse();
  if (types) {
    groups = groups
      .map((g) => ({ ...g, measures: g.measures.filter((m) => types.includes(m.type)) }))
      .filter((g) => g.measures.length > 0);
  }
  const p = page(groups, offset ?? 0, PAGE_SIZE.measures);
  return success({
    updatetime: now,
    timezone: account.timeZone,
    measuregrps: p.items,
    more: p.more ? 1 : 0,
    offset: p.offset,
  });
};

/** Day-keyed v2 services: `startdateymd`+`enddateymd`, or `lastupdate` (both at once → nothing, as observed). */
function dayRange(
  params: URLSearchParams,
  today: string,
): { start: string; end: string } | { empty: true } | { error: Response } {
  const start = params.get("startdateymd");
  const end = params.get("enddateymd");
  const lastupdate = intParam(params, "lastupdate");
  if (lastupdate === null) return { error: invalidParams("malformed lastupdate") };
  if (lastupdate !== undefined) {
    if (start || end) return { empty: true };
    return { start: new Date(lastupdate * 1000).toISOString().slice(0, 10), end: today };
  }
  if (!start || !end || !isDay(start) || !isDay(end))
    return { error: invalidParams("startdateymd and enddateymd (YYYY-MM-DD) are required") };
  if (start > end) return { error: invalidParams("startdateymd is after enddateymd") };
  return { start, end };
}

type DayDocument = Record<string, unknown>;

function dayService(config: {
  scope: string;
  action: string;
  itemsKey: string;
  pageSize: number;
  forDay: (gen: Generator, account: WithingsSandboxAccount, day: string) => DayDocument[];
  /** Keeps only the value fields `data_fields` names. */
  selectFields: (doc: DayDocument, fields: string[]) => DayDocument;
}): SandboxRouteHandler {
  return async (request) => {
    const auth = await authorise(request, config.scope);
    if (!auth.ok) return auth.response;
    const params = await readParams(request);
    if (params.get("action") !== config.action) return failure(2554, "Unknown action");
    const offset = intParam(params, "offset");
    if (offset === null) return invalidParams("malformed offset");
    const { account } = auth;
    const gen = await generatorFor(account);
    const range = dayRange(params, gen.bounds.today);
    if ("error" in range) return range.error;
    let docs = "empty" in range ? [] : documentsBetween(gen, account, range.start, range.end, config.forDay);
    const fields = params
      .get("data_fields")
      ?.split(",")
      .map((f) => f.trim())
      .filter(Boolean);
    if (fields?.length) docs = docs.map((doc) => config.selectFields(doc, fields));
    const p = page(docs, offset ?? 0, config.pageSize);
    return success({ [config.itemsKey]: p.items, more: p.more, offset: p.offset });
  };
}

const pickFields = (values: Record<string, unknown>, fields: string[]) =>
  Object.fromEntries(Object.entries(values).filter(([k]) => fields.includes(k)));

/** Activity value fields that `data_fields` selects (the rest of an activity document always comes). */
const ACTIVITY_VALUE_FIELDS = new Set([
  "steps",
  "distance",
  "elevation",
  "soft",
  "moderate",
  "intense",
  "active",
  "calories",
  "totalcalories",
  "hr_average",
  "hr_min",
  "hr_max",
  "hr_zone_0",
  "hr_zone_1",
  "hr_zone_2",
  "hr_zone_3",
]);

// Sleep summaries are served under the user.activity scope, as Withings documents.
const sleepRoute = dayService({
  scope: "user.activity",
  action: "getsummary",
  itemsKey: "series",
  pageSize: PAGE_SIZE.sleep,
  forDay: sleepSeriesForDay,
  selectFields: (doc, fields) => ({ ...doc, data: pickFields(doc.data as Record<string, unknown>, fields) }),
});

const activityRoute = dayService({
  scope: "user.activity",
  action: "getactivity",
  itemsKey: "activities",
  pageSize: PAGE_SIZE.activity,
  forDay: activityForDay,
  selectFields: (doc, fields) =>
    Object.fromEntries(Object.entries(doc).filter(([k]) => !ACTIVITY_VALUE_FIELDS.has(k) || fields.includes(k))),
});

const notifyRoute = withingsNotifyRoute({
  provider: PROVIDER,
  clientId: WITHINGS_SANDBOX_CLIENT_ID,
  authenticate: async (request) => {
    const auth = await authoriseToken(request);
    return auth.ok ? { accountId: auth.account.id, scopes: auth.grant.scopes } : auth.response;
  },
  readParams,
  envelope,
});

export const withingsSandbox: ProviderSandbox = {
  providerId: PROVIDER,
  clientId: WITHINGS_SANDBOX_CLIENT_ID,
  clientSecret: WITHINGS_SANDBOX_CLIENT_SECRET,
  accounts: WITHINGS_SANDBOX_ACCOUNTS,
  scopeDescriptions: SCOPE_DESCRIPTIONS,
  // Withings' scopes are comma-separated, without spaces.
  scopeSeparator: ",",
  endpoints: withingsSandboxTarget.endpoints,
  // Withings throttles inside HTTP 200 (status 601 with wait_seconds); an outage is plain HTTP.
  faultResponse: (fault: SandboxFault) =>
    fault.kind === "rate_limit"
      ? failure(601, "Too many requests", { wait_seconds: fault.retryAfterSeconds ?? 60 })
      : fault.kind === "malformed"
        ? Response.json({ unexpected: "no status" })
        : new Response("Service Unavailable", { status: fault.status ?? 503 }),
  routes: {
    "POST /oauth/authorize": (request) =>
      handleAuthorizeDecision(withingsSandbox, PROVIDER_NAME, withingsOAuth, request),
    "POST /v2/oauth2": oauth2,
    "POST /v2/signature": signatureRoute,
    "POST /measure": measureRoute,
    "GET /measure": measureRoute,
    "POST /v2/sleep": sleepRoute,
    "GET /v2/sleep": sleepRoute,
    "POST /v2/measure": activityRoute,
    "GET /v2/measure": activityRoute,
    "POST /notify": notifyRoute,
    "GET /notify": notifyRoute,
  },
};
