import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { getDb } from "@/lib/db/client";
import { users } from "@/lib/db/schema";
import { createTestClient, type TestClient } from "@/lib/testing/app-server";
import { signedInClient } from "@/lib/testing/oauth-journey";
import { serveAppForTests } from "@/lib/testing/serve-app";
import { verifyCredentials } from "./users";

/**
 * Change password and sign out everywhere: both end every other session (the session version in
 * the token no longer matches); a password change keeps the browser that made it signed in.
 */
const server = serveAppForTests();
const OLD_PASSWORD = "correct horse battery";
const NEW_PASSWORD = "violet lantern orbit 73 mango";
const COOKIE = "next-auth.session-token";

/** A second browser signed in through the plain sign-in form. */
async function signInElsewhere(email: string, password = OLD_PASSWORD): Promise<TestClient> {
  const client = createTestClient(server.url);
  const response = await client.post("/sign-in/submit", new URLSearchParams({ email, password, callbackUrl: "/" }));
  expect(response.status).toBe(303);
  expect(client.cookie(COOKIE)).toBeTruthy();
  return client;
}

async function isSignedIn(client: TestClient): Promise<boolean> {
  const response = await client.get("/api/v1/connections");
  if (response.status === 200) return true;
  expect(response.status).toBe(401);
  return false;
}

/** A client carrying only a copy of the given session cookie (an old copy of a stolen cookie). */
function clientWithCookie(value: string): TestClient {
  const client = createTestClient(server.url);
  client.setCookie(COOKIE, value);
  return client;
}

async function sessionVersion(userId: string): Promise<number> {
  const db = await getDb();
  const [row] = await db.select({ v: users.sessionVersion }).from(users).where(eq(users.id, userId));
  return row!.v;
}

