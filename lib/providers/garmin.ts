import { z } from "zod";
import {
  ProviderAuthError,
  ProviderClientError,
  ProviderError,
  ProviderGrantError,
  ProviderPayloadError,
  ProviderRateLimitError,
  retryAfterFromHeaders,
} from "./errors";
import { isDay, metresToKm, num, samples, shiftDay } from "./paging";
import {
  SessionAccountLockedError,
  SessionCredentialsError,
  SessionMfaCodeError,
  SessionMfaExpiredError,
} from "./session-errors";
import type {
  ClientCredentials,
  Collection,
  MetricSample,
  ProviderApi,
  SandboxTarget,
  SessionEndpoints,
  SessionLoginResult,
  SessionMfaRequired,
  SessionProvider,
  SyncRange,
  TokenSet,
} from "./types";

/**
 * Garmin Connect, signed in the way the Garmin Connect mobile app does it in 2026 (as the
 * maintained `python-garminconnect` ≥ 0.3 does; docs/providers/garmin.md has every endpoint with
 * its source). Garmin has no OAuth for personal use, so the user's email and password are sent
 * ONCE to Garmin's mobile SSO API, which answers with a CAS service ticket (after an MFA code when
 * the account has one). The ticket is exchanged at Garmin's DI OAuth2 service for a bearer access
 * token (about a day) and a refresh token (about 90 days); the refresh token, with the DI client
 * id, is the session we keep (encrypted) to renew the bearer. The password is never kept.
 *
 * SSO answers (JSON, any HTTP status; the `responseStatus.type` decides):
 * - `SUCCESSFUL` with `serviceTicketId: "ST-…"` → signed in;
 * - `MFA_REQUIRED` with `customerMfaInfo.mfaLastMethodUsed` → a code was sent (login only);
 * - `INVALID_USERNAME_PASSWORD` → wrong email or password;
 * - `ACCOUNT_LOCKED` → the account is locked;
 * - `INVALID_MFA_CODE` → wrong code, the MFA step can be retried;
 * - `MFA_CODE_EXPIRED` → the MFA step is over (too old or too many tries): sign in again.
 *
 * The DI client id is the runtime's client id (GARMIN_CLIENT_ID when live, e.g.
 * `GARMIN_CONNECT_MOBILE_ANDROID_DI_2025Q2`; the sandbox's otherwise). It is a public client:
 * HTTP Basic with an empty secret.
 *
 * Before 2026 this module followed `garth` (OAuth1 preauthorized → exchange, which Garmin now
 * refuses with 403); a connection still holding that OAuth1 session cannot be renewed and is
 * disconnected with a message asking for one Reconnect.
 */

const SSO_CLIENT_ID = "GCM_IOS_DARK";
export const GARMIN_SSO_SERVICE = "https://mobile.integration.garmin.com/gcm/ios";
const SSO_LOCALE = "en-US";
/** The grant type of the service-ticket exchange at the DI token endpoint. */
export const GARMIN_DI_TICKET_GRANT = "https://connectapi.garmin.com/di-oauth2-service/oauth/grant/service_ticket";
/** The DI client the Connect Android app uses (first of python-garminconnect's list). */
export const GARMIN_DI_CLIENT_ID = "GARMIN_CONNECT_MOBILE_ANDROID_DI_2025Q2";
export const GARMIN_DI_TOKEN_PATH = "/di-oauth2-service/oauth/token";
const USER_AGENT = "GCM-Android-5.23";
const TIMEOUT_MS = 30_000;
const PROVIDER_NAME = "Garmin";
/** Shown (with "Reconnect to resume syncing.") on a connection stored in the pre-2026 format. */
export const GARMIN_OLD_SESSION_MESSAGE =
  "Garmin changed how apps sign in, and this connection uses the old sign-in. Reconnect once with your Garmin email and password";

/** The sandbox's DI client secret placeholder: DI clients are public, the secret is never sent. */
export const GARMIN_SANDBOX_CLIENT_SECRET = "garmin-di-public-client";

