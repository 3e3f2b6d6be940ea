import crypto from "node:crypto";
import { and, eq, lt, sql } from "drizzle-orm";
import { z } from "zod";
import { getDb } from "@/lib/db/client";
import { sandboxSessions } from "@/lib/db/schema";
import {
  GARMIN_DI_CLIENT_ID,
  GARMIN_DI_TICKET_GRANT,
  GARMIN_SANDBOX_CLIENT_SECRET,
  GARMIN_SSO_SERVICE,
  garminSandboxTarget,
} from "@/lib/providers/garmin";
import { sandboxNow } from "../clock";
import { sandboxClock } from "../controls";
import { createGenerator, isDay, type Generator, type GeneratorAccount } from "../data-generator";
import { createOAuthServer, sha256Hex, SandboxOAuthError, SandboxTokenError } from "../oauth-server";
import type { ProviderSandbox, SandboxRouteHandler } from "../types";
import { GARMIN_SANDBOX_EMAILS, GARMIN_SANDBOX_MFA_CODE, GARMIN_SANDBOX_PASSWORD } from "./accounts";
import {
  dailySleepData,
  dailySummary,
  displayNameOf,
  hrvData,
  socialProfile,
  trainingReadiness,
  type GarminSandboxAccount,
} from "./payloads";

/**
 * A local Garmin Connect, as the Connect mobile app sees it in 2026 (docs/providers/garmin.md,
 * after python-garminconnect 0.3):
 *
 * SSO (`/sso/…`): `POST /mobile/api/login?clientId=GCM_IOS_DARK&locale&service=…/gcm/ios` answers
 * `{serviceURL, serviceTicketId, responseStatus:{type, message, httpStatus}, customerMfaInfo,
 * authType:"CAS"}` where `type` is SUCCESSFUL, MFA_REQUIRED, INVALID_USERNAME_PASSWORD (HTTP 401)
 * or ACCOUNT_LOCKED (HTTP 423). MFA_REQUIRED sets a `SESSIONID` cookie; the code (always 123456
 * here, "sent by email") goes to `POST /mobile/api/mfa/verifyCode` with that cookie within 5
 * minutes: INVALID_MFA_CODE (HTTP 400) may be retried up to 5 times, after which, or after the 5
 * minutes, it is MFA_CODE_EXPIRED (HTTP 400) and the sign-in must start over.
 *
 * DI OAuth2 (`/diauth/di-oauth2-service/oauth/token`, form-encoded, `Authorization: Basic
 * base64("<client_id>:")` matching the form's `client_id`): the service-ticket grant turns a
 * single-use, 2-minute ticket (its `service_url` must be the login's service) into a bearer access
 * token (86 400 s) and a refresh token (7 776 000 s), on the sandbox clock; `grant_type=refresh_token`
 * renews them. Refresh tokens are single-use (assumed: Garmin does not say; the strict case).
 * Errors are OAuth2 JSON `{error, error_description}`: 400 invalid_grant / invalid_request /
 * unsupported_grant_type, 401 invalid_client.
 *
 * connectapi (`/connectapi/…`): data endpoints take the bearer and answer 401
 * `{"message","error":"UnauthorizedException"}` without a valid one. The pre-2026 OAuth1 routes
 * (`/oauth-service/oauth/preauthorized`, `/exchange/user/2.0`) answer 403, as Garmin's do.
 *
 * All sign-in state (MFA sessions and attempts, tickets) lives in `sandbox_sessions`; tokens in
 * `sandbox_tokens`. Never in process memory.
 */

const PROVIDER = "garmin";

