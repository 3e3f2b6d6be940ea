import { ouraSandboxTarget } from "@/lib/providers/oura";
import { handleAuthorizeDecision } from "../authorize";
import { sandboxClock } from "../controls";
import {
  createGenerator,
  daysWithHistory,
  historyBounds,
  isDay,
  localDay,
  shiftDay,
  type GeneratorAccount,
} from "../data-generator";
import {
  createOAuthServer,
  sha256Hex,
  SandboxOAuthError,
  SandboxTokenError,
  type IssuedTokens,
  type ValidatedToken,
} from "../oauth-server";
import { hitRateLimit, positiveIntFromEnv } from "../rate-limit";
import type { ProviderSandbox, SandboxAccount, SandboxRouteHandler } from "../types";
import { sandboxDataNow } from "../uploads";
import {
  documentCountForDay,
  documentsForDay,
  findDocument,
  heartRateDocument,
  type OuraDailyCollection,
} from "./payloads";
import { ouraSubscriptionRoutes } from "./subscriptions";

/**
 * A faithful local Oura API v2 (provider-apis.md §1): OAuth with client credentials in the token
 * request body, 10-minute single-use codes, 24-hour access tokens, single-use refresh tokens,
 * RFC 7807 errors (plus RFC 6749 fields on OAuth routes), `{data, next_token}` paging, scope
 * checks and the 5000-requests-per-5-minutes limit with its headers.
 *
 * Range semantics (documented choice): `start_date` and `end_date` are both inclusive and compare
 * against each document's `day`; `start_datetime` is inclusive and `end_datetime` exclusive.
 */

const PROVIDER = "oura";
const PROVIDER_NAME = "Oura";
// The client this sandbox accepts and its endpoints are declared by the provider module (the
// runtime reads them there; the sandbox never needs to be imported to reach it).
export const OURA_SANDBOX_CLIENT_ID = ouraSandboxTarget.clientId;
export const OURA_SANDBOX_CLIENT_SECRET = ouraSandboxTarget.clientSecret;

interface OuraSandboxAccount extends SandboxAccount {
  timeZone: string;
  age: number;
  weightKg: number;
  heightM: number;
  biologicalSex: "female" | "male";
}

export const OURA_SANDBOX_ACCOUNTS: OuraSandboxAccount[] = [
  {
    id: "ava",
    displayName: "Ava Lindqvist",
    email: "ava@sandbox.ouraring.test",
    historyDays: 120,
    timeZone: "Europe/Stockholm",
    age: 34,
    weightKg: 61.5,
    heightM: 1.68,
    biologicalSex: "female",
  },
  {
    // A new ring: three days of history, so trend tiles without enough points show "—".
    id: "noah",
    displayName: "Noah Okafor (new ring)",
    email: "noah@sandbox.ouraring.test",
    historyDays: 3,
    timeZone: "America/New_York",
    age: 41,
    weightKg: 82.3,
    heightM: 1.83,
    biologicalSex: "male",
  },
];

const SCOPE_DESCRIPTIONS: Record<string, string> = {
  email: "Your email address",
  personal: "Personal information: age, weight, height and biological sex",
  daily: "Daily summaries: sleep, readiness and activity",
  heartrate: "Heart rate time series",
  workout: "Workouts and their summaries",
  tag: "Tags you add in the Oura app",
  session: "Guided and unguided sessions",
  spo2Daily: "Blood oxygen (SpO2) averages during sleep",
  stress: "Daytime stress and resilience",
};

/** Which scope each collection needs. The auth page's `spo2` spelling is accepted as an alias. */
const COLLECTION_SCOPES: Record<OuraDailyCollection | "heartrate", string[]> = {
  daily_sleep: ["daily"],
  sleep: ["daily"],
  daily_readiness: ["daily"],
  daily_activity: ["daily"],
  daily_spo2: ["spo2Daily", "spo2"],
  daily_stress: ["daily"],
  // Oura's documentation lists no scope for it; the live API asks for `stress` (provider-apis.md §1.1).
  daily_resilience: ["stress"],
  heartrate: ["heartrate"],
};

const DAILY_PAGE_SIZE = 10;
const HEART_RATE_PAGE_SIZE = 288;
const HEART_RATE_MAX_RANGE_MS = 30 * 86_400_000;