/** The sandbox serves Garmin's SSO under `/sso`, connectapi under `/connectapi` and DI OAuth2 under `/diauth`. */
export const garminSandboxTarget: SandboxTarget<SessionEndpoints> = {
  clientId: GARMIN_DI_CLIENT_ID,
  clientSecret: GARMIN_SANDBOX_CLIENT_SECRET,
  endpoints: (baseUrl) => ({ sso: `${baseUrl}/sso`, api: `${baseUrl}/connectapi`, auth: `${baseUrl}/diauth` }),
};

/** The session material kept (encrypted) on the connection to renew the bearer token. */
export interface GarminSessionSecrets extends Record<string, string> {
  diRefreshToken: string;
  diClientId: string;
  displayName: string;
}

/* ---------- HTTP plumbing ---------- */

/** Cookies of one half-finished sign-in (name=value pairs, one host). */
export class CookieJar {
  private readonly cookies = new Map<string, string>();

  constructor(serialized?: string) {
    for (const part of (serialized ?? "").split(";")) {
      const eq = part.indexOf("=");
      if (eq > 0) this.cookies.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
    }
  }

  absorb(response: Response): void {
    for (const header of response.headers.getSetCookie()) {
      const [pair = "", ...attributes] = header.split(";");
      const eq = pair.indexOf("=");
      if (eq <= 0) continue;
      const name = pair.slice(0, eq).trim();
      const expired = attributes.some((a) => /^\s*max-age\s*=\s*(0|-\d+)\s*$/i.test(a));
      if (expired) this.cookies.delete(name);
      else this.cookies.set(name, pair.slice(eq + 1).trim());
    }
  }

  /** The `Cookie` header value (also the serialised form). */
  toString(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join("; ");
  }

  get size(): number {
    return this.cookies.size;
  }
}

async function send(url: string, init: RequestInit, fetchImpl: typeof fetch): Promise<Response> {
  try {
    return await fetchImpl(url, {
      ...init,
      headers: { "user-agent": USER_AGENT, ...init.headers },
      signal: AbortSignal.timeout(TIMEOUT_MS),
      redirect: "manual",
    });
  } catch (error) {
    throw new ProviderError(`${PROVIDER_NAME} could not be reached (${(error as Error).name})`);
  }
}

