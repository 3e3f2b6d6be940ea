import crypto from "node:crypto";
import { and, eq, lt } from "drizzle-orm";
import { getDb } from "@/lib/db/client";
import { loginChallenges } from "@/lib/db/schema";
import { getProvider } from "@/lib/providers";
import {
  type Attempt,
  clearAttempts,
  giveBackAttempt,
  LIMITS,
  RateLimitedError,
  takeAttempt,
} from "@/lib/rate-limit/limits";
import { tooManyAttemptsMessage } from "@/lib/rate-limit/wait-text";
import { ProviderAuthError, ProviderError, ProviderRateLimitError } from "@/lib/providers/errors";
import { resolveProvider, type SessionRuntime } from "@/lib/providers/runtime";
import {
  SessionAccountLockedError,
  SessionCredentialsError,
  SessionMfaCodeError,
  SessionMfaExpiredError,
} from "@/lib/providers/session-errors";
import type { SessionLoginResult } from "@/lib/providers/types";
import { startBackfill } from "./backfill";
import { saveConnectionGrant } from "./service";

/**
 * Connecting a provider that has no OAuth (Garmin): the user's email and password go to the
 * provider once, here, and are dropped — never stored, logged, returned or put in an error. When
 * the provider asks for a verification code, its half-finished sign-in (cookies, never the
 * password) waits in `login_challenges`: the challenge id is 32 random bytes shown to the user's
 * browser only, stored as its SHA-256, bound to the user, encrypted at rest, valid 5 minutes and
 * usable until it succeeds or has had 3 wrong codes. Every failure stores nothing.
 */

export const CHALLENGE_TTL_MS = 5 * 60 * 1000;
export const MAX_CODE_ATTEMPTS = 3;
const CHALLENGE_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export type SessionConnectFailure =
  | "unknown_provider"
  | "not_session_provider"
  | "provider_unavailable"
  | "invalid_credentials"
  | "account_locked"
  | "invalid_code"
  | "challenge_expired"
  | "rate_limited"
  | "too_many_attempts"
  | "provider_unreachable";

const MESSAGES: Record<SessionConnectFailure, (name: string, details: { retryAfterSeconds?: number }) => string> = {
  unknown_provider: () => "Unknown provider",
  not_session_provider: (name) => `${name} connects with OAuth, not with a password`,
  provider_unavailable: (name) => `${name} is not configured on this server`,
  invalid_credentials: (name) => `${name} did not accept that email and password. Check them and try again.`,
  account_locked: (name) => `Your ${name} account is locked. Unlock it on ${name}'s website, then try again.`,
  invalid_code: (name) => `That code is not the one ${name} sent. Check it and try again.`,
  challenge_expired: () => "The code has expired. Sign in again to get a new one.",
  rate_limited: (name) => `${name} is receiving too many sign-in attempts. Wait a few minutes and try again.`,
  // Ours, not the provider's: see the attempt limits below.
  too_many_attempts: (name, { retryAfterSeconds }) =>
    tooManyAttemptsMessage(`${name} sign-in`.trim(), retryAfterSeconds ?? LIMITS.providerLoginUser.durationSeconds),
  provider_unreachable: (name) => `${name} could not be reached. Try again in a moment.`,
};

/** A failed sign-in step. `message` is safe to show; it never contains credentials or codes. */
export class SessionConnectError extends Error {
  override name = "SessionConnectError";
  constructor(
    readonly reason: SessionConnectFailure,
    providerName: string,
    readonly details: { attemptsLeft?: number; retryAfterSeconds?: number } = {},
  ) {
    super(MESSAGES[reason](providerName, details));
  }
}

export type SessionConnectResult =
  | { status: "connected"; connectionId: string; syncRunId: string }
  | { status: "mfa_required"; challengeId: string; expiresAt: Date };

interface ChallengeContext {
  /** The provider's half-finished sign-in (cookies, method). */
  provider: Record<string, string>;
  /** Wrong codes so far. */
  attempts: number;
}

export function hashChallengeId(challengeId: string): string {
  return crypto.createHash("sha256").update(challengeId).digest("hex");
}

