import crypto from "node:crypto";
import { RateLimiterDrizzle, RateLimiterRes } from "rate-limiter-flexible";
import { getDb, type Db } from "@/lib/db/client";
import { rateLimits } from "@/lib/db/schema";
import { UNIDENTIFIED_CLIENT } from "@/lib/http/client-address";
import { tooManyAttemptsMessage } from "./wait-text";

/**
 * Attempt limits for sign-in, sign-up and provider password sign-ins (Garmin), kept in the
 * database (`rate_limits`, via rate-limiter-flexible's Drizzle store: one atomic upsert per
 * attempt) so every app instance counts the same attempts.
 *
 * An attempt is taken *before* the expensive or sensitive work (argon2, calling Garmin) and given
 * back when it succeeded, so these limits count failures, and a burst of parallel requests cannot
 * slip past them. Once a budget is used up, every attempt (even the right password) is refused
 * until its window ends; the window starts at the first counted attempt and is not extended.
 */

export interface LimitRule {
  /** Key prefix in `rate_limits`. */
  name: string;
  /** Attempts allowed per window. */
  points: number;
  durationSeconds: number;
  /**
   * Address rules only: the budget all unidentified clients share (no TRUST_PROXY, see
   * lib/http/client-address.ts). Larger, since it is everyone's; the per-account limits still hold.
   */
  unidentifiedPoints?: number;
}

const FIFTEEN_MINUTES = 15 * 60;

export const LIMITS = {
  signInAccount: { name: "sign-in:account", points: 5, durationSeconds: FIFTEEN_MINUTES },
  signInAddress: { name: "sign-in:address", points: 30, durationSeconds: FIFTEEN_MINUTES, unidentifiedPoints: 300 },
  signUpAccount: { name: "sign-up:account", points: 10, durationSeconds: FIFTEEN_MINUTES },
  signUpAddress: { name: "sign-up:address", points: 20, durationSeconds: FIFTEEN_MINUTES, unidentifiedPoints: 200 },
  /** Per user of this app, per provider. */
  providerLoginUser: { name: "provider-login:user", points: 10, durationSeconds: FIFTEEN_MINUTES },
  /** Per provider account (the email given to the provider): we must not become a way to guess its password. */
  providerLoginEmail: { name: "provider-login:email", points: 5, durationSeconds: FIFTEEN_MINUTES },
  providerLoginAddress: {
    name: "provider-login:address",
    points: 30,
    durationSeconds: FIFTEEN_MINUTES,
    unidentifiedPoints: 300,
  },
  providerMfaUser: { name: "provider-mfa:user", points: 10, durationSeconds: FIFTEEN_MINUTES },
  providerMfaAddress: {
    name: "provider-mfa:address",
    points: 30,
    durationSeconds: FIFTEEN_MINUTES,
    unidentifiedPoints: 300,
  },
} satisfies Record<string, LimitRule>;

/** An attempt refused by a limit. `message` is safe to show. */
export class RateLimitedError extends Error {
  override name = "RateLimitedError";
  constructor(
    readonly retryAfterSeconds: number,
    what = "sign-in",
  ) {
    super(tooManyAttemptsMessage(what, retryAfterSeconds));
  }
}

/** One rule applied to one identity (an email, a user id, a client address). */
export type Attempt = readonly [rule: LimitRule, identity: string];

function pointsFor(rule: LimitRule, identity: string): number {
  return identity === UNIDENTIFIED_CLIENT && rule.unidentifiedPoints ? rule.unidentifiedPoints : rule.points;
}

/** A limiter over `db` (tests build two over one database to show that instances share counts). */
export function createLimiter(rule: LimitRule, db: Db, points = rule.points): RateLimiterDrizzle {
  return new RateLimiterDrizzle({
    storeClient: db,
    schema: rateLimits,
    keyPrefix: rule.name,
    points,
    duration: rule.durationSeconds,
    // Deletes rows whose window ended over an hour ago, every 5 minutes (an unref'd timer).
    clearExpiredByTimeout: true,
  });
}

const limiters = new WeakMap<Db, Map<string, RateLimiterDrizzle>>();

async function limiterFor(rule: LimitRule, identity: string): Promise<RateLimiterDrizzle> {
  const db = await getDb();
  let byRule = limiters.get(db);
  if (!byRule) limiters.set(db, (byRule = new Map<string, RateLimiterDrizzle>()));
  const points = pointsFor(rule, identity);
  const cacheKey = `${rule.name}/${points}`;
  let limiter = byRule.get(cacheKey);
  if (!limiter) byRule.set(cacheKey, (limiter = createLimiter(rule, db, points)));
  return limiter;
}

/** Emails and addresses are stored only as hashes (the key also stays short, whatever the input). */
export function identityKey(identity: string): string {
  return crypto.createHash("sha256").update(identity.normalize("NFKC").toLowerCase()).digest("base64url");
}

/**
 * Takes one attempt from each rule; throws {@link RateLimitedError} (with the longest wait) when any
 * budget is used up. Every rule is counted, also when another has already refused.
 */
export async function takeAttempt(attempts: readonly Attempt[], what = "sign-in"): Promise<void> {
  const results = await Promise.allSettled(
    attempts.map(async ([rule, identity]) => (await limiterFor(rule, identity)).consume(identityKey(identity))),
  );
  let waitMs = -1;
  for (const result of results) {
    if (result.status === "fulfilled") continue;
    // rate-limiter-flexible rejects with a RateLimiterRes when the budget is used up, with an Error otherwise.
    if (!(result.reason instanceof RateLimiterRes)) throw result.reason;
    waitMs = Math.max(waitMs, result.reason.msBeforeNext);
  }
  if (waitMs >= 0) throw new RateLimitedError(Math.max(1, Math.ceil(waitMs / 1000)), what);
}

/** After a success: gives the attempt back (so only failures count). */
export async function giveBackAttempt(attempts: readonly Attempt[]): Promise<void> {
  await Promise.all(
    attempts.map(async ([rule, identity]) => (await limiterFor(rule, identity)).reward(identityKey(identity), 1)),
  );
}

/** After a success: forgets the identity's failures altogether (a signed-in account starts afresh). */
export async function clearAttempts(attempts: readonly Attempt[]): Promise<void> {
  await Promise.all(
    attempts.map(async ([rule, identity]) => (await limiterFor(rule, identity)).delete(identityKey(identity))),
  );
}