export const GARMIN_MFA_TTL_MS = 5 * 60_000;
const MFA_MAX_ATTEMPTS = 5;
const TICKET_TTL_MS = 2 * 60_000;
export const GARMIN_DI_ACCESS_LIFETIME_S = 86_400;
export const GARMIN_DI_REFRESH_LIFETIME_S = 90 * 86_400;
/** Garmin states no limit for HRV ranges; the sandbox refuses more than its 28-day limit elsewhere. */
export const GARMIN_SANDBOX_RANGE_MAX_DAYS = 28;
const SCOPES = ["CONNECT_READ", "CONNECT_WRITE", "COMMUNITY_COURSE_READ", "GOLF_API_READ", "ATP_READ"];
const SESSION_COOKIE = "SESSIONID";
const SSO_CLIENT_ID = "GCM_IOS_DARK";

export const GARMIN_SANDBOX_ACCOUNTS: GarminSandboxAccount[] = [
  {
    id: "alex",
    displayName: "Alex Moreno",
    fullName: "Alex Moreno",
    email: GARMIN_SANDBOX_EMAILS.plain,
    password: GARMIN_SANDBOX_PASSWORD,
    historyDays: 120,
    timeZone: "Europe/Madrid",
  },
  {
    id: "mika",
    displayName: "Mika Tanaka (MFA)",
    fullName: "Mika Tanaka",
    email: GARMIN_SANDBOX_EMAILS.mfa,
    password: GARMIN_SANDBOX_PASSWORD,
    mfa: true,
    historyDays: 90,
    timeZone: "America/Denver",
  },
  {
    id: "lee",
    displayName: "Lee Park (locked)",
    fullName: "Lee Park",
    email: GARMIN_SANDBOX_EMAILS.locked,
    password: GARMIN_SANDBOX_PASSWORD,
    locked: true,
    historyDays: 30,
    timeZone: "Asia/Seoul",
  },
];

/** DI clients are public: the "secret" is the empty password of the Basic header. */
const di = createOAuthServer({
  provider: PROVIDER,
  clientId: GARMIN_DI_CLIENT_ID,
  clientSecret: "",
  codeLifetimeSeconds: TICKET_TTL_MS / 1000,
  accessTokenLifetimeSeconds: GARMIN_DI_ACCESS_LIFETIME_S,
  refreshTokenLifetimeSeconds: GARMIN_DI_REFRESH_LIFETIME_S,
  refreshPolicy: { kind: "single-use" },
  pkce: "ignored",
});

/* ---------- helpers ---------- */

function safeEqual(a: string, b: string): boolean {
  return crypto.timingSafeEqual(
    crypto.createHash("sha256").update(a).digest(),
    crypto.createHash("sha256").update(b).digest(),
  );
}

const noStore = { "cache-control": "no-store" };
const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  Response.json(body, { status, headers: { ...noStore, ...headers } });

const HTTP_STATUS_NAMES: Record<number, string> = {
  200: "OK",
  400: "BAD_REQUEST",
  401: "UNAUTHORIZED",
  403: "FORBIDDEN",
  423: "LOCKED",
};

/** The SSO's JSON answer shape, for every outcome. */
function ssoAnswer(
  status: number,
  type: string,
  message: string,
  extra: { ticket?: string; mfaMethod?: string } = {},
  headers: Headers = new Headers(),
): Response {
  headers.set("cache-control", "no-store");
  headers.set("content-type", "application/json");
  return new Response(
    JSON.stringify({
      serviceURL: extra.ticket ? GARMIN_SSO_SERVICE : null,
      serviceTicketId: extra.ticket ?? null,
      responseStatus: { type, message, httpStatus: HTTP_STATUS_NAMES[status] ?? String(status) },
      customerMfaInfo: extra.mfaMethod ? { mfaLastMethodUsed: extra.mfaMethod } : null,
      authType: "CAS",
    }),
    { status, headers },
  );
}

/** connectapi's error body. */
const apiError = (status: number, message: string, error: string, headers: Record<string, string> = {}) =>
  json(status, { message, error }, headers);

/** The DI token endpoint's OAuth2 error body. */
const oauthError = (status: number, error: string, description: string) =>
  json(status, { error, error_description: description });