describe("change password", () => {
  it("keeps this session, ends every other one, and swaps the password", async () => {
    const { client, userId, email } = await signedInClient(server.url);
    const other = await signInElsewhere(email);
    const before = client.cookie(COOKIE)!;
    expect(await isSignedIn(client)).toBe(true);
    expect(await isSignedIn(other)).toBe(true);

    const response = await client.post("/api/v1/account/password", {
      currentPassword: OLD_PASSWORD,
      newPassword: NEW_PASSWORD,
    });
    expect(response.status).toBe(200);
    expect(client.cookie(COOKIE)).not.toBe(before);
    expect(await sessionVersion(userId)).toBe(1);

    expect(await isSignedIn(client)).toBe(true);
    expect(await isSignedIn(other)).toBe(false);
    expect(await isSignedIn(clientWithCookie(before))).toBe(false);
    expect(await verifyCredentials(email, OLD_PASSWORD)).toBeNull();
    expect(await verifyCredentials(email, NEW_PASSWORD)).toMatchObject({ id: userId, sessionVersion: 1 });
    // A new sign-in with the new password gets a session of the current version.
    expect(await isSignedIn(await signInElsewhere(email, NEW_PASSWORD))).toBe(true);
  });

  it("next-auth's session endpoint answers no session for a stale token and clears the cookie", async () => {
    const { client, email } = await signedInClient(server.url);
    const other = await signInElsewhere(email);
    const live = await other.get("/api/auth/session");
    expect(await live.json()).toMatchObject({ user: { email } });

    expect(
      (await client.post("/api/v1/account/password", { currentPassword: OLD_PASSWORD, newPassword: NEW_PASSWORD }))
        .status,
    ).toBe(200);
    const stale = await other.get("/api/auth/session");
    expect(stale.status).toBe(200);
    expect(await stale.json()).toEqual({});
    expect(other.cookie(COOKIE)).toBeUndefined();
    const current = await client.get("/api/auth/session");
    expect(await current.json()).toMatchObject({ user: { email } });
  });

  it("refuses a wrong current password, a weak or unchanged new one, and changes nothing", async () => {
    const { client, userId, email } = await signedInClient(server.url);
    const other = await signInElsewhere(email);

    const wrong = await client.post("/api/v1/account/password", {
      currentPassword: "not it at all",
      newPassword: NEW_PASSWORD,
    });
    expect(wrong.status).toBe(400);
    expect(await wrong.json()).toMatchObject({
      detail: [{ loc: ["body", "currentPassword"], type: "wrong_password" }],
    });

    const weak = await client.post("/api/v1/account/password", {
      currentPassword: OLD_PASSWORD,
      newPassword: "password123",
    });
    expect(weak.status).toBe(422);
    expect(await weak.json()).toMatchObject({
      detail: [
        { loc: ["body", "newPassword"], type: "password_policy", msg: expect.stringMatching(/too easy to guess/) },
      ],
    });

    const ownEmail = await client.post("/api/v1/account/password", {
      currentPassword: OLD_PASSWORD,
      newPassword: email,
    });
    expect(ownEmail.status).toBe(422);

    const same = await client.post("/api/v1/account/password", {
      currentPassword: OLD_PASSWORD,
      newPassword: OLD_PASSWORD,
    });
    expect(same.status).toBe(422);
    expect(await same.json()).toMatchObject({ detail: [{ type: "same_password" }] });

    const missing = await client.post("/api/v1/account/password", { newPassword: NEW_PASSWORD });
    expect(missing.status).toBe(422);
    const notJson = await client.post("/api/v1/account/password", "currentPassword=x", {
      headers: { "content-type": "text/plain" },
    });
    expect(notJson.status).toBe(415);

    expect(await sessionVersion(userId)).toBe(0);
    expect(await isSignedIn(other)).toBe(true);
    expect(await verifyCredentials(email, OLD_PASSWORD)).toMatchObject({ id: userId });
  });

  it("counts wrong current passwords like failed sign-ins: the sixth is 429", async () => {
    const { client } = await signedInClient(server.url);
    for (let i = 0; i < 5; i++) {
      const r = await client.post("/api/v1/account/password", {
        currentPassword: `guess ${i}`,
        newPassword: NEW_PASSWORD,
      });
      expect(r.status).toBe(400);
    }
    const limited = await client.post("/api/v1/account/password", {
      currentPassword: OLD_PASSWORD,
      newPassword: NEW_PASSWORD,
    });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
  });

  it("refuses a cross-site request and one without a session", async () => {
    const { client } = await signedInClient(server.url);
    const crossSite = await client.post(
      "/api/v1/account/password",
      { currentPassword: OLD_PASSWORD, newPassword: NEW_PASSWORD },
      { headers: { origin: "https://evil.example" } },
    );
    expect(crossSite.status).toBe(403);
    const anonymous = createTestClient(server.url);
    const noSession = await anonymous.post("/api/v1/account/password", {
      currentPassword: "x",
      newPassword: NEW_PASSWORD,
    });
    expect(noSession.status).toBe(401);
  });
});

describe("sign out everywhere", () => {
  it("ends every session, this one too", async () => {
    const { client, userId, email } = await signedInClient(server.url);
    const other = await signInElsewhere(email);
    const response = await client.post("/api/v1/account/sign-out-everywhere");
    expect(response.status).toBe(200);
    expect(client.cookie(COOKIE)).toBeUndefined();
    expect(await isSignedIn(other)).toBe(false);
    expect(await sessionVersion(userId)).toBe(1);
    // Signing in again works and is of the new version.
    expect(await isSignedIn(await signInElsewhere(email))).toBe(true);
  });

  it("refuses a cross-site request", async () => {
    const { client, userId } = await signedInClient(server.url);
    const response = await client.post("/api/v1/account/sign-out-everywhere", undefined, {
      headers: { origin: "http://localhost:9999" },
    });
    expect(response.status).toBe(403);
    expect(await sessionVersion(userId)).toBe(0);
  });
});