export const ouraOAuth = createOAuthServer({
  provider: PROVIDER,
  clientId: OURA_SANDBOX_CLIENT_ID,
  clientSecret: OURA_SANDBOX_CLIENT_SECRET,
  codeLifetimeSeconds: 600,
  accessTokenLifetimeSeconds: 86_400,
  refreshPolicy: { kind: "single-use" },
  pkce: "optional",
});

/* ---------- responses ---------- */

const TITLES: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  429: "Too Many Requests",
};

function problem(
  status: number,
  detail: string,
  extra: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Response {
  return Response.json(
    { status, title: TITLES[status] ?? "Error", detail, ...extra },
    { status, headers: { "content-type": "application/problem+json", "cache-control": "no-store", ...headers } },
  );
}

/** OAuth errors: RFC 7807 fields plus RFC 6749 `error` / `error_description`. */
function oauthProblem(status: 400 | 401, error: string, description: string): Response {
  return problem(status, description, { error, error_description: description });
}

/** FastAPI's 422 body. */
function validationError(field: string, msg: string, type: string, input: string): Response {
  return Response.json(
    { detail: [{ type, loc: ["query", field], msg, input }] },
    { status: 422, headers: { "cache-control": "no-store" } },
  );
}

const ok = (body: unknown) => Response.json(body, { headers: { "cache-control": "no-store" } });

/* ---------- OAuth routes ---------- */

function tokenResponse(tokens: IssuedTokens): Response {
  return ok({
    token_type: tokens.tokenType,
    access_token: tokens.accessToken,
    expires_in: tokens.expiresIn,
    refresh_token: tokens.refreshToken,
    scope: tokens.scopes.join(" "),
  });
}

const token: SandboxRouteHandler = async (request) => {
  if (!(request.headers.get("content-type") ?? "").includes("application/x-www-form-urlencoded")) {
    return oauthProblem(400, "invalid_request", "The token request must be application/x-www-form-urlencoded.");
  }
  const form = new URLSearchParams(await request.text());
  const field = (name: string) => form.get(name) ?? undefined;
  const grantType = field("grant_type");
  if (!grantType) return oauthProblem(400, "invalid_request", "grant_type is required.");
  if (grantType !== "authorization_code" && grantType !== "refresh_token") {
    return oauthProblem(400, "unsupported_grant_type", `grant_type ${grantType} is not supported.`);
  }
  const clientId = field("client_id");
  const clientSecret = field("client_secret");
  if (!clientId || !clientSecret) {
    return oauthProblem(401, "invalid_client", "client_id and client_secret are required in the request body.");
  }
  try {
    if (grantType === "authorization_code") {
      const code = field("code");
      if (!code) return oauthProblem(400, "invalid_request", "code is required.");
      const tokens = await ouraOAuth.exchangeCode({
        code,
        clientId,
        clientSecret,
        redirectUri: field("redirect_uri"),
        codeVerifier: field("code_verifier"),
      });
      return tokenResponse(tokens);
    }
    const refreshToken = field("refresh_token");
    if (!refreshToken) return oauthProblem(400, "invalid_request", "refresh_token is required.");
    return tokenResponse(await ouraOAuth.refresh({ refreshToken, clientId, clientSecret }));
  } catch (error) {
    if (error instanceof SandboxOAuthError) {
      return oauthProblem(error.code === "invalid_client" ? 401 : 400, error.code, error.message);
    }
    throw error;
  }
};

/** `GET|POST /oauth/revoke?access_token=…`; like RFC 7009, an unknown token is not an error. */
const revoke: SandboxRouteHandler = async (request) => {
  let value = new URL(request.url).searchParams.get("access_token");
  if (
    !value &&
    request.method === "POST" &&
    (request.headers.get("content-type") ?? "").includes("application/x-www-form-urlencoded")
  ) {
    const form = new URLSearchParams(await request.text());
    value = form.get("access_token") ?? form.get("token");
  }
  if (!value) return oauthProblem(400, "invalid_request", "access_token is required.");
  await ouraOAuth.revokeToken(value);
  return ok({});
};

/* ---------- data API ---------- */

/** Oura's two rate-limit layers, per access token and per application. */
async function rateLimited(accessTokenValue: string, grant: ValidatedToken): Promise<Response | undefined> {
  const windowSeconds = positiveIntFromEnv("SANDBOX_OURA_RATE_WINDOW_SECONDS", 300);
  const layers = [
    {
      tier: "token",
      key: `oura:token:${sha256Hex(accessTokenValue)}`,
      limit: positiveIntFromEnv("SANDBOX_OURA_RATE_LIMIT", 5000),
    },
    {
      tier: "application",
      key: `oura:app:${grant.clientId}`,
      limit: positiveIntFromEnv("SANDBOX_OURA_APP_RATE_LIMIT", 50_000),
    },
  ];
  // The sandbox clock (tests advance it instead of waiting out a window).
  const now = await sandboxClock(PROVIDER);
  for (const layer of layers) {
    const result = await hitRateLimit({ key: layer.key, limit: layer.limit, windowSeconds, now });
    if (result.exceeded) {
      const retryAfter = Math.max(1, Math.ceil((result.resetAt.getTime() - now.getTime()) / 1000));
      return problem(
        429,
        `Rate limit exceeded: ${layer.limit} requests per ${windowSeconds} seconds.`,
        {},
        {
          "retry-after": String(retryAfter),
          "x-ratelimit-limit": String(layer.limit),
          "x-ratelimit-window": String(windowSeconds),
          "x-ratelimit-reset": String(Math.floor(result.resetAt.getTime() / 1000)),
          "x-ratelimit-tier": layer.tier,
        },
      );
    }
  }
  return undefined;
}

type Authorised = { ok: true; grant: ValidatedToken; account: OuraSandboxAccount } | { ok: false; response: Response };

/** Bearer token → grant, then rate limit (checked before scopes, as every valid call counts). */
async function authorise(request: Request): Promise<Authorised> {
  const header = request.headers.get("authorization") ?? "";
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  const unauthorised = (detail: string) => ({
    ok: false as const,
    response: problem(401, detail, {}, { "www-authenticate": 'Bearer error="invalid_token"' }),
  });
  if (!match) return unauthorised("Missing bearer token.");
  let grant: ValidatedToken;
  try {
    grant = await ouraOAuth.validateAccessToken(match[1]!);
  } catch (error) {
    if (error instanceof SandboxTokenError) return unauthorised(error.message);
    throw error;
  }
  const account = OURA_SANDBOX_ACCOUNTS.find((a) => a.id === grant.accountId);
  if (!account) return unauthorised("The access token is invalid.");
  const limited = await rateLimited(match[1]!, grant);
  if (limited) return { ok: false, response: limited };
  return { ok: true, grant, account };
}

function generatorAccount(account: OuraSandboxAccount): GeneratorAccount {
  return { provider: PROVIDER, accountId: account.id, historyDays: account.historyDays, timeZone: account.timeZone };
}

/** The user id Oura gives this account (personal_info `id`, webhook `user_id`). */
export function ouraUserId(account: SandboxAccount): string {
  return `${account.id}-${sha256Hex(`oura:${account.id}`).slice(0, 12)}`;
}

/** The instant the account's data stands at: the sandbox's clock, or the end of its latest uploaded day. */
function dataNow(account: OuraSandboxAccount): Promise<Date> {
  return sandboxDataNow(PROVIDER, account.id, account.timeZone);
}

const personalInfo: SandboxRouteHandler = async (request) => {
  const auth = await authorise(request);
  if (!auth.ok) return auth.response;
  const { grant, account } = auth;
  const personal = grant.scopes.includes("personal");
  return ok({
    // The id needs no scope; the rest is null without `personal` / `email`.
    id: ouraUserId(account),
    age: personal ? account.age : null,
    weight: personal ? account.weightKg : null,
    height: personal ? account.heightM : null,
    biological_sex: personal ? account.biologicalSex : null,
    email: grant.scopes.includes("email") ? account.email : null,
  });
};

/* Opaque next_token: base64url JSON of where the next page starts within the original query. */

interface DailyCursor {
  c: string;
  s: string;
  e: string;
  o: number;
}
interface HeartRateCursor {
  c: "heartrate";
  t: number;
  e: number;
}

const encodeCursor = (cursor: DailyCursor | HeartRateCursor) =>
  Buffer.from(JSON.stringify(cursor)).toString("base64url");

function decodeCursor(raw: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(raw, "base64url").toString("utf8"));
    return value && typeof value === "object" ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** A date or date-time query value → its calendar day, or undefined when unparsable. */
function parseDayParam(raw: string): string | undefined {
  if (isDay(raw)) return raw;
  if (/^\d{4}-\d{2}-\d{2}T/.test(raw) && !Number.isNaN(Date.parse(raw)) && isDay(raw.slice(0, 10)))
    return raw.slice(0, 10);
  return undefined;
}

function parseDateTimeParam(raw: string): Date | undefined {
  if (isDay(raw)) return new Date(`${raw}T00:00:00Z`);
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(raw)) return undefined;
  const value = new Date(raw);
  return Number.isNaN(value.getTime()) ? undefined : value;
}

