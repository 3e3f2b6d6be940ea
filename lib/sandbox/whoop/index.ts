import { whoopSandboxTarget } from "@/lib/providers/whoop";
import { handleAuthorizeDecision, validateAuthorizeParams } from "../authorize";
import { createGenerator, localInstant, shiftDay, type GeneratorAccount } from "../data-generator";
import {
  createOAuthServer,
  sha256Hex,
  SandboxOAuthError,
  SandboxTokenError,
  type IssuedTokens,
  type OAuthErrorCode,
  type ValidatedToken,
} from "../oauth-server";
import { hitRateLimit, positiveIntFromEnv, type RateLimitResult } from "../rate-limit";
import type { ProviderSandbox, SandboxAccount, SandboxRouteHandler } from "../types";
import { sandboxDataNow } from "../uploads";
import {
  cycleDayOf,
  whoopRecordsBetween,
  whoopWorkoutsBetween,
  type IndexedRecord,
  type WhoopDataset,
  type WhoopScoringRules,
} from "./payloads";

/**
 * A faithful local WHOOP API v2 (provider-apis.md §2): an Ory Hydra-style authorisation server
 * (client credentials in the token request body, 10-minute codes, one-hour access tokens, a
 * refresh token only with the `offline` scope, single-use rotating refresh tokens, Hydra's
 * `{"error","error_description"}` bodies), and the developer API under `/developer` with
 * `{records, next_token}` paging, score states and WHOOP's rate-limit headers on every answer.
 *
 * Documented choices where WHOOP's own documentation is silent (UNSURE in the reference):
 * - collections filter on a record's `start` (recoveries on their cycle's start): `start`
 *   inclusive, `end` exclusive, default end now, no default start; newest first;
 * - a refresh request must carry `scope` including `offline`, as WHOOP's tutorial sends it;
 * - a token without the scope a route needs gets 401 (WHOOP documents no 403);
 * - the authorise request's `state` must be at least 8 characters (Hydra's `invalid_state`);
 * - error bodies of the data API are `{"message"}` (undocumented by WHOOP).
 */

const PROVIDER = "whoop";
const PROVIDER_NAME = "WHOOP";
// The client this sandbox accepts and its endpoints are declared by the provider module (the
// runtime reads them there; the sandbox never needs to be imported to reach it).
export const WHOOP_SANDBOX_CLIENT_ID = whoopSandboxTarget.clientId;
export const WHOOP_SANDBOX_CLIENT_SECRET = whoopSandboxTarget.clientSecret;

export interface WhoopSandboxAccount extends SandboxAccount, WhoopScoringRules {
  firstName: string;
  lastName: string;
  timeZone: string;
  heightM: number;
  weightKg: number;
  maxHeartRate: number;
}

export const WHOOP_SANDBOX_ACCOUNTS: WhoopSandboxAccount[] = [
  {
    id: "jordan",
    displayName: "Jordan Avery",
    email: "jordan@sandbox.whoop.test",
    firstName: "Jordan",
    lastName: "Avery",
    historyDays: 120,
    timeZone: "America/Chicago",
    userId: 10129,
    // WHOOP scores a night within the hour after waking: the latest one is briefly pending.
    scoreDelayMinutes: 45,
    unscorableRate: 0,
    heightM: 1.78,
    weightKg: 74.2,
    maxHeartRate: 194,
  },
  {
    // A strap that syncs late and sometimes cannot read a night: the last nights stay
    // PENDING_SCORE for about a day and a few recent ones are UNSCORABLE.
    id: "riley",
    displayName: "Riley Chen (strap still syncing)",
    email: "riley@sandbox.whoop.test",
    firstName: "Riley",
    lastName: "Chen",
    historyDays: 45,
    timeZone: "Europe/London",
    userId: 20417,
    scoreDelayMinutes: 30 * 60,
    unscorableRate: 0.12,
    heightM: 1.65,
    weightKg: 58.9,
    maxHeartRate: 188,
  },
];

