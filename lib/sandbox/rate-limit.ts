import { and, eq, lt, sql } from "drizzle-orm";
import { getDb } from "@/lib/db/client";
import { sandboxRateLimits } from "@/lib/db/schema";

/**
 * Fixed-window request counter for sandbox rate limits, kept in the database so every app
 * instance counts against the same window.
 */

export interface RateLimitResult {
  limit: number;
  /** Requests left in this window after this one (never negative). */
  remaining: number;
  /** When the current window ends. */
  resetAt: Date;
  windowSeconds: number;
  /** True when this request is over the limit and must be refused. */
  exceeded: boolean;
}

export interface RateLimitInput {
  /** What is being limited, e.g. `oura:token:<hash>` or `oura:app:<client id>`. */
  key: string;
  limit: number;
  windowSeconds: number;
  now?: Date;
}

/** Counts one request against `key` and says whether it is over the limit. */
export async function hitRateLimit({
  key,
  limit,
  windowSeconds,
  now = new Date(),
}: RateLimitInput): Promise<RateLimitResult> {
  const windowMs = windowSeconds * 1000;
  const windowStart = new Date(Math.floor(now.getTime() / windowMs) * windowMs);
  const db = await getDb();
  const [row] = await db
    .insert(sandboxRateLimits)
    .values({ key, windowStart, count: 1 })
    .onConflictDoUpdate({
      target: [sandboxRateLimits.key, sandboxRateLimits.windowStart],
      set: { count: sql`${sandboxRateLimits.count} + 1` },
    })
    .returning({ count: sandboxRateLimits.count });
  const count = row?.count ?? 1;
  if (count === 1) {
    // First request of a new window: forget this key's finished windows.
    await db
      .delete(sandboxRateLimits)
      .where(and(eq(sandboxRateLimits.key, key), lt(sandboxRateLimits.windowStart, windowStart)));
  }
  return {
    limit,
    remaining: Math.max(0, limit - count),
    resetAt: new Date(windowStart.getTime() + windowMs),
    windowSeconds,
    exceeded: count > limit,
  };
}

/**
 * A sandbox limit from the environment (e.g. `SANDBOX_OURA_RATE_LIMIT`, which tests lower to
 * reach a limit quickly), or `fallback` when unset. Anything but a positive integer is an error.
 */
export function positiveIntFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (!raw) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a positive integer`);
  return value;
}