function dailyCollection(
  collection: OuraDailyCollection,
  query: URLSearchParams,
  account: OuraSandboxAccount,
  now: Date,
): Response {
  const gen = createGenerator(generatorAccount(account), now);
  let start: string;
  let end: string;
  let offset = 0;
  const tokenRaw = query.get("next_token");
  if (tokenRaw) {
    const cursor = decodeCursor(tokenRaw);
    if (
      !cursor ||
      cursor.c !== collection ||
      typeof cursor.s !== "string" ||
      typeof cursor.e !== "string" ||
      !isDay(cursor.s) ||
      !isDay(cursor.e) ||
      !Number.isInteger(cursor.o) ||
      (cursor.o as number) < 0
    ) {
      return problem(400, "Invalid next_token.");
    }
    start = cursor.s;
    end = cursor.e;
    offset = cursor.o as number;
  } else {
    const endRaw = query.get("end_date");
    const startRaw = query.get("start_date");
    const parsedEnd = endRaw === null ? localDay(now, account.timeZone) : parseDayParam(endRaw);
    if (!parsedEnd)
      return validationError(
        "end_date",
        "Input should be a valid date or datetime",
        "date_from_datetime_parsing",
        endRaw ?? "",
      );
    const parsedStart = startRaw === null ? shiftDay(parsedEnd, -1) : parseDayParam(startRaw);
    if (!parsedStart)
      return validationError(
        "start_date",
        "Input should be a valid date or datetime",
        "date_from_datetime_parsing",
        startRaw ?? "",
      );
    if (parsedStart > parsedEnd) return problem(400, "start_date must not be after end_date.");
    start = parsedStart;
    end = parsedEnd;
  }

  // Walk the days counting documents, and build only the page that was asked for.
  const data: Record<string, unknown>[] = [];
  let seen = 0;
  let more = false;
  for (const day of daysWithHistory(generatorAccount(account), start, end, now)) {
    const count = documentCountForDay(gen, collection, day);
    if (count === 0) continue;
    if (seen + count <= offset) {
      seen += count;
      continue;
    }
    if (data.length === DAILY_PAGE_SIZE) {
      more = true;
      break;
    }
    const docs = documentsForDay(gen, collection, day).slice(Math.max(0, offset - seen));
    const room = DAILY_PAGE_SIZE - data.length;
    data.push(...docs.slice(0, room));
    seen += count;
    if (docs.length > room) {
      more = true;
      break;
    }
  }
  const nextOffset = offset + data.length;
  return ok({ data, next_token: more ? encodeCursor({ c: collection, s: start, e: end, o: nextOffset }) : null });
}