const SCOPE_DESCRIPTIONS: Record<string, string> = {
  offline: "Stay connected without asking you again (offline access)",
  "read:recovery": "Recovery: score, HRV, resting heart rate, SpO2 and skin temperature",
  "read:cycles": "Physiological cycles: day strain, energy and heart rate",
  "read:sleep": "Sleep: stages, performance, efficiency and consistency",
  "read:workout": "Workouts and their strain",
  "read:profile": "Your name and email address",
  "read:body_measurement": "Height, weight and maximum heart rate",
};

type Dataset = keyof WhoopDataset | "workouts";

const COLLECTIONS: Record<string, { scope: string; dataset: Dataset }> = {
  "v2/cycle": { scope: "read:cycles", dataset: "cycles" },
  "v2/recovery": { scope: "read:recovery", dataset: "recoveries" },
  "v2/activity/sleep": { scope: "read:sleep", dataset: "sleeps" },
  "v2/activity/workout": { scope: "read:workout", dataset: "workouts" },
};

const DEFAULT_PAGE_SIZE = 10;
const MAX_PAGE_SIZE = 25;

export const whoopOAuth = createOAuthServer({
  provider: PROVIDER,
  clientId: WHOOP_SANDBOX_CLIENT_ID,
  clientSecret: WHOOP_SANDBOX_CLIENT_SECRET,
  codeLifetimeSeconds: 600,
  accessTokenLifetimeSeconds: 3600,
  refreshPolicy: { kind: "single-use" },
  refreshTokenRequiresScope: "offline",
  pkce: "optional",
});

/* ---------- OAuth (Ory Hydra style) ---------- */

/** Hydra's RFC 6749 descriptions, followed by the specific reason. */
const HYDRA_DESCRIPTIONS: Record<OAuthErrorCode | "unsupported_grant_type" | "invalid_scope", string> = {
  invalid_grant:
    "The provided authorization grant (e.g., authorization code, resource owner credentials) or refresh token is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client.",
  invalid_client:
    "Client authentication failed (e.g., unknown client, no client authentication included, or unsupported authentication method).",
  invalid_request:
    "The request is missing a required parameter, includes an invalid parameter value, includes a parameter more than once, or is otherwise malformed.",
  unsupported_grant_type: "The authorization grant type is not supported by the authorization server.",
  invalid_scope: "The requested scope is invalid, unknown, or malformed.",
};

function oauthError(error: keyof typeof HYDRA_DESCRIPTIONS, hint: string): Response {
  return Response.json(
    { error, error_description: `${HYDRA_DESCRIPTIONS[error]} ${hint}` },
    { status: error === "invalid_client" ? 401 : 400, headers: { "cache-control": "no-store", pragma: "no-cache" } },
  );
}

function tokenResponse(tokens: IssuedTokens): Response {
  return Response.json(
    {
      access_token: tokens.accessToken,
      expires_in: tokens.expiresIn,
      ...(tokens.refreshToken ? { refresh_token: tokens.refreshToken } : {}),
      scope: tokens.scopes.join(" "),
      token_type: tokens.tokenType,
    },
    { headers: { "cache-control": "no-store", pragma: "no-cache" } },
  );
}