function sessionRuntime(providerId: string): SessionRuntime {
  const provider = getProvider(providerId);
  if (!provider) throw new SessionConnectError("unknown_provider", providerId);
  if (provider.kind !== "session") throw new SessionConnectError("not_session_provider", provider.name);
  const runtime = resolveProvider(providerId);
  if (!runtime || runtime.provider.kind !== "session")
    throw new SessionConnectError("provider_unavailable", provider.name);
  return runtime as SessionRuntime;
}

/**
 * Attempt limits (in the database, shared by every instance; lib/rate-limit/limits.ts): provider
 * sign-ins per user of this app, per provider account (email) and per client address, and codes
 * per user and address. Taken before the provider is asked, given back when it accepted, so we
 * cannot be used to guess a Garmin password or code.
 */
function loginAttempts(
  providerId: string,
  input: { userId: string; email: string; clientAddress?: string },
): Attempt[] {
  return [
    [LIMITS.providerLoginUser, `${providerId}:${input.userId}`],
    [LIMITS.providerLoginEmail, `${providerId}:${input.email.trim().toLowerCase()}`],
    ...(input.clientAddress ? [[LIMITS.providerLoginAddress, input.clientAddress] as const] : []),
  ];
}

function mfaAttempts(input: { userId: string; clientAddress?: string }): Attempt[] {
  return [
    [LIMITS.providerMfaUser, input.userId],
    ...(input.clientAddress ? [[LIMITS.providerMfaAddress, input.clientAddress] as const] : []),
  ];
}

async function takeSessionAttempt(attempts: Attempt[], providerName: string): Promise<void> {
  try {
    await takeAttempt(attempts, `${providerName} sign-in`.trim());
  } catch (error) {
    if (error instanceof RateLimitedError) {
      throw new SessionConnectError("too_many_attempts", providerName, { retryAfterSeconds: error.retryAfterSeconds });
    }
    throw error;
  }
}

/** The provider accepted: forget the user's and the account's failures, give the address its attempt back. */
async function settleAttempts(attempts: Attempt[]): Promise<void> {
  const [perUser, ...rest] = attempts;
  const perAccount = rest.filter(([rule]) => rule === LIMITS.providerLoginEmail);
  const perAddress = rest.filter(([rule]) => rule !== LIMITS.providerLoginEmail);
  await Promise.all([clearAttempts([perUser!, ...perAccount]), giveBackAttempt(perAddress)]);
}

/** Provider failures → our typed failures. Anything unexpected says "unreachable", never the cause's text. */
function classify(error: unknown, providerName: string): SessionConnectError {
  if (error instanceof SessionConnectError) return error;
  if (error instanceof SessionCredentialsError) return new SessionConnectError("invalid_credentials", providerName);
  if (error instanceof SessionAccountLockedError) return new SessionConnectError("account_locked", providerName);
  if (error instanceof SessionMfaCodeError) return new SessionConnectError("invalid_code", providerName);
  if (error instanceof SessionMfaExpiredError) return new SessionConnectError("challenge_expired", providerName);
  if (error instanceof ProviderRateLimitError) {
    return new SessionConnectError("rate_limited", providerName, { retryAfterSeconds: error.retryAfterSeconds });
  }
  return new SessionConnectError("provider_unreachable", providerName);
}

async function connect(userId: string, runtime: SessionRuntime, result: SessionLoginResult) {
  const connection = await saveConnectionGrant({
    userId,
    provider: runtime.provider.id,
    tokens: result.tokens,
    sessionSecrets: result.sessionSecrets,
  });
  const syncRunId = await startBackfill(connection.id, runtime.provider.id);
  return { status: "connected" as const, connectionId: connection.id, syncRunId };
}

/**
 * Step 1: sign in with the provider. Connected at once (grant stored, 30-day backfill queued), or
 * a verification code is needed and a challenge id comes back for step 2.
 */