async function readJson(response: Response): Promise<unknown> {
  const text = await response.text();
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function failUnlessOk(response: Response, what: string): void {
  if (response.status === 429) {
    throw new ProviderRateLimitError(
      `${PROVIDER_NAME} rate limit reached`,
      retryAfterFromHeaders(response.headers),
      429,
    );
  }
  if (!response.ok)
    throw new ProviderError(`${PROVIDER_NAME} ${what} failed (HTTP ${response.status})`, response.status);
}

/* ---------- SSO ---------- */

const ssoAnswer = z.object({
  serviceTicketId: z.string().nullish(),
  responseStatus: z.object({ type: z.string() }).nullish(),
  customerMfaInfo: z.object({ mfaLastMethodUsed: z.string().nullish() }).nullish(),
});

function ssoQuery(): string {
  return new URLSearchParams({ clientId: SSO_CLIENT_ID, locale: SSO_LOCALE, service: GARMIN_SSO_SERVICE }).toString();
}

/** POSTs JSON to an SSO API and returns Garmin's verdict; only the verdict type is ever read. */
async function ssoPost(
  endpoints: SessionEndpoints,
  path: string,
  body: Record<string, unknown>,
  jar: CookieJar,
  fetchImpl: typeof fetch,
): Promise<z.infer<typeof ssoAnswer> & { status: number }> {
  const response = await send(
    `${endpoints.sso}${path}?${ssoQuery()}`,
    {
      method: "POST",
      headers: {
        "content-type": "application/json",
        accept: "application/json, text/plain, */*",
        origin: new URL(endpoints.sso).origin,
        ...(jar.size > 0 ? { cookie: jar.toString() } : {}),
      },
      body: JSON.stringify(body),
    },
    fetchImpl,
  );
  jar.absorb(response);
  if (response.status === 429) failUnlessOk(response, "sign-in");
  const parsed = ssoAnswer.safeParse(await readJson(response));
  if (!parsed.success || !parsed.data.responseStatus) {
    // No verdict in the body: an outage or a Cloudflare page, never something to show.
    if (!response.ok) failUnlessOk(response, "sign-in");
    throw new ProviderPayloadError(`${PROVIDER_NAME} sign-in answered in an unexpected shape`, response.status);
  }
  return { ...parsed.data, status: response.status };
}

function ticketOf(answer: { serviceTicketId?: string | null }): string {
  const ticket = answer.serviceTicketId;
  if (!ticket || !/^ST-[A-Za-z0-9._-]+$/.test(ticket)) {
    throw new ProviderPayloadError(`${PROVIDER_NAME} signed in but sent no service ticket`);
  }
  return ticket;
}

/** A verdict type worth naming in an error (Garmin's constants only, never free text). */
function verdictName(type: string): string {
  return /^[A-Z_]{1,64}$/.test(type) ? type : "unknown answer";
}

/* ---------- DI OAuth2 ---------- */

const diAnswer = z.object({
  access_token: z.string().min(1),
  refresh_token: z.string().min(1).optional(),
  expires_in: z.number().positive().optional(),
  refresh_token_expires_in: z.number().optional(),
  scope: z.string().optional(),
  token_type: z.string().optional(),
});

/** The `exp` claim (seconds) of a JWT access token, read without verifying (Garmin signs it). */
function jwtExpiry(token: string): number | undefined {
  const payload = token.split(".")[1];
  if (!payload) return undefined;
  try {
    const exp = (JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as { exp?: unknown }).exp;
    return typeof exp === "number" && Number.isFinite(exp) ? exp : undefined;
  } catch {
    return undefined;
  }
}

function diTokenUrl(endpoints: SessionEndpoints): string {
  if (!endpoints.auth) throw new ProviderError(`${PROVIDER_NAME} token endpoint is not configured`);
  return `${endpoints.auth}${GARMIN_DI_TOKEN_PATH}`;
}

/**
 * One call to the DI token endpoint (ticket exchange or refresh). 400/401/403 mean Garmin refuses
 * this ticket or refresh token: a `ProviderAuthError`, which on refresh disconnects the connection.
 */
async function diToken(
  endpoints: SessionEndpoints,
  clientId: string,
  form: Record<string, string>,
  what: string,
  fetchImpl: typeof fetch,
  now: () => Date,
): Promise<{ tokens: TokenSet; refreshToken?: string }> {
  const response = await send(
    diTokenUrl(endpoints),
    {
      method: "POST",
      headers: {
        authorization: `Basic ${Buffer.from(`${clientId}:`).toString("base64")}`,
        "content-type": "application/x-www-form-urlencoded",
        accept: "application/json",
        "cache-control": "no-cache",
      },
      body: new URLSearchParams({ ...form, client_id: clientId }).toString(),
    },
    fetchImpl,
  );
  if (response.status === 400 || response.status === 401 || response.status === 403) {
    const code = z.object({ error: z.string() }).safeParse(await readJson(response));
    if (code.success && (code.data.error === "invalid_client" || code.data.error === "unauthorized_client")) {
      // Our DI client id is refused: an operator problem, never a reason to disconnect users.
      throw new ProviderClientError(`${PROVIDER_NAME} refused the client id`, code.data.error, response.status);
    }
    throw new ProviderGrantError(`${PROVIDER_NAME} refused the ${what} (HTTP ${response.status})`, response.status);
  }
  failUnlessOk(response, what);
  const parsed = diAnswer.safeParse(await readJson(response));
  if (!parsed.success) throw new ProviderPayloadError(`${PROVIDER_NAME} ${what} answered in an unexpected shape`);
  const t = parsed.data;
  const exp = jwtExpiry(t.access_token);
  const expiresAt =
    t.expires_in !== undefined
      ? new Date(now().getTime() + t.expires_in * 1000)
      : exp !== undefined
        ? new Date(exp * 1000)
        : undefined;
  if (!expiresAt) throw new ProviderPayloadError(`${PROVIDER_NAME} ${what} sent a token without a lifetime`);
  return {
    tokens: {
      accessToken: t.access_token,
      refreshToken: t.refresh_token,
      expiresAt,
      scopes: t.scope ? t.scope.split(/\s+/).filter(Boolean) : [],
    },
    refreshToken: t.refresh_token,
  };
}

const socialProfile = z.object({
  displayName: z.string().min(1),
  profileId: z.union([z.number(), z.string()]).nullish(),
});

async function fetchProfile(
  endpoints: SessionEndpoints,
  accessToken: string,
  fetchImpl: typeof fetch,
): Promise<z.infer<typeof socialProfile>> {
  const response = await send(
    `${endpoints.api}/userprofile-service/socialProfile`,
    { method: "GET", headers: { authorization: `Bearer ${accessToken}`, accept: "application/json" } },
    fetchImpl,
  );
  if (response.status === 401 || response.status === 403) {
    throw new ProviderAuthError(
      `${PROVIDER_NAME} rejected the new access token (HTTP ${response.status})`,
      response.status,
    );
  }
  failUnlessOk(response, "profile lookup");
  const parsed = socialProfile.safeParse(await readJson(response));
  if (!parsed.success) throw new ProviderPayloadError(`${PROVIDER_NAME} profile answered in an unexpected shape`);
  return parsed.data;
}

/* ---------- the session flow ---------- */

export interface GarminSessionOptions {
  /** A fixed DI client id (tests). Without it, the client id each hook is called with. */
  clientId?: string;
  fetch?: typeof fetch;
  now?: () => Date;
}

/** The Garmin hooks; `client` may be left out when the options carry a fixed client id. */
export interface GarminSession {
  login(
    endpoints: SessionEndpoints,
    email: string,
    password: string,
    client?: ClientCredentials,
  ): Promise<SessionLoginResult | SessionMfaRequired>;
  verifyMfa(
    endpoints: SessionEndpoints,
    context: Record<string, string>,
    code: string,
    client?: ClientCredentials,
  ): Promise<SessionLoginResult>;
  refresh(
    endpoints: SessionEndpoints,
    sessionSecrets: Record<string, string>,
    client?: ClientCredentials,
  ): Promise<SessionLoginResult>;
}

export function createGarminSession(options: GarminSessionOptions = {}): GarminSession {
  const fetchImpl = options.fetch ?? ((input, init) => fetch(input, init));
  const now = options.now ?? (() => new Date());

  function clientIdFor(client: ClientCredentials | undefined): string {
    const id = options.clientId ?? client?.clientId;
    if (!id) throw new ProviderError(`${PROVIDER_NAME} is not configured on this server`);
    return id;
  }

  async function finish(
    endpoints: SessionEndpoints,
    ticket: string,
    client: ClientCredentials | undefined,
  ): Promise<SessionLoginResult> {
    const clientId = clientIdFor(client);
    const { tokens, refreshToken } = await diToken(
      endpoints,
      clientId,
      { service_ticket: ticket, grant_type: GARMIN_DI_TICKET_GRANT, service_url: GARMIN_SSO_SERVICE },
      "sign-in ticket",
      fetchImpl,
      now,
    );
    if (!refreshToken) throw new ProviderPayloadError(`${PROVIDER_NAME} signed in but sent no refresh token`);
    const profile = await fetchProfile(endpoints, tokens.accessToken, fetchImpl);
    const sessionSecrets: GarminSessionSecrets = {
      diRefreshToken: refreshToken,
      diClientId: clientId,
      displayName: profile.displayName,
    };
    const providerUserId = profile.profileId == null ? undefined : String(profile.profileId);
    // The refresh token lives in the encrypted session secrets only.
    return { kind: "connected", tokens: { ...tokens, refreshToken: undefined, providerUserId }, sessionSecrets };
  }

  return {
    async login(endpoints, email, password, client): Promise<SessionLoginResult | SessionMfaRequired> {
      const jar = new CookieJar();
      const answer = await ssoPost(
        endpoints,
        "/mobile/api/login",
        { username: email, password, rememberMe: true, captchaToken: "" },
        jar,
        fetchImpl,
      );
      const type = answer.responseStatus!.type;
      switch (type) {
        case "SUCCESSFUL":
          return finish(endpoints, ticketOf(answer), client);
        case "MFA_REQUIRED":
          // Only the SSO cookies and the method travel on; never the email or password.
          if (jar.size === 0) throw new ProviderPayloadError(`${PROVIDER_NAME} asked for a code but set no session`);
          return {
            kind: "mfa_required",
            context: { cookies: jar.toString(), mfaMethod: answer.customerMfaInfo?.mfaLastMethodUsed || "email" },
          };
        case "INVALID_USERNAME_PASSWORD":
          throw new SessionCredentialsError(PROVIDER_NAME);
        case "ACCOUNT_LOCKED":
          throw new SessionAccountLockedError(PROVIDER_NAME);
        default:
          throw new ProviderError(`${PROVIDER_NAME} sign-in failed (${verdictName(type)})`, answer.status);
      }
    },

    async verifyMfa(endpoints, context, code, client): Promise<SessionLoginResult> {
      const jar = new CookieJar(context.cookies);
      if (jar.size === 0) throw new SessionMfaExpiredError(PROVIDER_NAME);
      const answer = await ssoPost(
        endpoints,
        "/mobile/api/mfa/verifyCode",
        {
          mfaMethod: context.mfaMethod || "email",
          mfaVerificationCode: code,
          rememberMyBrowser: true,
          reconsentList: [],
          mfaSetup: false,
        },
        jar,
        fetchImpl,
      );
      const type = answer.responseStatus!.type;
      switch (type) {
        case "SUCCESSFUL":
          return finish(endpoints, ticketOf(answer), client);
        case "INVALID_MFA_CODE":
          throw new SessionMfaCodeError(PROVIDER_NAME);
        case "MFA_CODE_EXPIRED":
        case "MFA_SESSION_EXPIRED":
          throw new SessionMfaExpiredError(PROVIDER_NAME);
        case "ACCOUNT_LOCKED":
          throw new SessionAccountLockedError(PROVIDER_NAME);
        default:
          throw new ProviderError(`${PROVIDER_NAME} code check failed (${verdictName(type)})`, answer.status);
      }
    },

    /**
     * A new DI access token for the kept refresh token. Garmin may rotate the refresh token; the
     * new one replaces the old (kept when none comes back, as python-garminconnect does).
     */
    async refresh(endpoints, sessionSecrets, client): Promise<SessionLoginResult> {
      const { diRefreshToken, diClientId, displayName } = sessionSecrets;
      if (!diRefreshToken) {
        // Stored before 2026 (an OAuth1 pair from the garth flow), which Garmin no longer renews.
        throw new ProviderAuthError(
          sessionSecrets.oauthToken ? GARMIN_OLD_SESSION_MESSAGE : `${PROVIDER_NAME} session cannot be renewed`,
        );
      }
      const clientId = diClientId || clientIdFor(client);
      const { tokens, refreshToken } = await diToken(
        endpoints,
        clientId,
        { grant_type: "refresh_token", refresh_token: diRefreshToken },
        "session renewal",
        fetchImpl,
        now,
      );
      const next: GarminSessionSecrets = {
        diRefreshToken: refreshToken ?? diRefreshToken,
        diClientId: clientId,
        displayName: displayName ?? "",
      };
      return { kind: "connected", tokens: { ...tokens, refreshToken: undefined }, sessionSecrets: next };
    },
  };
}

/* ---------- data ---------- */

export interface GarminDailySummary {
  calendarDate?: string;
  totalSteps?: number | null;
  totalDistanceMeters?: number | null;
  restingHeartRate?: number | null;
  maxHeartRate?: number | null;
  averageStressLevel?: number | null;
  bodyBatteryChargedValue?: number | null;
  bodyBatteryDrainedValue?: number | null;
  activeKilocalories?: number | null;
  totalKilocalories?: number | null;
  activeSeconds?: number | null;
  highlyActiveSeconds?: number | null;
  [key: string]: unknown;
}

export interface GarminSleepData {
  dailySleepDTO?: {
    calendarDate?: string;
    sleepTimeSeconds?: number | null;
    deepSleepSeconds?: number | null;
    lightSleepSeconds?: number | null;
    remSleepSeconds?: number | null;
    awakeSleepSeconds?: number | null;
    sleepStartTimestampGMT?: number | null;
    sleepEndTimestampGMT?: number | null;
    averageSpO2Value?: number | null;
    averageRespirationValue?: number | null;
    sleepScores?: { overall?: { value?: number | null } | null } | null;
    [key: string]: unknown;
  } | null;
  [key: string]: unknown;
}

export interface GarminHrv {
  hrvSummary?: { calendarDate?: string; lastNightAvg?: number | null; [key: string]: unknown } | null;
  [key: string]: unknown;
}

export interface GarminTrainingReadiness {
  calendarDate?: string;
  timestamp?: string;
  score?: number | null;
  inputContext?: string;
  [key: string]: unknown;
}

/** A Garmin stress level; negative values mean "no data" (−1 off wrist, −2 too active…). */
function stressLevel(value: unknown): number | undefined {
  const v = num(value);
  return v !== undefined && v >= 0 ? v : undefined;
}

export function mapDailySummary(d: GarminDailySummary): MetricSample[] {
  if (!isDay(d.calendarDate)) return [];
  const activeParts = [num(d.activeSeconds), num(d.highlyActiveSeconds)];
  const activeTime = activeParts.every((p) => p === undefined)
    ? undefined
    : activeParts.reduce<number>((a, b) => a + (b ?? 0), 0);
  return samples(d.calendarDate, [
    ["steps", num(d.totalSteps)],
    ["distance", metresToKm(num(d.totalDistanceMeters))],
    ["resting_heart_rate", num(d.restingHeartRate)],
    ["heart_rate_max", num(d.maxHeartRate)],
    ["stress_avg", stressLevel(d.averageStressLevel)],
    ["body_battery_charged", num(d.bodyBatteryChargedValue)],
    ["body_battery_drained", num(d.bodyBatteryDrainedValue)],
    ["active_calories", num(d.activeKilocalories)],
    ["total_calories", num(d.totalKilocalories)],
    ["active_time", activeTime],
  ]);
}

/** The night that ended on the morning of `calendarDate`; a day without sleep has no samples. */
export function mapSleep(payload: GarminSleepData): MetricSample[] {
  const s = payload.dailySleepDTO;
  if (!s || !isDay(s.calendarDate)) return [];
  const sleepTime = num(s.sleepTimeSeconds);
  if (sleepTime === undefined || sleepTime <= 0) return [];
  const start = num(s.sleepStartTimestampGMT);
  const end = num(s.sleepEndTimestampGMT);
  return samples(s.calendarDate, [
    ["sleep_duration", sleepTime],
    ["deep_sleep", num(s.deepSleepSeconds)],
    ["light_sleep", num(s.lightSleepSeconds)],
    ["rem_sleep", num(s.remSleepSeconds)],
    ["awake_time", num(s.awakeSleepSeconds)],
    // The GMT timestamps are epoch milliseconds.
    [
      "time_in_bed",
      start !== undefined && end !== undefined && end > start ? Math.round((end - start) / 1000) : undefined,
    ],
    ["sleep_score", num(s.sleepScores?.overall?.value)],
    ["spo2", num(s.averageSpO2Value)],
    ["respiratory_rate", num(s.averageRespirationValue)],
  ]);
}

export function mapHrv(payload: GarminHrv): MetricSample[] {
  const h = payload.hrvSummary;
  if (!h || !isDay(h.calendarDate)) return [];
  return samples(h.calendarDate, [["hrv_rmssd", num(h.lastNightAvg)]]);
}

/**
 * Garmin recomputes training readiness during the day (after exercise, naps); the day's figure is
 * the morning one (`AFTER_WAKEUP_RESET`), which is what compares with other providers' readiness.
 * Without it, the earliest scored entry.
 */
export function mapTrainingReadiness(entries: GarminTrainingReadiness[]): MetricSample[] {
  const byDay = new Map<string, GarminTrainingReadiness[]>();
  for (const e of entries) {
    if (!isDay(e.calendarDate) || num(e.score) === undefined) continue;
    byDay.set(e.calendarDate, [...(byDay.get(e.calendarDate) ?? []), e]);
  }
  return [...byDay].flatMap(([day, dayEntries]) => {
    const ordered = [...dayEntries].sort((a, b) => String(a.timestamp ?? "").localeCompare(String(b.timestamp ?? "")));
    const chosen = ordered.find((e) => e.inputContext === "AFTER_WAKEUP_RESET") ?? ordered[0]!;
    return samples(day, [["readiness_score", num(chosen.score)]]);
  });
}

/*
 * Every connectapi data endpoint answers one day, so each collection walks the range one day per
 * page (cursor = the next day). The sleep and daily-summary paths name the user's displayName,
 * which the first page looks up (it can change on Garmin's side) and carries in the cursor.
 */

interface DayCursor {
  day: string;
  displayName?: string;
}

function parseCursor(cursor: string | undefined, range: SyncRange): DayCursor {
  if (!cursor) return { day: range.startDay };
  const [day = range.startDay, name] = cursor.split("|");
  return { day, displayName: name ? decodeURIComponent(name) : undefined };
}

function nextCursor(at: DayCursor, range: SyncRange): string | null {
  if (at.day >= range.endDay) return null;
  const next = shiftDay(at.day, 1);
  return at.displayName ? `${next}|${encodeURIComponent(at.displayName)}` : next;
}

async function displayNameOf(api: ProviderApi): Promise<string> {
  const parsed = socialProfile.safeParse(await api.get("/userprofile-service/socialProfile"));
  if (!parsed.success) throw new ProviderPayloadError(`${PROVIDER_NAME} profile answered in an unexpected shape`);
  return parsed.data.displayName;
}

function perDay<T>(
  id: string,
  options: {
    needsDisplayName: boolean;
    request(day: string, displayName: string | undefined): { path: string; query?: Record<string, string> };
    /** The page's items from the day's body (undefined for 204 No Content). */
    items(body: unknown): T[];
  },
): Omit<Collection<T>, "map"> {
  return {
    id,
    async fetchPage(api, range, cursor) {
      const at = parseCursor(cursor, range);
      if (at.day > range.endDay) return { items: [], nextCursor: null };
      if (options.needsDisplayName && !at.displayName) at.displayName = await displayNameOf(api);
      const { path, query } = options.request(at.day, at.displayName);
      const body = await api.get(path, query);
      return { items: options.items(body), nextCursor: nextCursor(at, range) };
    },
  };
}

const isObject = (body: unknown): body is Record<string, unknown> =>
  typeof body === "object" && body !== null && !Array.isArray(body);

function objectItems<T>(body: unknown): T[] {
  if (body === undefined || body === null || body === "") return [];
  if (!isObject(body)) throw new ProviderPayloadError(`${PROVIDER_NAME} answered with a body that is not an object`);
  return [body as T];
}

const dailySummary: Collection<GarminDailySummary> = {
  ...perDay<GarminDailySummary>("daily_summary", {
    needsDisplayName: true,
    request: (day, displayName) => ({
      path: `/usersummary-service/usersummary/daily/${encodeURIComponent(displayName!)}`,
      query: { calendarDate: day },
    }),
    items: objectItems,
  }),
  map: mapDailySummary,
};

const sleep: Collection<GarminSleepData> = {
  ...perDay<GarminSleepData>("sleep", {
    needsDisplayName: true,
    request: (day, displayName) => ({
      path: `/wellness-service/wellness/dailySleepData/${encodeURIComponent(displayName!)}`,
      query: { date: day, nonSleepBufferMinutes: "60" },
    }),
    items: objectItems,
  }),
  map: mapSleep,
};

/** Days per HRV range request: Garmin states no limit; 28 is its limit on the other range endpoints. */
export const GARMIN_HRV_RANGE_DAYS = 28;

/** HRV comes by range (`/hrv-service/hrv/daily/{start}/{end}` → `hrvSummaries`), 28 days a page. */
const hrv: Collection<GarminHrv> = {
  id: "hrv",
  async fetchPage(api, range, cursor) {
    const start = cursor ?? range.startDay;
    if (start > range.endDay) return { items: [], nextCursor: null };
    const last = shiftDay(start, GARMIN_HRV_RANGE_DAYS - 1);
    const end = last < range.endDay ? last : range.endDay;
    const body = await api.get(`/hrv-service/hrv/daily/${start}/${end}`);
    let items: GarminHrv[] = [];
    if (body !== undefined && body !== null && body !== "") {
      if (!isObject(body))
        throw new ProviderPayloadError(`${PROVIDER_NAME} HRV answered with a body that is not an object`);
      const summaries = body.hrvSummaries ?? [];
      if (!Array.isArray(summaries)) throw new ProviderPayloadError(`${PROVIDER_NAME} HRV summaries are not a list`);
      items = summaries.filter(isObject).map((hrvSummary): GarminHrv => ({ hrvSummary }));
    }
    return { items, nextCursor: end < range.endDay ? shiftDay(end, 1) : null };
  },
  map: mapHrv,
};

const trainingReadiness: Collection<GarminTrainingReadiness> = {
  ...perDay<GarminTrainingReadiness>("training_readiness", {
    needsDisplayName: false,
    request: (day) => ({ path: `/metrics-service/metrics/trainingreadiness/${day}` }),
    items: (body) => {
      if (body === undefined || body === null || body === "") return [];
      if (!Array.isArray(body)) throw new ProviderPayloadError(`${PROVIDER_NAME} training readiness is not a list`);
      return body.filter(isObject);
    },
  }),
  map: () => [],
  // Several entries per day: the morning one speaks for the day.
  aggregate: (entries) => mapTrainingReadiness(entries),
};

export const garmin: SessionProvider = {
  id: "garmin",
  name: "Garmin",
  kind: "session",
  connectDialog: "garmin",
  description: "Garmin Connect: sleep, HRV, training readiness, stress and Body Battery.",
  color: "#007cc3",
  dataSummary: "Sleep, training readiness, HRV, steps, stress, Body Battery",
  backfillDays: 30,
  endpoints: { sso: "https://sso.garmin.com", api: "https://connectapi.garmin.com" },
  sandbox: garminSandboxTarget,
  session: createGarminSession(),
  collections: [sleep, hrv, trainingReadiness, dailySummary],
  metricFields: {
    sleep_duration: "dailySleepData.dailySleepDTO.sleepTimeSeconds",
    deep_sleep: "dailySleepData.dailySleepDTO.deepSleepSeconds",
    light_sleep: "dailySleepData.dailySleepDTO.lightSleepSeconds",
    rem_sleep: "dailySleepData.dailySleepDTO.remSleepSeconds",
    awake_time: "dailySleepData.dailySleepDTO.awakeSleepSeconds",
    time_in_bed: "dailySleepData.dailySleepDTO.sleepEnd − sleepStartTimestampGMT",
    sleep_score: "dailySleepData.dailySleepDTO.sleepScores.overall.value",
    spo2: "dailySleepData.dailySleepDTO.averageSpO2Value",
    respiratory_rate: "dailySleepData.dailySleepDTO.averageRespirationValue",
    hrv_rmssd: "hrv.hrvSummary.lastNightAvg",
    readiness_score: "trainingreadiness.score (the AFTER_WAKEUP_RESET entry)",
    steps: "usersummary.daily.totalSteps",
    distance: "usersummary.daily.totalDistanceMeters (m → km)",
    resting_heart_rate: "usersummary.daily.restingHeartRate",
    heart_rate_max: "usersummary.daily.maxHeartRate",
    stress_avg: "usersummary.daily.averageStressLevel (−1 = no data)",
    body_battery_charged: "usersummary.daily.bodyBatteryChargedValue",
    body_battery_drained: "usersummary.daily.bodyBatteryDrainedValue",
    active_calories: "usersummary.daily.activeKilocalories",
    total_calories: "usersummary.daily.totalKilocalories",
    active_time: "usersummary.daily.activeSeconds + highlyActiveSeconds",
  },
  // Where this provider ranks among the sources of each metric it supplies (lower first; the
  // others' ranks are in their modules, in steps of 10 so a new provider can slot in between).
  metricPriority: {
    sleep_duration: 30,
    deep_sleep: 30,
    light_sleep: 30,
    rem_sleep: 30,
    awake_time: 30,
    time_in_bed: 40,
    sleep_score: 20,
    spo2: 30,
    respiratory_rate: 30,
    hrv_rmssd: 30,
    readiness_score: 30,
    steps: 10,
    distance: 10,
    resting_heart_rate: 30,
    heart_rate_max: 20,
    stress_avg: 10,
    body_battery_charged: 10,
    body_battery_drained: 10,
    active_calories: 10,
    total_calories: 10,
    active_time: 10,
  },
};