/** `POST /oauth/oauth2/token`: authorization_code and refresh_token grants, client_secret_post. */
const token: SandboxRouteHandler = async (request) => {
  if (!(request.headers.get("content-type") ?? "").includes("application/x-www-form-urlencoded")) {
    return oauthError("invalid_request", "The token request must be application/x-www-form-urlencoded.");
  }
  const form = new URLSearchParams(await request.text());
  const field = (name: string) => form.get(name) ?? undefined;
  const grantType = field("grant_type");
  if (!grantType) return oauthError("invalid_request", "The grant_type parameter is missing.");
  if (grantType !== "authorization_code" && grantType !== "refresh_token") {
    return oauthError("unsupported_grant_type", `The grant type "${grantType}" is not supported.`);
  }
  const clientId = field("client_id");
  const clientSecret = field("client_secret");
  if (!clientId || !clientSecret) {
    return oauthError(
      "invalid_client",
      "This client is registered for client_secret_post: client_id and client_secret belong in the request body.",
    );
  }
  try {
    if (grantType === "authorization_code") {
      const code = field("code");
      if (!code) return oauthError("invalid_request", "The code parameter is missing.");
      return tokenResponse(
        await whoopOAuth.exchangeCode({
          code,
          clientId,
          clientSecret,
          redirectUri: field("redirect_uri"),
          codeVerifier: field("code_verifier"),
        }),
      );
    }
    const refreshToken = field("refresh_token");
    if (!refreshToken) return oauthError("invalid_request", "The refresh_token parameter is missing.");
    // Checked before the token is used, so a malformed request does not burn it.
    if (!(field("scope") ?? "").split(" ").includes("offline")) {
      return oauthError("invalid_scope", 'Refresh requests must ask for scope "offline".');
    }
    return tokenResponse(await whoopOAuth.refresh({ refreshToken, clientId, clientSecret }));
  } catch (error) {
    if (error instanceof SandboxOAuthError) return oauthError(error.code, error.message);
    throw error;
  }
};

/**
 * `POST /oauth/authorize`, the consent decision. Like WHOOP's Hydra, a state shorter than 8
 * characters is refused back to the app with `invalid_state`.
 */
const authorizeDecision: SandboxRouteHandler = async (request) => {
  const contentType = request.headers.get("content-type") ?? "";
  if (contentType.includes("application/x-www-form-urlencoded")) {
    const params = new URLSearchParams(await request.clone().text());
    const validation = validateAuthorizeParams(whoopSandbox, params);
    const state = params.get("state") ?? "";
    if (validation.ok && state.length < 8) {
      const back = new URL(validation.request.redirectUri);
      back.searchParams.set("error", "invalid_state");
      back.searchParams.set(
        "error_description",
        "The state is missing or does not have enough characters and is therefore considered too weak. Request parameter 'state' must be at least be 8 characters long to ensure sufficient entropy.",
      );
      if (state) back.searchParams.set("state", state);
      return new Response(null, { status: 302, headers: { location: back.toString(), "cache-control": "no-store" } });
    }
  }
  return handleAuthorizeDecision(whoopSandbox, PROVIDER_NAME, whoopOAuth, request);
};

/* ---------- data API ---------- */

/**
 * WHOOP's two limits (100 a minute, 10,000 a day) count every request of one application (client
 * id), whichever user's token it carries, as the real API does. The headers describe the nearest
 * one, the limit with the fewest requests left, first: `100, 100;window=60, 10000;window=86400`.
 */
async function countRequest(clientId: string): Promise<{ headers: Record<string, string>; exceeded: boolean }> {
  const now = new Date();
  const key = `client:${sha256Hex(clientId)}`;
  const minute = await hitRateLimit({
    key: `whoop:minute:${key}`,
    limit: positiveIntFromEnv("SANDBOX_WHOOP_RATE_LIMIT", 100),
    windowSeconds: 60,
    now,
  });
  const day = await hitRateLimit({
    key: `whoop:day:${key}`,
    limit: positiveIntFromEnv("SANDBOX_WHOOP_DAILY_RATE_LIMIT", 10_000),
    windowSeconds: 86_400,
    now,
  });
  const nearest: RateLimitResult =
    day.exceeded && !minute.exceeded ? day : minute.exceeded || minute.remaining <= day.remaining ? minute : day;
  const resetSeconds = Math.max(1, Math.ceil((nearest.resetAt.getTime() - now.getTime()) / 1000));
  return {
    exceeded: minute.exceeded || day.exceeded,
    headers: {
      "x-ratelimit-limit": `${nearest.limit}, ${minute.limit};window=60, ${day.limit};window=86400`,
      "x-ratelimit-remaining": String(nearest.remaining),
      "x-ratelimit-reset": String(resetSeconds),
    },
  };
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return Response.json(body, { status, headers: { "cache-control": "no-store", ...headers } });
}