export async function startSessionLogin(
  input: { userId: string; providerId: string; email: string; password: string; clientAddress?: string },
  now = new Date(),
): Promise<SessionConnectResult> {
  const runtime = sessionRuntime(input.providerId);
  const { provider } = runtime;
  const attempts = loginAttempts(provider.id, input);
  await takeSessionAttempt(attempts, provider.name);
  let result;
  try {
    result = await provider.session.login(runtime.endpoints, input.email, input.password, {
      clientId: runtime.clientId,
      clientSecret: runtime.clientSecret,
    });
  } catch (error) {
    if (!(error instanceof ProviderError)) {
      // Not a classified provider failure: log only its class name, as its message might echo input.
      console.error(
        `[session-connect] ${provider.id} sign-in failed unexpectedly (${error instanceof Error ? error.name : typeof error})`,
      );
      throw new SessionConnectError("provider_unreachable", provider.name);
    }
    throw classify(error, provider.name);
  }
  await settleAttempts(attempts);
  if (result.kind === "connected") return connect(input.userId, runtime, result);

  const challengeId = crypto.randomBytes(32).toString("base64url");
  const expiresAt = new Date(now.getTime() + CHALLENGE_TTL_MS);
  const context: ChallengeContext = { provider: result.context, attempts: 0 };
  const db = await getDb();
  // Housekeeping: abandoned challenges are useless once expired.
  await db.delete(loginChallenges).where(lt(loginChallenges.expiresAt, now));
  await db.insert(loginChallenges).values({
    idHash: hashChallengeId(challengeId),
    userId: input.userId,
    provider: provider.id,
    context: JSON.stringify(context),
    expiresAt,
    createdAt: now,
  });
  return { status: "mfa_required", challengeId, expiresAt };
}

/**
 * Step 2: the code the provider sent. The challenge is taken out of the table while the provider
 * checks the code (so two submissions cannot both use it) and put back only after a wrong code
 * with attempts left, or when the provider could not be asked at all.
 */
export async function completeSessionMfa(
  input: { userId: string; challengeId: string; code: string; clientAddress?: string },
  now = new Date(),
): Promise<Extract<SessionConnectResult, { status: "connected" }>> {
  if (!CHALLENGE_PATTERN.test(input.challengeId)) throw new SessionConnectError("challenge_expired", "");
  const attempts = mfaAttempts(input);
  await takeSessionAttempt(attempts, "");
  const db = await getDb();
  const idHash = hashChallengeId(input.challengeId);
  const [row] = await db
    .delete(loginChallenges)
    .where(and(eq(loginChallenges.idHash, idHash), eq(loginChallenges.userId, input.userId)))
    .returning();
  if (!row || row.expiresAt.getTime() <= now.getTime()) throw new SessionConnectError("challenge_expired", "");

  const runtime = sessionRuntime(row.provider);
  const { provider } = runtime;
  const context = JSON.parse(row.context) as ChallengeContext;
  const putBack = (attempts: number) =>
    db
      .insert(loginChallenges)
      .values({ ...row, context: JSON.stringify({ ...context, attempts } satisfies ChallengeContext) });

  let result;
  try {
    result = await provider.session.verifyMfa(runtime.endpoints, context.provider, input.code.trim(), {
      clientId: runtime.clientId,
      clientSecret: runtime.clientSecret,
    });
  } catch (error) {
    const failure =
      error instanceof ProviderError
        ? classify(error, provider.name)
        : new SessionConnectError("provider_unreachable", provider.name);
    if (failure.reason === "invalid_code") {
      const attempts = context.attempts + 1;
      const attemptsLeft = MAX_CODE_ATTEMPTS - attempts;
      if (attemptsLeft <= 0) throw new SessionConnectError("challenge_expired", provider.name, { attemptsLeft: 0 });
      await putBack(attempts);
      throw new SessionConnectError("invalid_code", provider.name, { attemptsLeft });
    }
    // The code was never judged: the user may submit it again.
    if (failure.reason === "provider_unreachable" || failure.reason === "rate_limited") {
      if (!(error instanceof ProviderAuthError)) await putBack(context.attempts);
    }
    throw failure;
  }
  await settleAttempts(attempts);
  return connect(row.userId, runtime, result);
}

/** The HTTP answer for each failure (shared by the session-provider routes). */
export const SESSION_FAILURE_STATUS: Record<SessionConnectFailure, number> = {
  unknown_provider: 404,
  not_session_provider: 400,
  provider_unavailable: 503,
  invalid_credentials: 401,
  account_locked: 423,
  invalid_code: 400,
  challenge_expired: 410,
  rate_limited: 429,
  too_many_attempts: 429,
  provider_unreachable: 502,
};
