import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { createSignedInUser } from "@/lib/testing/users";
import { getDb } from "@/lib/db/client";
import { connections } from "@/lib/db/schema";
import { GARMIN_SANDBOX_EMAILS, GARMIN_SANDBOX_MFA_CODE, GARMIN_SANDBOX_PASSWORD } from "@/lib/sandbox/garmin/accounts";
import { signedInClient } from "@/lib/testing/oauth-journey";
import { serveAppForTests } from "@/lib/testing/serve-app";
import { completeSessionMfa, SessionConnectError, startSessionLogin } from "./session-connect";

/**
 * Garmin sign-ins through our server are limited (per user here, per Garmin account, per client
 * address; codes per user), in the database, so the app cannot be used to guess a Garmin password
 * or verification code. Refusals are SessionConnectError("too_many_attempts") → 429 + Retry-After.
 */

const server = serveAppForTests({ sandboxFor: ["garmin"] });

async function failure(promise: Promise<unknown>): Promise<SessionConnectError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SessionConnectError);
  return error as SessionConnectError;
}

const login = (userId: string, email: string, password: string, clientAddress?: string) =>
  startSessionLogin({ userId, providerId: "garmin", email, password, clientAddress });

describe("Garmin sign-in limits", () => {
  it("five wrong passwords for one Garmin account: the next attempt answers 429 with Retry-After, even with the right password, for any user", async () => {
    const { client, userId } = await signedInClient(server.url);
    for (let i = 0; i < 5; i++) {
      const response = await client.post("/api/v1/garmin/login", {
        email: GARMIN_SANDBOX_EMAILS.plain,
        password: `wrong-${i}`,
      });
      expect(response.status).toBe(401);
    }
    const refused = await client.post("/api/v1/garmin/login", {
      email: GARMIN_SANDBOX_EMAILS.plain,
      password: GARMIN_SANDBOX_PASSWORD,
    });
    expect(refused.status).toBe(429);
    const retryAfter = Number(refused.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThan(800);
    expect(retryAfter).toBeLessThanOrEqual(900);
    expect(await refused.json()).toEqual({
      detail: expect.stringMatching(/^Too many Garmin sign-in attempts\. Try again in \d+ minutes\.$/),
    });

    // Another user of this app, same Garmin account: refused too (the limit is on the Garmin account).
    const other = await createSignedInUser();
    const error = await failure(login(other.id, GARMIN_SANDBOX_EMAILS.plain.toUpperCase(), GARMIN_SANDBOX_PASSWORD));
    expect(error.reason).toBe("too_many_attempts");
    expect(error.details.retryAfterSeconds).toBeGreaterThan(800);

    const db = await getDb();
    expect(await db.select().from(connections).where(eq(connections.userId, userId))).toEqual([]);
  });

  it("limits one user of this app to 10 failed Garmin sign-ins, whatever the Garmin account", async () => {
    const user = await createSignedInUser();
    for (let i = 0; i < 10; i++) {
      const error = await failure(login(user.id, `someone${i}-${Date.now()}@example.test`, "guess-guess"));
      expect(error.reason).not.toBe("too_many_attempts");
    }
    const error = await failure(login(user.id, GARMIN_SANDBOX_EMAILS.mfa, GARMIN_SANDBOX_PASSWORD));
    expect(error.reason).toBe("too_many_attempts");
  });

  it("limits one client address across users when the route passes it", async () => {
    const address = "203.0.113.99";
    for (let i = 0; i < 30; i++) {
      const user = await createSignedInUser();
      await failure(login(user.id, `addr${i}-${Date.now()}@example.test`, "guess-guess", address));
    }
    const fresh = await createSignedInUser();
    expect((await failure(login(fresh.id, GARMIN_SANDBOX_EMAILS.mfa, GARMIN_SANDBOX_PASSWORD, address))).reason).toBe(
      "too_many_attempts",
    );
    // The same user from another address is not affected.
    const started = await login(fresh.id, GARMIN_SANDBOX_EMAILS.mfa, GARMIN_SANDBOX_PASSWORD, "203.0.113.100");
    expect(started.status).toBe("mfa_required");
  }, 60_000);

  it("accepted sign-ins do not use up the budget", async () => {
    const user = await createSignedInUser();
    for (let i = 0; i < 12; i++) {
      expect((await login(user.id, GARMIN_SANDBOX_EMAILS.mfa, GARMIN_SANDBOX_PASSWORD)).status).toBe("mfa_required");
    }
  });

  it("limits verification codes per user: after 10 wrong codes over several challenges, even the right code is refused", async () => {
    const user = await createSignedInUser();
    let wrongCodes = 0;
    let challengeId = "";
    while (wrongCodes < 10) {
      if (!challengeId) {
        const started = await login(user.id, GARMIN_SANDBOX_EMAILS.mfa, GARMIN_SANDBOX_PASSWORD);
        if (started.status !== "mfa_required") throw new Error("expected a code step");
        challengeId = started.challengeId;
      }
      const error = await failure(completeSessionMfa({ userId: user.id, challengeId, code: "000000" }));
      wrongCodes++;
      expect(["invalid_code", "challenge_expired"]).toContain(error.reason);
      if (error.reason === "challenge_expired") challengeId = "";
    }
    if (!challengeId) {
      const started = await login(user.id, GARMIN_SANDBOX_EMAILS.mfa, GARMIN_SANDBOX_PASSWORD);
      if (started.status !== "mfa_required") throw new Error("expected a code step");
      challengeId = started.challengeId;
    }
    const refused = await failure(completeSessionMfa({ userId: user.id, challengeId, code: GARMIN_SANDBOX_MFA_CODE }));
    expect(refused.reason).toBe("too_many_attempts");
    expect(refused.details.retryAfterSeconds).toBeGreaterThan(0);
  });
});