type Authorised =
  | {
      ok: true;
      grant: ValidatedToken;
      account: WhoopSandboxAccount;
      accessToken: string;
      headers: Record<string, string>;
    }
  | { ok: false; response: Response };

/** Bearer token → grant → rate limit → scope. Every answer after the token check carries the rate-limit headers. */
async function authorise(request: Request, scope: string): Promise<Authorised> {
  const match = /^Bearer\s+(\S+)$/i.exec(request.headers.get("authorization") ?? "");
  const unauthorised = (message: string, headers: Record<string, string> = {}) => ({
    ok: false as const,
    response: json(401, { message }, { "www-authenticate": 'Bearer error="invalid_token"', ...headers }),
  });
  if (!match) return unauthorised("Authorization was not provided: a Bearer access token is required.");
  let grant: ValidatedToken;
  try {
    grant = await whoopOAuth.validateAccessToken(match[1]!);
  } catch (error) {
    if (error instanceof SandboxTokenError) return unauthorised(`Authorization was not valid: ${error.message}`);
    throw error;
  }
  const account = WHOOP_SANDBOX_ACCOUNTS.find((a) => a.id === grant.accountId);
  if (!account) return unauthorised("Authorization was not valid: The access token is invalid.");
  const limit = await countRequest(grant.clientId);
  if (limit.exceeded)
    return { ok: false, response: json(429, { message: "Too Many Requests: rate limit exceeded." }, limit.headers) };
  if (!grant.scopes.includes(scope))
    return unauthorised(`Authorization was not valid: the ${scope} scope was not granted.`, limit.headers);
  return { ok: true, grant, account, accessToken: match[1]!, headers: limit.headers };
}

function generatorAccount(account: WhoopSandboxAccount): GeneratorAccount {
  return { provider: PROVIDER, accountId: account.id, historyDays: account.historyDays, timeZone: account.timeZone };
}

/* Opaque next_token: base64url JSON of the query window and where the next page starts. */
interface Cursor {
  d: Dataset;
  s: number | null;
  e: number;
  /** Records starting before this instant come next. */
  b: number;
}

const encodeCursor = (cursor: Cursor) => Buffer.from(JSON.stringify(cursor)).toString("base64url");

function decodeCursor(raw: string, dataset: Dataset): Cursor | undefined {
  try {
    const value = JSON.parse(Buffer.from(raw, "base64url").toString("utf8")) as Partial<Cursor>;
    const isInstant = (x: unknown) => typeof x === "number" && Number.isFinite(x);
    if (value?.d !== dataset || !(value.s === null || isInstant(value.s)) || !isInstant(value.e) || !isInstant(value.b))
      return undefined;
    return value as Cursor;
  } catch {
    return undefined;
  }
}

/** An ISO 8601 date-time (WHOOP's `start`/`end` are date-times, not dates). */
function parseInstant(raw: string): number | undefined {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(raw)) return undefined;
  const value = Date.parse(raw);
  return Number.isNaN(value) ? undefined : value;
}

/** The instant the member's data stands at: the sandbox's clock, or the end of their latest uploaded day. */
function dataNow(account: WhoopSandboxAccount): Promise<Date> {
  return sandboxDataNow(PROVIDER, account.id, account.timeZone);
}

function recordsOf(
  dataset: Dataset,
  gen: ReturnType<typeof createGenerator>,
  account: WhoopSandboxAccount,
  from: Date,
  to: Date,
): IndexedRecord[] {
  if (dataset === "workouts") return whoopWorkoutsBetween(gen, account, from, to);
  return whoopRecordsBetween(gen, account, from, to)[dataset];
}