function heartRate(query: URLSearchParams, account: OuraSandboxAccount, now: Date): Response {
  let start: Date;
  let end: Date;
  const tokenRaw = query.get("next_token");
  if (tokenRaw) {
    const cursor = decodeCursor(tokenRaw);
    if (!cursor || cursor.c !== "heartrate" || !Number.isInteger(cursor.t) || !Number.isInteger(cursor.e))
      return problem(400, "Invalid next_token.");
    start = new Date(cursor.t as number);
    end = new Date(cursor.e as number);
  } else {
    const endRaw = query.get("end_datetime");
    const startRaw = query.get("start_datetime");
    const parsedEnd = endRaw === null ? now : parseDateTimeParam(endRaw);
    if (!parsedEnd)
      return validationError(
        "end_datetime",
        "Input should be a valid datetime",
        "datetime_from_date_parsing",
        endRaw ?? "",
      );
    const parsedStart = startRaw === null ? new Date(parsedEnd.getTime() - 86_400_000) : parseDateTimeParam(startRaw);
    if (!parsedStart)
      return validationError(
        "start_datetime",
        "Input should be a valid datetime",
        "datetime_from_date_parsing",
        startRaw ?? "",
      );
    if (parsedStart.getTime() >= parsedEnd.getTime())
      return problem(400, "start_datetime must be before end_datetime.");
    if (parsedEnd.getTime() - parsedStart.getTime() > HEART_RATE_MAX_RANGE_MS)
      return problem(400, "The time range must not exceed 30 days.");
    start = parsedStart;
    end = parsedEnd;
  }
  const gen = createGenerator(generatorAccount(account), now);
  const page = gen.heartRateSamples(start, end, HEART_RATE_PAGE_SIZE);
  return ok({
    data: page.samples.map(heartRateDocument),
    next_token: page.next ? encodeCursor({ c: "heartrate", t: page.next.getTime(), e: end.getTime() }) : null,
  });
}

