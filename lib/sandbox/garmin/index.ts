import crypto from "node:crypto";
import { and, eq, lt, sql } from "drizzle-orm";
import OAuth from "oauth-1.0a";
import { z } from "zod";
import { getDb } from "@/lib/db/client";
import { sandboxSessions, sandboxTokens } from "@/lib/db/schema";
import {
  GARMIN_EXCHANGE_AUDIENCE,
  GARMIN_SANDBOX_CONSUMER_KEY,
  GARMIN_SANDBOX_CONSUMER_SECRET,
  GARMIN_SSO_SERVICE,
  garminSandboxTarget,
} from "@/lib/providers/garmin";
import { sandboxNow } from "../clock";
import { createGenerator, isDay, type Generator, type GeneratorAccount } from "../data-generator";
import { createOAuthServer, sha256Hex, SandboxTokenError } from "../oauth-server";
import type { ProviderSandbox, SandboxRouteContext, SandboxRouteHandler } from "../types";
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
 * A local Garmin Connect, as the Connect mobile app sees it (provider-apis.md §4.4):
 *
 * SSO (`/sso/…`): the sign-in page sets a `SESSIONID` cookie; `POST /mobile/api/login` answers
 * `{serviceURL, serviceTicketId, responseStatus:{type, message, httpStatus}, customerMfaInfo,
 * authType:"CAS"}` where `type` is SUCCESSFUL, MFA_REQUIRED, INVALID_USERNAME_PASSWORD (HTTP 401),
 * ACCOUNT_LOCKED (HTTP 423) or INVALID_SESSION (HTTP 403, no sign-in cookie). MFA accounts get a
 * code "by email" (always 123456 here) to send to `POST /mobile/api/mfa/verifyCode` within 5
 * minutes of the login: INVALID_MFA_CODE (HTTP 400) may be retried up to 5 times, after which, or
 * after the 5 minutes, it is MFA_CODE_EXPIRED (HTTP 400) and the sign-in must start over.
 *
 * connectapi (`/connectapi/…`): `GET /oauth-service/oauth/preauthorized` (OAuth1-signed with the
 * consumer) turns a single-use, 2-minute service ticket into an OAuth1 token pair (form encoded,
 * plus `mfa_token` for MFA sign-ins); `POST /oauth-service/oauth/exchange/user/2.0` (OAuth1-signed
 * with consumer + token, `mfa_token` required when one was issued) returns OAuth2 bearer tokens,
 * and repeating it is how the session is renewed. OAuth1 failures answer 401 with an OAuth
 * Problem Reporting body (`oauth_problem=signature_invalid`). Data endpoints take the bearer and
 * answer 401 `{"message","error":"UnauthorizedException"}` without a valid one.
 *
 * All state (sign-in sessions, MFA attempts, tickets, OAuth1 tokens, nonces) lives in
 * `sandbox_sessions`; bearer tokens in `sandbox_tokens`. Never in process memory.
 */

const PROVIDER = "garmin";
// The consumer this sandbox accepts is declared by the provider module (the runtime reads it there).
export { GARMIN_SANDBOX_CONSUMER_KEY, GARMIN_SANDBOX_CONSUMER_SECRET };

const SIGNIN_TTL_MS = 30 * 60_000;
export const GARMIN_MFA_TTL_MS = 5 * 60_000;
const MFA_MAX_ATTEMPTS = 5;
const TICKET_TTL_MS = 2 * 60_000;
const OAUTH1_TTL_MS = 365 * 86_400_000;
const NONCE_TTL_MS = 10 * 60_000;
const TIMESTAMP_SKEW_S = 300;
const ACCESS_TOKEN_LIFETIME_RANGE = [75_000, 107_000] as const;
const REFRESH_TOKEN_LIFETIME_S = 2_591_999;
const SCOPES = [
  "COMMUNITY_COURSE_READ",
  "GARMINPAY_WRITE",
  "GOLF_API_READ",
  "ATP_READ",
  "CONNECT_WRITE",
  "CONNECT_READ",
  "DI_OAUTH_2_TOKEN_ADMIN",
];
const SESSION_COOKIE = "SESSIONID";

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