async function collection(request: Request, dataset: Dataset, scope: string): Promise<Response> {
  const auth = await authorise(request, scope);
  if (!auth.ok) return auth.response;
  const bad = (message: string) => json(400, { message }, auth.headers);
  const query = new URL(request.url).searchParams;
  const now = await dataNow(auth.account);

  const limitRaw = query.get("limit");
  const limit = limitRaw === null ? DEFAULT_PAGE_SIZE : Number(limitRaw);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE)
    return bad(`limit must be an integer from 1 to ${MAX_PAGE_SIZE}.`);

  let window: { s: number | null; e: number; b: number };
  const tokenRaw = query.get("nextToken");
  if (tokenRaw) {
    const cursor = decodeCursor(tokenRaw, dataset);
    if (!cursor) return bad("nextToken is invalid.");
    window = cursor;
  } else {
    const startRaw = query.get("start");
    const endRaw = query.get("end");
    const start = startRaw === null ? null : parseInstant(startRaw);
    const end = endRaw === null ? now.getTime() : parseInstant(endRaw);
    if (start === undefined) return bad("start must be an ISO 8601 date-time.");
    if (end === undefined) return bad("end must be an ISO 8601 date-time.");
    if (start !== null && start >= end) return bad("start must be before end.");
    window = { s: start, e: end, b: end };
  }

  const account = auth.account;
  const gen = createGenerator(generatorAccount(account), now);
  const from = new Date(window.s ?? 0);
  const to = new Date(Math.min(window.b, window.e));
  const records = recordsOf(dataset, gen, account, from, to);
  const page = records.slice(0, limit);
  const more = records.length > limit;
  return json(
    200,
    {
      records: page.map((r) => r.record),
      ...(more ? { next_token: encodeCursor({ d: dataset, s: window.s, e: window.e, b: page.at(-1)!.at }) } : {}),
    },
    auth.headers,
  );
}

const profile: SandboxRouteHandler = async (request) => {
  const auth = await authorise(request, "read:profile");
  if (!auth.ok) return auth.response;
  const { account } = auth;
  return json(
    200,
    { user_id: account.userId, email: account.email, first_name: account.firstName, last_name: account.lastName },
    auth.headers,
  );
};

const bodyMeasurement: SandboxRouteHandler = async (request) => {
  const auth = await authorise(request, "read:body_measurement");
  if (!auth.ok) return auth.response;
  const { account } = auth;
  return json(
    200,
    { height_meter: account.heightM, weight_kilogram: account.weightKg, max_heart_rate: account.maxHeartRate },
    auth.headers,
  );
};

/** `DELETE /v2/user/access`: the member's grant to this app ends (every token of it). */
const revokeAccess: SandboxRouteHandler = async (request) => {
  const match = /^Bearer\s+(\S+)$/i.exec(request.headers.get("authorization") ?? "");
  if (!match) return json(401, { message: "Authorization was not provided: a Bearer access token is required." });
  try {
    await whoopOAuth.validateAccessToken(match[1]!);
  } catch (error) {
    if (error instanceof SandboxTokenError)
      return json(401, { message: `Authorization was not valid: ${error.message}` });
    throw error;
  }
  await whoopOAuth.revokeToken(match[1]!);
  return new Response(null, { status: 204, headers: { "cache-control": "no-store" } });
};

/* ---------- single resources ---------- */

const notFound = (headers: Record<string, string>, what: string) =>
  json(404, { message: `${what} not found.` }, headers);

/**
 * `GET /v2/cycle/{cycleId}` and its `/recovery` and `/sleep`: the cycle id names a day of the
 * member's (another member's id is 404, like an unknown one); a non-integer id is 400.
 */