/** Token, rate limit, then the collection's scope: the same rules for a collection and its single documents. */
async function authoriseCollection(request: Request, collection: keyof typeof COLLECTION_SCOPES): Promise<Authorised> {
  const auth = await authorise(request);
  if (!auth.ok) return auth;
  const needed = COLLECTION_SCOPES[collection];
  if (!needed.some((scope) => auth.grant.scopes.includes(scope))) {
    return {
      ok: false,
      response: problem(403, `The access token does not grant the ${needed[0]} scope required for ${collection}.`),
    };
  }
  return auth;
}

const collectionRoute: SandboxRouteHandler = async (request, ctx) => {
  const collection = ctx.path[2] ?? "";
  if (!Object.hasOwn(COLLECTION_SCOPES, collection)) return problem(404, `Unknown collection ${collection}.`);
  const auth = await authoriseCollection(request, collection as keyof typeof COLLECTION_SCOPES);
  if (!auth.ok) return auth.response;
  const query = new URL(request.url).searchParams;
  const now = await dataNow(auth.account);
  if (collection === "heartrate") return heartRate(query, auth.account, now);
  return dailyCollection(collection as OuraDailyCollection, query, auth.account, now);
};

/**
 * `GET /v2/usercollection/{type}/{document_id}`: one document of the caller's own data (another
 * account's id is 404, like an unknown one), under the collection's scope and rate limits.
 */
const documentRoute: SandboxRouteHandler = async (request, ctx) => {
  const collection = ctx.path[2] ?? "";
  const id = ctx.path[3] ?? "";
  if (!Object.hasOwn(COLLECTION_SCOPES, collection) || collection === "heartrate")
    return problem(404, `Unknown collection ${collection}.`);
  const auth = await authoriseCollection(request, collection as OuraDailyCollection);
  if (!auth.ok) return auth.response;
  const now = await dataNow(auth.account);
  const account = generatorAccount(auth.account);
  const gen = createGenerator(account, now);
  const { firstDay, today } = historyBounds(account, now);
  // Newest first: a just-notified document is found after one day's work.
  const days = daysWithHistory(account, firstDay, today, now).reverse();
  const document = findDocument(gen, collection as OuraDailyCollection, id, days);
  return document ? ok(document) : problem(404, `No ${collection} document with id ${id}.`);
};

export const ouraSandbox: ProviderSandbox = {
  providerId: PROVIDER,
  clientId: OURA_SANDBOX_CLIENT_ID,
  clientSecret: OURA_SANDBOX_CLIENT_SECRET,
  accounts: OURA_SANDBOX_ACCOUNTS,
  scopeDescriptions: SCOPE_DESCRIPTIONS,
  endpoints: ouraSandboxTarget.endpoints,
  routes: {
    "POST /oauth/authorize": (request) => handleAuthorizeDecision(ouraSandbox, PROVIDER_NAME, ouraOAuth, request),
    "POST /oauth/token": token,
    "GET /oauth/revoke": revoke,
    "POST /oauth/revoke": revoke,
    "GET /v2/usercollection/personal_info": personalInfo,
    "GET /v2/usercollection/:collection": collectionRoute,
    "GET /v2/usercollection/:collection/:document": documentRoute,
    ...ouraSubscriptionRoutes(OURA_SANDBOX_CLIENT_ID, OURA_SANDBOX_CLIENT_SECRET),
  },
};