function readCookie(request: Request, name: string): string | undefined {
  for (const part of (request.headers.get("cookie") ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

async function readJsonBody(request: Request): Promise<unknown> {
  try {
    return await request.json();
  } catch {
    return undefined;
  }
}

function accountByEmail(email: string): GarminSandboxAccount | undefined {
  return GARMIN_SANDBOX_ACCOUNTS.find((a) => a.email.toLowerCase() === email.trim().toLowerCase());
}

function accountById(id: string): GarminSandboxAccount | undefined {
  return GARMIN_SANDBOX_ACCOUNTS.find((a) => a.id === id);
}

const sessionKey = (kind: string, value: string) => sha256Hex(`${PROVIDER}:${kind}:${value}`);

/** A CAS service ticket: a DI authorization code for the login's service, single-use, 2 minutes. */
async function issueTicket(accountId: string): Promise<string> {
  const code = await di.issueCode({
    accountId,
    clientId: GARMIN_DI_CLIENT_ID,
    redirectUri: GARMIN_SSO_SERVICE,
    scopes: SCOPES,
  });
  return `ST-${code}-sso`;
}

/* ---------- SSO ---------- */

function checkSsoQuery(request: Request): Response | undefined {
  const query = new URL(request.url).searchParams;
  if (query.get("clientId") !== SSO_CLIENT_ID) return ssoAnswer(400, "INVALID_CLIENT_ID", "Unknown clientId.");
  if (query.get("service") !== GARMIN_SSO_SERVICE)
    return ssoAnswer(400, "INVALID_SERVICE", "service must be the Connect mobile app's.");
  return undefined;
}

const loginBody = z.object({
  username: z.string().min(1).max(320),
  password: z.string().min(1).max(1024),
  rememberMe: z.boolean().optional(),
  captchaToken: z.string().optional(),
});

const login: SandboxRouteHandler = async (request) => {
  const badQuery = checkSsoQuery(request);
  if (badQuery) return badQuery;
  const parsed = loginBody.safeParse(await readJsonBody(request));
  if (!parsed.success) return ssoAnswer(400, "INVALID_REQUEST", "username and password are required.");
  const account = accountByEmail(parsed.data.username);
  // Same answer for an unknown email and a wrong password.
  if (!account || !safeEqual(parsed.data.password, account.password ?? crypto.randomUUID())) {
    return ssoAnswer(401, "INVALID_USERNAME_PASSWORD", "Invalid username or password.");
  }
  if (account.locked)
    return ssoAnswer(423, "ACCOUNT_LOCKED", "This account has been locked. Reset your password to unlock it.");
  if (!account.mfa) return ssoAnswer(200, "SUCCESSFUL", "", { ticket: await issueTicket(account.id) });

  // The code goes out "by email"; the half-signed-in session (its cookie) waits 5 minutes for it.
  const db = await getDb();
  const now = await sandboxClock(PROVIDER);
  await db
    .delete(sandboxSessions)
    .where(and(eq(sandboxSessions.provider, PROVIDER), lt(sandboxSessions.expiresAt, now)));
  const sessionId = crypto.randomBytes(24).toString("base64url");
  await db.insert(sandboxSessions).values({
    id: sessionKey("sso", sessionId),
    provider: PROVIDER,
    accountId: account.id,
    kind: "sso_mfa",
    payload: { attempts: 0, method: "email" },
    expiresAt: new Date(now.getTime() + GARMIN_MFA_TTL_MS),
  });
  const headers = new Headers();
  headers.append("set-cookie", `${SESSION_COOKIE}=${sessionId}; Path=/; HttpOnly; Secure; SameSite=None`);
  return ssoAnswer(200, "MFA_REQUIRED", "", { mfaMethod: "email" }, headers);
};

const mfaBody = z.object({
  mfaMethod: z.string().optional(),
  mfaVerificationCode: z.string().min(1).max(32),
  rememberMyBrowser: z.boolean().optional(),
  reconsentList: z.array(z.unknown()).optional(),
  mfaSetup: z.boolean().optional(),
});

const verifyCode: SandboxRouteHandler = async (request) => {
  const badQuery = checkSsoQuery(request);
  if (badQuery) return badQuery;
  const cookie = readCookie(request, SESSION_COOKIE);
  if (!cookie) return ssoAnswer(403, "INVALID_SESSION", "Your sign-in session has expired. Sign in again.");
  const parsed = mfaBody.safeParse(await readJsonBody(request));
  if (!parsed.success) return ssoAnswer(400, "INVALID_REQUEST", "mfaVerificationCode is required.");
  const db = await getDb();
  const now = await sandboxClock(PROVIDER);
  const id = sessionKey("sso", cookie);
  const [session] = await db
    .select()
    .from(sandboxSessions)
    .where(and(eq(sandboxSessions.id, id), eq(sandboxSessions.kind, "sso_mfa"), eq(sandboxSessions.consumed, false)));
  const expired = () =>
    ssoAnswer(400, "MFA_CODE_EXPIRED", "The verification code has expired. Sign in again to get a new one.");
  if (!session) return expired();
  if (session.expiresAt.getTime() <= now.getTime()) {
    await db.update(sandboxSessions).set({ consumed: true }).where(eq(sandboxSessions.id, id));
    return expired();
  }
  if (safeEqual(parsed.data.mfaVerificationCode.trim(), GARMIN_SANDBOX_MFA_CODE)) {
    const [claimed] = await db
      .update(sandboxSessions)
      .set({ consumed: true })
      .where(and(eq(sandboxSessions.id, id), eq(sandboxSessions.consumed, false)))
      .returning({ accountId: sandboxSessions.accountId });
    if (!claimed) return expired();
    return ssoAnswer(200, "SUCCESSFUL", "", { ticket: await issueTicket(claimed.accountId) });
  }
  // A wrong code counts; the fifth one ends the sign-in. Counted in SQL so parallel tries all count.
  const [counted] = await db
    .update(sandboxSessions)
    .set({
      payload: sql`jsonb_set(${sandboxSessions.payload}, '{attempts}', to_jsonb(coalesce((${sandboxSessions.payload}->>'attempts')::int, 0) + 1))`,
      consumed: sql`coalesce((${sandboxSessions.payload}->>'attempts')::int, 0) + 1 >= ${MFA_MAX_ATTEMPTS}`,
    })
    .where(and(eq(sandboxSessions.id, id), eq(sandboxSessions.consumed, false)))
    .returning({ consumed: sandboxSessions.consumed });
  if (!counted || counted.consumed) return expired();
  return ssoAnswer(400, "INVALID_MFA_CODE", "The verification code is not correct.");
};

/* ---------- DI OAuth2 ---------- */

/** The client id of `Authorization: Basic base64("<client_id>:")`, or undefined. */
function basicClientId(request: Request): string | undefined {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(request.headers.get("authorization") ?? "");
  if (!match) return undefined;
  const decoded = Buffer.from(match[1]!, "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon <= 0) return undefined;
  return decoded.slice(0, colon);
}

function diFailure(error: unknown): Response {
  if (!(error instanceof SandboxOAuthError)) throw error;
  if (error.reason === "client_unknown" || error.reason === "client_secret_mismatch")
    return oauthError(401, "invalid_client", "Client authentication failed.");
  const descriptions: Partial<Record<SandboxOAuthError["reason"], string>> = {
    code_unknown_or_used: "The service ticket is invalid or was already used.",
    code_expired: "The service ticket has expired.",
    redirect_uri_mismatch: "service_url does not match the ticket's service.",
    refresh_token_unknown: "Invalid refresh token.",
    refresh_token_used: "The refresh token was already used.",
    refresh_token_expired: "The refresh token has expired.",
    refresh_token_revoked: "The refresh token was revoked.",
  };
  return oauthError(400, "invalid_grant", descriptions[error.reason] ?? "The grant is invalid.");
}

const diTokenEndpoint: SandboxRouteHandler = async (request) => {
  if (!(request.headers.get("content-type") ?? "").includes("application/x-www-form-urlencoded"))
    return oauthError(400, "invalid_request", "The body must be application/x-www-form-urlencoded.");
  const form = new URLSearchParams(await request.text());
  const clientId = basicClientId(request);
  if (!clientId || clientId !== form.get("client_id") || !safeEqual(clientId, GARMIN_DI_CLIENT_ID))
    return oauthError(401, "invalid_client", "Client authentication failed.");
  const answer = (t: Awaited<ReturnType<typeof di.refresh>>) =>
    json(200, {
      access_token: t.accessToken,
      token_type: "bearer",
      refresh_token: t.refreshToken,
      expires_in: t.expiresIn,
      refresh_token_expires_in: GARMIN_DI_REFRESH_LIFETIME_S,
      scope: t.scopes.join(" "),
      jti: crypto.randomUUID(),
    });
  try {
    switch (form.get("grant_type")) {
      case GARMIN_DI_TICKET_GRANT: {
        const ticket = /^ST-(.+)-sso$/.exec(form.get("service_ticket") ?? "")?.[1];
        const serviceUrl = form.get("service_url");
        if (!ticket || !serviceUrl)
          return oauthError(400, "invalid_request", "service_ticket and service_url are required.");
        return answer(await di.exchangeCode({ code: ticket, clientId, clientSecret: "", redirectUri: serviceUrl }));
      }
      case "refresh_token": {
        const refreshToken = form.get("refresh_token");
        if (!refreshToken) return oauthError(400, "invalid_request", "refresh_token is required.");
        return answer(await di.refresh({ refreshToken, clientId, clientSecret: "" }));
      }
      default:
        return oauthError(400, "unsupported_grant_type", "Unsupported grant_type.");
    }
  } catch (error) {
    return diFailure(error);
  }
};

/** The pre-2026 OAuth1 routes: Garmin refuses them since March 2026. */
const oauth1Retired: SandboxRouteHandler = () =>
  Promise.resolve(apiError(403, "This sign-in method is no longer supported", "ForbiddenException"));

/** "The user revoked access on Garmin's side": every token of the account dies. */
export async function revokeGarminSandboxSessions(accountId: string): Promise<void> {
  await di.revokeAccountGrants(accountId);
}

/* ---------- data API ---------- */

type Authorised = { ok: true; account: GarminSandboxAccount } | { ok: false; response: Response };

async function authorise(request: Request): Promise<Authorised> {
  const match = /^Bearer\s+(\S+)$/i.exec(request.headers.get("authorization") ?? "");
  const unauthorised = (message: string): Authorised => ({
    ok: false,
    response: apiError(401, message, "UnauthorizedException", { "www-authenticate": 'Bearer realm="connectapi"' }),
  });
  if (!match) return unauthorised("Missing bearer token");
  try {
    const grant = await di.validateAccessToken(match[1]!);
    const account = accountById(grant.accountId);
    return account ? { ok: true, account } : unauthorised("Invalid token");
  } catch (error) {
    if (error instanceof SandboxTokenError)
      return unauthorised(error.reason === "expired" ? "Token expired" : "Invalid token");
    throw error;
  }
}

function generatorFor(account: GarminSandboxAccount) {
  const generatorAccount: GeneratorAccount = {
    provider: PROVIDER,
    accountId: account.id,
    historyDays: account.historyDays,
    timeZone: account.timeZone,
  };
  return createGenerator(generatorAccount, sandboxNow());
}

const badDate = (value: string | null) =>
  apiError(400, `Invalid date '${value ?? ""}', expected yyyy-MM-dd`, "BadRequestException");

function ownDisplayName(account: GarminSandboxAccount, requested: string | undefined): Response | undefined {
  if (requested === displayNameOf(account)) return undefined;
  return apiError(403, "You are not allowed to view this user's data", "ForbiddenException");
}

const profile: SandboxRouteHandler = async (request) => {
  const auth = await authorise(request);
  if (!auth.ok) return auth.response;
  return json(200, socialProfile(auth.account));
};

/**
 * A per-day data route. The day is in the query parameter `dayParam`, with the account's own
 * displayName as the last path segment, or (without `dayParam`) is the last path segment itself.
 * A payload of undefined is a day without data, which Garmin answers with 204.
 */
function dayRoute(
  payloadOf: (gen: Generator, account: GarminSandboxAccount, day: string) => unknown,
  dayParam?: string,
): SandboxRouteHandler {
  return async (request, ctx) => {
    const auth = await authorise(request);
    if (!auth.ok) return auth.response;
    let day: string | null;
    if (dayParam) {
      const forbidden = ownDisplayName(auth.account, ctx.path.at(-1));
      if (forbidden) return forbidden;
      day = new URL(request.url).searchParams.get(dayParam);
    } else {
      day = ctx.path.at(-1)!;
    }
    if (!day || !isDay(day)) return badDate(day);
    const body = payloadOf(generatorFor(auth.account), auth.account, day);
    return body === undefined ? new Response(null, { status: 204, headers: noStore }) : json(200, body);
  };
}

const summary = dayRoute(dailySummary, "calendarDate");
const sleepData = dayRoute(dailySleepData, "date");
const hrv = dayRoute(hrvData);
const readiness = dayRoute(trainingReadiness);

/** HRV by range: `{hrvSummaries: [...]}` for the days with a night, at most 28 days. */
const hrvRange: SandboxRouteHandler = async (request, ctx) => {
  const auth = await authorise(request);
  if (!auth.ok) return auth.response;
  const [start, end] = ctx.path.slice(-2) as [string, string];
  if (!isDay(start)) return badDate(start);
  if (!isDay(end)) return badDate(end);
  const days = (Date.parse(`${end}T00:00:00Z`) - Date.parse(`${start}T00:00:00Z`)) / 86_400_000 + 1;
  if (days < 1) return apiError(400, "startDate must not be after endDate", "BadRequestException");
  if (days > GARMIN_SANDBOX_RANGE_MAX_DAYS)
    return apiError(400, `The range may cover at most ${GARMIN_SANDBOX_RANGE_MAX_DAYS} days`, "BadRequestException");
  const gen = generatorFor(auth.account);
  const hrvSummaries: unknown[] = [];
  for (let i = 0; i < days; i++) {
    const day = new Date(Date.parse(`${start}T00:00:00Z`) + i * 86_400_000).toISOString().slice(0, 10);
    const body = hrvData(gen, auth.account, day);
    if (body) hrvSummaries.push(body.hrvSummary);
  }
  return json(200, { hrvSummaries });
};

export const garminSandbox: ProviderSandbox = {
  providerId: PROVIDER,
  clientId: GARMIN_DI_CLIENT_ID,
  clientSecret: GARMIN_SANDBOX_CLIENT_SECRET,
  accounts: GARMIN_SANDBOX_ACCOUNTS,
  endpoints: garminSandboxTarget.endpoints,
  routes: {
    "POST /sso/mobile/api/login": login,
    "POST /sso/mobile/api/mfa/verifyCode": verifyCode,
    "POST /diauth/di-oauth2-service/oauth/token": diTokenEndpoint,
    "GET /connectapi/oauth-service/oauth/preauthorized": oauth1Retired,
    "POST /connectapi/oauth-service/oauth/exchange/user/2.0": oauth1Retired,
    "GET /connectapi/userprofile-service/socialProfile": profile,
    "GET /connectapi/usersummary-service/usersummary/daily/:displayName": summary,
    "GET /connectapi/wellness-service/wellness/dailySleepData/:displayName": sleepData,
    "GET /connectapi/hrv-service/hrv/:date": hrv,
    "GET /connectapi/hrv-service/hrv/daily/:start/:end": hrvRange,
    "GET /connectapi/metrics-service/metrics/trainingreadiness/:date": readiness,
  },
};