const cycleRoute =
  (part: "cycle" | "recovery" | "sleep"): SandboxRouteHandler =>
  async (request, ctx) => {
    const scope = part === "cycle" ? "read:cycles" : part === "recovery" ? "read:recovery" : "read:sleep";
    const auth = await authorise(request, scope);
    if (!auth.ok) return auth.response;
    const raw = ctx.path[3] ?? "";
    if (!/^\d{1,15}$/.test(raw)) return json(400, { message: "cycleId must be an integer." }, auth.headers);
    const { account } = auth;
    const day = cycleDayOf(account, Number(raw));
    if (!day) return notFound(auth.headers, "Cycle");
    const gen = createGenerator(generatorAccount(account), await dataNow(account));
    // The cycle of `day` starts with the night ending that morning, i.e. on the evening before.
    const from = localInstant(shiftDay(day, -2), 0, account.timeZone);
    const to = localInstant(shiftDay(day, 1), 0, account.timeZone);
    const dataset = whoopRecordsBetween(gen, account, from, to);
    const cycle = dataset.cycles.find((c) => c.record.id === Number(raw));
    if (!cycle) return notFound(auth.headers, "Cycle");
    if (part === "cycle") return json(200, cycle.record, auth.headers);
    if (part === "recovery") {
      const recovery = dataset.recoveries.find((r) => r.record.cycle_id === cycle.record.id);
      return recovery ? json(200, recovery.record, auth.headers) : notFound(auth.headers, "Recovery");
    }
    const sleep = dataset.sleeps.find((s) => s.record.cycle_id === cycle.record.id && s.record.nap === false);
    return sleep ? json(200, sleep.record, auth.headers) : notFound(auth.headers, "Sleep");
  };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** `GET /v2/activity/sleep/{sleepId}` and `/v2/activity/workout/{workoutId}`: by UUID, the member's own only. */
const byUuidRoute =
  (dataset: "sleeps" | "workouts"): SandboxRouteHandler =>
  async (request, ctx) => {
    const auth = await authorise(request, dataset === "sleeps" ? "read:sleep" : "read:workout");
    if (!auth.ok) return auth.response;
    const id = ctx.path[4] ?? "";
    const what = dataset === "sleeps" ? "Sleep" : "Workout";
    if (!UUID.test(id)) return json(400, { message: `${what.toLowerCase()}Id must be a UUID.` }, auth.headers);
    const { account } = auth;
    const now = await dataNow(account);
    const gen = createGenerator(generatorAccount(account), now);
    const from = localInstant(shiftDay(gen.bounds.firstDay, -1), 0, account.timeZone);
    const found = recordsOf(dataset, gen, account, from, new Date(now.getTime() + 1)).find((r) => r.record.id === id);
    return found ? json(200, found.record, auth.headers) : notFound(auth.headers, what);
  };

const collectionRoute =
  (path: keyof typeof COLLECTIONS): SandboxRouteHandler =>
  (request) =>
    collection(request, COLLECTIONS[path]!.dataset, COLLECTIONS[path]!.scope);

export const whoopSandbox: ProviderSandbox = {
  providerId: PROVIDER,
  clientId: WHOOP_SANDBOX_CLIENT_ID,
  clientSecret: WHOOP_SANDBOX_CLIENT_SECRET,
  accounts: WHOOP_SANDBOX_ACCOUNTS,
  scopeDescriptions: SCOPE_DESCRIPTIONS,
  endpoints: whoopSandboxTarget.endpoints,
  routes: {
    "POST /oauth/authorize": authorizeDecision,
    "POST /oauth/oauth2/token": token,
    "GET /developer/v2/cycle": collectionRoute("v2/cycle"),
    "GET /developer/v2/recovery": collectionRoute("v2/recovery"),
    "GET /developer/v2/activity/sleep": collectionRoute("v2/activity/sleep"),
    "GET /developer/v2/activity/workout": collectionRoute("v2/activity/workout"),
    "GET /developer/v2/cycle/:cycleId": cycleRoute("cycle"),
    "GET /developer/v2/cycle/:cycleId/recovery": cycleRoute("recovery"),
    "GET /developer/v2/cycle/:cycleId/sleep": cycleRoute("sleep"),
    "GET /developer/v2/activity/sleep/:sleepId": byUuidRoute("sleeps"),
    "GET /developer/v2/activity/workout/:workoutId": byUuidRoute("workouts"),
    "GET /developer/v2/user/profile/basic": profile,
    "GET /developer/v2/user/measurement/body": bodyMeasurement,
    "DELETE /developer/v2/user/access": revokeAccess,
  },
};
