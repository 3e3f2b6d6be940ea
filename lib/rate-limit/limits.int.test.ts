import { sql } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { getDb, openDatabase } from "@/lib/db/client";
import { rateLimits } from "@/lib/db/schema";
import { UNIDENTIFIED_CLIENT } from "@/lib/http/client-address";
import {
  clearAttempts,
  createLimiter,
  giveBackAttempt,
  identityKey,
  LIMITS,
  type LimitRule,
  RateLimitedError,
  takeAttempt,
} from "./limits";

const closers: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const close of closers) await close();
});

/**
 * A second "app instance": its own connection to the same database where the database allows it
 * (PostgreSQL), else (in-memory PGlite, one per process) the same database under a second limiter.
 */
async function secondInstanceDb() {
  const url = process.env.DATABASE_URL!;
  if (url.startsWith("pglite:")) return getDb();
  const open = await openDatabase(url, { migrate: false });
  closers.push(open.close);
  return open.db;
}

async function refusal(promise: Promise<unknown>): Promise<RateLimitedError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(RateLimitedError);
  return error as RateLimitedError;
}

describe("attempt limits in the database", () => {
  it("two limiter instances over one database share one count", async () => {
    const rule: LimitRule = { name: "test:shared", points: 4, durationSeconds: 60 };
    const a = createLimiter(rule, await getDb());
    const b = createLimiter(rule, await secondInstanceDb());
    await a.consume("k");
    await b.consume("k");
    await a.consume("k");
    const seenByB = await b.get("k");
    expect(seenByB?.consumedPoints).toBe(3);
    await b.consume("k");
    // The fifth attempt, on either instance, is over the budget.
    await expect(a.consume("k")).rejects.toMatchObject({ remainingPoints: 0 });
    await expect(b.consume("k")).rejects.toMatchObject({ remainingPoints: 0 });
  });

  it("counts parallel attempts exactly (one atomic upsert each)", async () => {
    const rule: LimitRule = { name: "test:parallel", points: 100, durationSeconds: 60 };
    const a = createLimiter(rule, await getDb());
    const b = createLimiter(rule, await secondInstanceDb());
    await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 ? a : b).consume("p")));
    expect((await a.get("p"))?.consumedPoints).toBe(40);
  });

  it("refuses once the budget is used up, says how long to wait, and counts again after the window", async () => {
    const rule: LimitRule = { name: "test:window", points: 2, durationSeconds: 1 };
    await takeAttempt([[rule, "someone@example.test"]]);
    await takeAttempt([[rule, "someone@example.test"]]);
    const error = await refusal(takeAttempt([[rule, "someone@example.test"]]));
    expect(error.retryAfterSeconds).toBe(1);
    expect(error.message).toBe("Too many sign-in attempts. Try again in 1 second.");
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    await takeAttempt([[rule, "someone@example.test"]]);
  });

  it("uses the longest wait of the rules that refused, and counts every rule", async () => {
    const short: LimitRule = { name: "test:short", points: 1, durationSeconds: 60 };
    const long: LimitRule = { name: "test:long", points: 1, durationSeconds: 900 };
    await takeAttempt([
      [short, "x"],
      [long, "x"],
    ]);
    const error = await refusal(
      takeAttempt([
        [short, "x"],
        [long, "x"],
      ]),
    );
    expect(error.retryAfterSeconds).toBeGreaterThan(890);
    expect(error.retryAfterSeconds).toBeLessThanOrEqual(900);
  });

  it("giving an attempt back and clearing the failures both reopen the budget", async () => {
    const rule: LimitRule = { name: "test:reopen", points: 1, durationSeconds: 60 };
    await takeAttempt([[rule, "a"]]);
    await giveBackAttempt([[rule, "a"]]);
    await takeAttempt([[rule, "a"]]);
    await refusal(takeAttempt([[rule, "a"]]));
    await clearAttempts([[rule, "a"]]);
    await takeAttempt([[rule, "a"]]);
  });

  it("gives all unidentified clients one larger shared budget", async () => {
    const rule: LimitRule = { name: "test:address", points: 1, durationSeconds: 60, unidentifiedPoints: 3 };
    for (let i = 0; i < 3; i++) await takeAttempt([[rule, UNIDENTIFIED_CLIENT]]);
    await refusal(takeAttempt([[rule, UNIDENTIFIED_CLIENT]]));
    await takeAttempt([[rule, "203.0.113.7"]]);
    await refusal(takeAttempt([[rule, "203.0.113.7"]]));
  });

  it("stores only hashes of emails and addresses", async () => {
    await takeAttempt([[LIMITS.signInAccount, "Private.Person@Example.test"]]);
    const db = await getDb();
    const rows = await db
      .select()
      .from(rateLimits)
      .where(sql`${rateLimits.key} like 'sign-in:account:%'`);
    expect(rows.map((row) => row.key)).toContain(`sign-in:account:${identityKey("private.person@example.test")}`);
    expect(JSON.stringify(rows)).not.toMatch(/private|person|example/i);
  });
});