const bearer = createOAuthServer({
  provider: PROVIDER,
  clientId: GARMIN_SANDBOX_CONSUMER_KEY,
  clientSecret: GARMIN_SANDBOX_CONSUMER_SECRET,
  codeLifetimeSeconds: 60,
  accessTokenLifetimeSeconds: ACCESS_TOKEN_LIFETIME_RANGE[0],
  refreshPolicy: { kind: "single-use" },
  pkce: "optional",
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
): Response {
  return json(status, {
    serviceURL: extra.ticket ? GARMIN_SSO_SERVICE : null,
    serviceTicketId: extra.ticket ?? null,
    responseStatus: { type, message, httpStatus: HTTP_STATUS_NAMES[status] ?? String(status) },
    customerMfaInfo: extra.mfaMethod ? { mfaLastMethodUsed: extra.mfaMethod } : null,
    authType: "CAS",
  });
}

/** connectapi's error body. */
const apiError = (status: number, message: string, error: string, headers: Record<string, string> = {}) =>
  json(status, { message, error }, headers);

/** OAuth Problem Reporting (form-encoded), as OAuth1 services answer. */
function oauthProblem(status: number, problem: string, advice: string): Response {
  return new Response(new URLSearchParams({ oauth_problem: problem, oauth_problem_advice: advice }).toString(), {
    status,
    headers: {
      ...noStore,
      "content-type": "application/x-www-form-urlencoded",
      "www-authenticate": 'OAuth realm="connectapi"',
    },
  });
}

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

async function issueTicket(accountId: string, mfa: boolean, now: Date): Promise<string> {
  const ticket = `ST-${crypto.randomInt(1_000_000, 9_999_999)}-${crypto.randomBytes(15).toString("base64url").replace(/[_-]/g, "x")}-sso`;
  const db = await getDb();
  await db.insert(sandboxSessions).values({
    id: sessionKey("ticket", ticket),
    provider: PROVIDER,
    accountId,
    kind: "ticket",
    payload: { service: GARMIN_SSO_SERVICE, mfa },
    expiresAt: new Date(now.getTime() + TICKET_TTL_MS),
  });
  return ticket;
}

/* ---------- SSO ---------- */

const signInPage: SandboxRouteHandler = async () => {
  const db = await getDb();
  const now = new Date();
  // Housekeeping: finished sign-ins, tickets and nonces are useless once expired.
  await db
    .delete(sandboxSessions)
    .where(and(eq(sandboxSessions.provider, PROVIDER), lt(sandboxSessions.expiresAt, now)));
  const sessionId = crypto.randomBytes(24).toString("base64url");
  await db.insert(sandboxSessions).values({
    id: sessionKey("sso", sessionId),
    provider: PROVIDER,
    accountId: "",
    kind: "sso_signin",
    payload: {},
    expiresAt: new Date(now.getTime() + SIGNIN_TTL_MS),
  });
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Garmin Connect</title></head>
<body><main><h1>Sign in</h1><p>Garmin Connect mobile sign-in (sandbox). The app posts your credentials to /mobile/api/login.</p></main></body></html>`;
  const headers = new Headers({ ...noStore, "content-type": "text/html; charset=utf-8" });
  headers.append("set-cookie", `${SESSION_COOKIE}=${sessionId}; Path=/; HttpOnly; SameSite=Lax`);
  headers.append("set-cookie", "GARMIN-SSO=1; Path=/; SameSite=Lax");
  return new Response(html, { status: 200, headers });
};

function checkSsoQuery(request: Request): Response | undefined {
  const query = new URL(request.url).searchParams;
  if (query.get("clientId") !== "GCM_ANDROID_DARK") return ssoAnswer(400, "INVALID_CLIENT_ID", "Unknown clientId.");
  if (!query.get("service")) return ssoAnswer(400, "INVALID_SERVICE", "service is required.");
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
  const cookie = readCookie(request, SESSION_COOKIE);
  const db = await getDb();
  const now = new Date();
  const id = cookie ? sessionKey("sso", cookie) : undefined;
  const [session] = id
    ? await db
        .select()
        .from(sandboxSessions)
        .where(
          and(eq(sandboxSessions.id, id), eq(sandboxSessions.kind, "sso_signin"), eq(sandboxSessions.consumed, false)),
        )
    : [];
  if (!session || session.expiresAt.getTime() <= now.getTime()) {
    return ssoAnswer(403, "INVALID_SESSION", "Your sign-in session has expired. Reload the sign-in page.");
  }
  const parsed = loginBody.safeParse(await readJsonBody(request));
  if (!parsed.success) return ssoAnswer(400, "INVALID_REQUEST", "username and password are required.");
  const account = accountByEmail(parsed.data.username);
  // Same answer for an unknown email and a wrong password.
  if (!account || !safeEqual(parsed.data.password, account.password ?? crypto.randomUUID())) {
    return ssoAnswer(401, "INVALID_USERNAME_PASSWORD", "Invalid username or password.");
  }
  if (account.locked)
    return ssoAnswer(423, "ACCOUNT_LOCKED", "This account has been locked. Reset your password to unlock it.");

  if (account.mfa) {
    // The code goes out "by email"; the half-signed-in session waits for it for 5 minutes.
    await db
      .update(sandboxSessions)
      .set({
        kind: "sso_mfa",
        accountId: account.id,
        payload: { attempts: 0, method: "email" },
        expiresAt: new Date(now.getTime() + GARMIN_MFA_TTL_MS),
      })
      .where(eq(sandboxSessions.id, session.id));
    return ssoAnswer(200, "MFA_REQUIRED", "", { mfaMethod: "email" });
  }
  const [claimed] = await db
    .update(sandboxSessions)
    .set({ consumed: true, accountId: account.id })
    .where(and(eq(sandboxSessions.id, session.id), eq(sandboxSessions.consumed, false)))
    .returning({ id: sandboxSessions.id });
  if (!claimed) return ssoAnswer(403, "INVALID_SESSION", "Your sign-in session has expired. Reload the sign-in page.");
  return ssoAnswer(200, "SUCCESSFUL", "", { ticket: await issueTicket(account.id, false, now) });
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
  if (!cookie) return ssoAnswer(403, "INVALID_SESSION", "Your sign-in session has expired. Reload the sign-in page.");
  const parsed = mfaBody.safeParse(await readJsonBody(request));
  if (!parsed.success) return ssoAnswer(400, "INVALID_REQUEST", "mfaVerificationCode is required.");
  const db = await getDb();
  const now = new Date();
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
    return ssoAnswer(200, "SUCCESSFUL", "", { ticket: await issueTicket(claimed.accountId, true, now) });
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

/* ---------- OAuth1 ---------- */

const signer = new OAuth({
  consumer: { key: GARMIN_SANDBOX_CONSUMER_KEY, secret: GARMIN_SANDBOX_CONSUMER_SECRET },
  signature_method: "HMAC-SHA1",
  hash_function: (base, key) => crypto.createHmac("sha1", key).update(base).digest("base64"),
});

function parseOAuthHeader(header: string | null): Record<string, string> | undefined {
  if (!header || !/^OAuth\s+/i.test(header)) return undefined;
  const params: Record<string, string> = {};
  for (const match of header.replace(/^OAuth\s+/i, "").matchAll(/([A-Za-z0-9_]+)="([^"]*)"/g)) {
    try {
      params[match[1]!] = decodeURIComponent(match[2]!);
    } catch {
      return undefined;
    }
  }
  return params;
}

type Verified = { ok: true; params: Record<string, string> } | { ok: false; response: Response };

/**
 * Checks an OAuth1 HMAC-SHA1 request: consumer key, timestamp within 5 minutes, a nonce not seen
 * before, and the signature over method, URL (as this sandbox is addressed) and form body.
 */
async function verifyOAuth1(
  request: Request,
  ctx: SandboxRouteContext,
  form: Record<string, string>,
  tokenSecret: string | undefined,
): Promise<Verified> {
  const fail = (problem: string, advice: string): Verified => ({
    ok: false,
    response: oauthProblem(401, problem, advice),
  });
  const params = parseOAuthHeader(request.headers.get("authorization"));
  if (!params) return fail("parameter_absent", "An OAuth Authorization header is required.");
  for (const name of [
    "oauth_consumer_key",
    "oauth_nonce",
    "oauth_signature",
    "oauth_signature_method",
    "oauth_timestamp",
  ]) {
    if (!params[name]) return fail("parameter_absent", `${name} is required.`);
  }
  if (params.oauth_signature_method !== "HMAC-SHA1") return fail("signature_method_rejected", "Use HMAC-SHA1.");
  if (params.oauth_version && params.oauth_version !== "1.0") return fail("version_rejected", "Use OAuth 1.0.");
  if (!safeEqual(params.oauth_consumer_key!, GARMIN_SANDBOX_CONSUMER_KEY))
    return fail("consumer_key_unknown", "Unknown consumer key.");
  const timestamp = Number(params.oauth_timestamp);
  if (!Number.isInteger(timestamp) || Math.abs(timestamp - Date.now() / 1000) > TIMESTAMP_SKEW_S) {
    return fail("timestamp_refused", "The timestamp is more than 5 minutes off.");
  }
  const requestUrl = new URL(request.url);
  const signedUrl = `${new URL(ctx.baseUrl).origin}${requestUrl.pathname}${requestUrl.search}`;
  const { oauth_signature: signature, realm: _realm, ...oauthData } = params;
  const expected = signer.getSignature(
    { url: signedUrl, method: request.method.toUpperCase(), data: form },
    tokenSecret,
    oauthData as unknown as OAuth.Data,
  );
  if (!safeEqual(signature!, expected))
    return fail("signature_invalid", "The signature does not match (HMAC-SHA1 with the consumer secret).");
  const db = await getDb();
  const [fresh] = await db
    .insert(sandboxSessions)
    .values({
      id: sessionKey("nonce", `${params.oauth_consumer_key}:${timestamp}:${params.oauth_nonce}`),
      provider: PROVIDER,
      accountId: "",
      kind: "oauth1_nonce",
      expiresAt: new Date(Date.now() + NONCE_TTL_MS),
    })
    .onConflictDoNothing()
    .returning({ id: sandboxSessions.id });
  if (!fresh) return fail("nonce_used", "This nonce was already used.");
  return { ok: true, params };
}

const preauthorized: SandboxRouteHandler = async (request, ctx) => {
  const verified = await verifyOAuth1(request, ctx, {}, undefined);
  if (!verified.ok) return verified.response;
  const query = new URL(request.url).searchParams;
  const ticket = query.get("ticket");
  if (!ticket) return oauthProblem(400, "parameter_absent", "ticket is required.");
  const db = await getDb();
  const now = new Date();
  // Tickets are single-use: claiming flips `consumed` once.
  const [row] = await db
    .update(sandboxSessions)
    .set({ consumed: true })
    .where(
      and(
        eq(sandboxSessions.id, sessionKey("ticket", ticket)),
        eq(sandboxSessions.kind, "ticket"),
        eq(sandboxSessions.consumed, false),
      ),
    )
    .returning();
  if (!row || row.expiresAt.getTime() <= now.getTime())
    return oauthProblem(401, "token_rejected", "The service ticket is invalid, used or expired.");
  const payload = row.payload as { service?: string; mfa?: boolean };
  if (query.get("login-url") !== payload.service)
    return oauthProblem(401, "token_rejected", "login-url does not match the ticket's service.");

  const oauthToken = crypto.randomBytes(16).toString("hex");
  const oauthTokenSecret = crypto.randomBytes(24).toString("base64url");
  const mfaToken = payload.mfa ? crypto.randomBytes(16).toString("hex") : undefined;
  const mfaExpiration = new Date(now.getTime() + OAUTH1_TTL_MS);
  await db.insert(sandboxSessions).values({
    id: sessionKey("oauth1", oauthToken),
    provider: PROVIDER,
    accountId: row.accountId,
    kind: "oauth1",
    payload: { tokenSecret: oauthTokenSecret, ...(mfaToken ? { mfaToken } : {}) },
    expiresAt: new Date(now.getTime() + OAUTH1_TTL_MS),
  });
  const body = new URLSearchParams({ oauth_token: oauthToken, oauth_token_secret: oauthTokenSecret });
  if (mfaToken) {
    body.set("mfa_token", mfaToken);
    body.set("mfa_expiration_timestamp", mfaExpiration.toISOString().replace("T", " ").replace("Z", ""));
  }
  return new Response(body.toString(), {
    status: 200,
    headers: { ...noStore, "content-type": "text/plain;charset=UTF-8" },
  });
};

const exchange: SandboxRouteHandler = async (request, ctx) => {
  const contentType = request.headers.get("content-type") ?? "";
  const text = await request.text();
  if (text && !contentType.includes("application/x-www-form-urlencoded")) {
    return oauthProblem(400, "parameter_rejected", "The body must be application/x-www-form-urlencoded.");
  }
  const form = Object.fromEntries(new URLSearchParams(text));
  const token = parseOAuthHeader(request.headers.get("authorization"))?.oauth_token;
  if (!token) return oauthProblem(401, "parameter_absent", "oauth_token is required.");
  const db = await getDb();
  const now = new Date();
  const [row] = await db
    .select()
    .from(sandboxSessions)
    .where(and(eq(sandboxSessions.id, sessionKey("oauth1", token)), eq(sandboxSessions.kind, "oauth1")));
  if (!row || row.consumed || row.expiresAt.getTime() <= now.getTime()) {
    return oauthProblem(401, "token_rejected", "The OAuth1 token is unknown, revoked or expired.");
  }
  const payload = row.payload as { tokenSecret: string; mfaToken?: string };
  const verified = await verifyOAuth1(request, ctx, form, payload.tokenSecret);
  if (!verified.ok) return verified.response;
  if (payload.mfaToken && !safeEqual(form.mfa_token ?? "", payload.mfaToken)) {
    return oauthProblem(
      401,
      "additional_authorization_required",
      "This session was created with MFA: send its mfa_token.",
    );
  }
  if (form.audience && form.audience !== GARMIN_EXCHANGE_AUDIENCE)
    return oauthProblem(400, "parameter_rejected", "Unknown audience.");

  const accessToken = crypto.randomBytes(32).toString("base64url");
  const refreshToken = crypto.randomBytes(32).toString("base64url");
  const expiresIn = crypto.randomInt(ACCESS_TOKEN_LIFETIME_RANGE[0], ACCESS_TOKEN_LIFETIME_RANGE[1]);
  const common = {
    provider: PROVIDER,
    accountId: row.accountId,
    clientId: GARMIN_SANDBOX_CONSUMER_KEY,
    scopes: SCOPES,
    familyId: row.id,
    createdAt: now,
  };
  await db.insert(sandboxTokens).values([
    {
      ...common,
      tokenHash: sha256Hex(accessToken),
      kind: "access",
      expiresAt: new Date(now.getTime() + expiresIn * 1000),
    },
    {
      ...common,
      tokenHash: sha256Hex(refreshToken),
      kind: "refresh",
      expiresAt: new Date(now.getTime() + REFRESH_TOKEN_LIFETIME_S * 1000),
    },
  ]);
  return json(200, {
    scope: SCOPES.join(" "),
    jti: crypto.randomUUID(),
    access_token: accessToken,
    token_type: "Bearer",
    refresh_token: refreshToken,
    expires_in: expiresIn,
    refresh_token_expires_in: REFRESH_TOKEN_LIFETIME_S,
  });
};

/** "The user revoked access on Garmin's side": the OAuth1 session and every bearer token die. */
export async function revokeGarminSandboxSessions(accountId: string): Promise<void> {
  const db = await getDb();
  await db
    .update(sandboxSessions)
    .set({ consumed: true })
    .where(
      and(
        eq(sandboxSessions.provider, PROVIDER),
        eq(sandboxSessions.kind, "oauth1"),
        eq(sandboxSessions.accountId, accountId),
      ),
    );
  await bearer.revokeAccountGrants(accountId);
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
    const grant = await bearer.validateAccessToken(match[1]!);
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

export const garminSandbox: ProviderSandbox = {
  providerId: PROVIDER,
  clientId: GARMIN_SANDBOX_CONSUMER_KEY,
  clientSecret: GARMIN_SANDBOX_CONSUMER_SECRET,
  accounts: GARMIN_SANDBOX_ACCOUNTS,
  endpoints: garminSandboxTarget.endpoints,
  routes: {
    "GET /sso/mobile/sso/en/sign-in": signInPage,
    "POST /sso/mobile/api/login": login,
    "POST /sso/mobile/api/mfa/verifyCode": verifyCode,
    "GET /connectapi/oauth-service/oauth/preauthorized": preauthorized,
    "POST /connectapi/oauth-service/oauth/exchange/user/2.0": exchange,
    "GET /connectapi/userprofile-service/socialProfile": profile,
    "GET /connectapi/usersummary-service/usersummary/daily/:displayName": summary,
    "GET /connectapi/wellness-service/wellness/dailySleepData/:displayName": sleepData,
    "GET /connectapi/hrv-service/hrv/:date": hrv,
    "GET /connectapi/metrics-service/metrics/trainingreadiness/:date": readiness,
  },
};
