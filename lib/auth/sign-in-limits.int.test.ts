import { sql } from "drizzle-orm";
import { afterEach, describe, expect, it, vi } from "vitest";
import { resetConfig } from "@/lib/config";
import { getDb } from "@/lib/db/client";
import { rateLimits } from "@/lib/db/schema";
import { createTestClient, type TestClient } from "@/lib/testing/app-server";
import { serveAppForTests } from "@/lib/testing/serve-app";
import { createUser, verifyCredentials } from "./users";

// Counts argon2 verifications, to show that a refused attempt never reaches the hash.
const argon2 = vi.hoisted(() => ({ verifications: 0 }));
vi.mock("@node-rs/argon2", async (importOriginal) => {
  const original = await importOriginal<typeof import("@node-rs/argon2")>();
  return {
    ...original,
    verify: (...args: Parameters<typeof original.verify>) => {
      argon2.verifications++;
      return original.verify(...args);
    },
  };
});

/**
 * Sign-in and sign-up over HTTP, as an attacker would try them: next-auth's credentials callback
 * (what the page's JavaScript uses, and what a script calls directly), the sign-up API and the
 * plain-HTML form routes. Attempts are limited per account and per client address, in the database.
 */

const server = serveAppForTests();
const PASSWORD = "violet tractor umbrella 7";

afterEach(() => {
  delete process.env.TRUST_PROXY;
  resetConfig();
});

let counter = 0;
async function newUser() {
  const email = `limits${++counter}-${Date.now()}@example.test`;
  await createUser({ email, password: PASSWORD });
  return email;
}

/** One next-auth credentials sign-in, the way next-auth's client sends it (CSRF token, json=true). */
async function nextAuthSignIn(client: TestClient, email: string, password: string, headers: HeadersInit = {}) {
  const csrf = (await (await client.get("/api/auth/csrf")).json()) as { csrfToken: string };
  return client.post(
    "/api/auth/callback/credentials",
    new URLSearchParams({ email, password, csrfToken: csrf.csrfToken, json: "true", callbackUrl: server.url }),
    { headers: { "content-type": "application/x-www-form-urlencoded", origin: server.url, ...headers } },
  );
}

/** Pretends the limit's window has passed (its rows expire now), as 15 minutes of waiting would. */
async function endWindows() {
  const db = await getDb();
  // eslint-disable-next-line drizzle/enforce-update-with-where -- every row: this file's own test database
  await db.update(rateLimits).set({ expire: sql`now() - interval '1 second'` });
}

function formPost(client: TestClient, path: string, fields: Record<string, string>, headers: HeadersInit = {}) {
  return client.post(path, new URLSearchParams(fields), {
    headers: { "content-type": "application/x-www-form-urlencoded", origin: server.url, ...headers },
  });
}

describe("sign-in attempts (next-auth's credentials callback)", () => {
  it("50 wrong passwords: 401 five times, then 429 with Retry-After, and the right password is refused too until the window passes", async () => {
    const email = await newUser();
    const client = createTestClient(server.url);
    const statuses: number[] = [];
    let lastRefusal: Response | undefined;
    for (let i = 0; i < 50; i++) {
      const response = await nextAuthSignIn(client, email, `wrong password ${i}`);
      statuses.push(response.status);
      if (response.status === 429) lastRefusal = response;
      else await response.text();
    }
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(statuses.slice(5)).toEqual(Array(45).fill(429));

    const retryAfter = Number(lastRefusal!.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThan(800);
    expect(retryAfter).toBeLessThanOrEqual(900);
    const body = (await lastRefusal!.json()) as { detail: string; url: string };
    expect(body.detail).toMatch(/^Too many sign-in attempts\. Try again in \d+ minutes\.$/);
    // next-auth's client reads `error` from this URL; the form turns it into the same message.
    expect(new URL(body.url).searchParams.get("error")).toMatch(/^RateLimited:\d+$/);

    const right = await nextAuthSignIn(client, email, PASSWORD);
    expect(right.status).toBe(429);
    expect(right.headers.get("retry-after")).toMatch(/^\d+$/);
    expect(client.cookie("next-auth.session-token")).toBeUndefined();

    await endWindows();
    const afterWindow = await nextAuthSignIn(client, email, PASSWORD);
    expect(afterWindow.status).toBe(200);
    expect(client.cookie("next-auth.session-token")).toBeTruthy();
  });

  it("a refused attempt costs no argon2 hash", async () => {
    const email = await newUser();
    for (let i = 0; i < 5; i++) expect(await verifyCredentials(email, `wrong ${i}`)).toBeNull();
    const before = argon2.verifications;
    for (let i = 0; i < 20; i++) await expect(verifyCredentials(email, PASSWORD)).rejects.toThrow(/Too many/);
    expect(argon2.verifications).toBe(before);
  });

  it("parallel wrong passwords cannot slip past the limit", async () => {
    const email = await newUser();
    const results = await Promise.allSettled(Array.from({ length: 20 }, (_, i) => verifyCredentials(email, `p${i}`)));
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(5);
    expect(results.filter((r) => r.status === "rejected")).toHaveLength(15);
  });

  it("a successful sign-in clears the account's failures", async () => {
    const email = await newUser();
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 4; i++) expect(await verifyCredentials(email, `wrong ${i}`)).toBeNull();
      expect(await verifyCredentials(email, PASSWORD)).toMatchObject({ email });
    }
  });

  it("limits each client address (TRUST_PROXY=1), whichever accounts it tries; other addresses are unaffected", async () => {
    process.env.TRUST_PROXY = "1";
    resetConfig();
    const client = createTestClient(server.url);
    const attacker = { "x-forwarded-for": "203.0.113.7" };
    const emails = Array.from({ length: 31 }, (_, i) => `nobody${i}-${Date.now()}@example.test`);
    // 30 failures spread over 30 accounts (so no account limit is reached)...
    await Promise.all(emails.slice(0, 30).map((email) => verifyCredentials(email, "guess", "203.0.113.7")));
    // ...and the 31st account, over HTTP, is refused for the address, even with a forged left-hand entry.
    const refused = await nextAuthSignIn(client, emails[30]!, "guess", {
      "x-forwarded-for": "198.51.100.9, 203.0.113.7",
    });
    expect(refused.status).toBe(429);
    expect(refused.headers.get("retry-after")).toMatch(/^\d+$/);
    const sameAddress = await nextAuthSignIn(client, await newUser(), PASSWORD, attacker);
    expect(sameAddress.status).toBe(429);
    // Another address signs in as usual.
    const other = await nextAuthSignIn(createTestClient(server.url), await newUser(), PASSWORD, {
      "x-forwarded-for": "198.51.100.20",
    });
    expect(other.status).toBe(200);
  }, 60_000);
});

describe("sign-up (the API the page's JavaScript uses)", () => {
  const signUp = (client: TestClient, email: string, password: string, headers: HeadersInit = {}) =>
    client.post("/api/v1/users", { email, password }, { headers: { origin: server.url, ...headers } });

  it.each([
    ["password123", /commonly used password/],
    ["aaaaaaaaaa", /repeats characters/],
    ["short", /at least 10 characters/],
    ["x".repeat(257), /at most 256 characters/],
  ])("refuses %j with 422 and says why; no account is created", async (password, why) => {
    const email = `weak-${++counter}@example.test`;
    const response = await signUp(createTestClient(server.url), email, password);
    expect(response.status).toBe(422);
    const body = (await response.json()) as { detail: { loc: string[]; msg: string }[] };
    expect(body.detail[0]!.loc).toEqual(["body", "password"]);
    expect(body.detail[0]!.msg).toMatch(why);
    const again = await signUp(createTestClient(server.url), email, PASSWORD);
    expect(again.status).toBe(201);
  });

  it("limits sign-ups per client address (TRUST_PROXY=1): 429 with Retry-After", async () => {
    process.env.TRUST_PROXY = "1";
    resetConfig();
    const client = createTestClient(server.url);
    const from = { "x-forwarded-for": "203.0.113.50" };
    for (let i = 0; i < 20; i++) {
      const response = await signUp(client, `burst${i}-${Date.now()}@example.test`, "password123", from);
      expect(response.status).toBe(422);
    }
    const refused = await signUp(client, `burst-last-${Date.now()}@example.test`, PASSWORD, from);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(await refused.json()).toEqual({ detail: expect.stringMatching(/^Too many sign-up attempts/) });
    const elsewhere = await signUp(client, `elsewhere-${Date.now()}@example.test`, PASSWORD, {
      "x-forwarded-for": "203.0.113.51",
    });
    expect(elsewhere.status).toBe(201);
  });

  it("limits sign-ups per email", async () => {
    const email = `one-email-${Date.now()}@example.test`;
    const client = createTestClient(server.url);
    for (let i = 0; i < 10; i++) expect((await signUp(client, email, "aaaaaaaaaa")).status).toBe(422);
    expect((await signUp(client, email, PASSWORD)).status).toBe(429);
  });
});

describe("the plain-HTML form routes (no JavaScript)", () => {
  it("sign-up then sign-in by POST set next-auth's session cookie and 303 to the callbackUrl", async () => {
    const email = `form-${Date.now()}@example.test`;
    const client = createTestClient(server.url);
    const signedUp = await formPost(client, "/sign-up/submit", {
      email,
      password: PASSWORD,
      callbackUrl: "/accounts?x=1",
    });
    expect(signedUp.status).toBe(303);
    expect(signedUp.headers.get("location")).toBe(`${server.url}/accounts?x=1`);
    const cookie = signedUp.headers.getSetCookie().find((c) => c.startsWith("next-auth.session-token="));
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=lax/i);
    expect(cookie).not.toMatch(/Secure/);
    // The cookie is a real session: next-auth's own session endpoint knows the user.
    expect(await (await client.get("/api/auth/session")).json()).toMatchObject({ user: { email } });

    const fresh = createTestClient(server.url);
    const signedIn = await formPost(fresh, "/sign-in/submit", { email, password: PASSWORD, callbackUrl: "/" });
    expect(signedIn.status).toBe(303);
    expect(signedIn.headers.get("location")).toBe(`${server.url}/`);
    expect(await (await fresh.get("/api/auth/session")).json()).toMatchObject({ user: { email } });
  });

  it("never follows an unsafe callbackUrl", async () => {
    const email = await newUser();
    for (const callbackUrl of [
      "/.//evil.example/x",
      "/..//evil.example",
      "/%2e//evil.example",
      "https://evil.example/",
    ]) {
      const response = await formPost(createTestClient(server.url), "/sign-in/submit", {
        email,
        password: PASSWORD,
        callbackUrl,
      });
      expect(response.status).toBe(303);
      expect(response.headers.get("location")).toBe(`${server.url}/`);
    }
  });

  it("goes back to the form with an error code, never the email or password in the URL", async () => {
    const email = await newUser();
    const wrong = await formPost(createTestClient(server.url), "/sign-in/submit", {
      email,
      password: "not the password",
      callbackUrl: "/accounts",
    });
    expect(wrong.status).toBe(303);
    const location = new URL(wrong.headers.get("location")!);
    expect(location.pathname).toBe("/sign-in");
    expect(Object.fromEntries(location.searchParams)).toEqual({ error: "credentials", callbackUrl: "/accounts" });

    const weak = await formPost(createTestClient(server.url), "/sign-up/submit", {
      email: `weak-form-${Date.now()}@example.test`,
      password: "password123",
    });
    const weakLocation = new URL(weak.headers.get("location")!);
    expect(Object.fromEntries(weakLocation.searchParams)).toEqual({ error: "password", reason: "common" });

    const taken = await formPost(createTestClient(server.url), "/sign-up/submit", { email, password: PASSWORD });
    expect(new URL(taken.headers.get("location")!).searchParams.get("error")).toBe("email_taken");
    for (const response of [wrong, weak, taken])
      expect(response.headers.get("location")).not.toMatch(/password1|example\.test/);
  });

  it("shares the attempt limits with next-auth's path", async () => {
    const email = await newUser();
    const client = createTestClient(server.url);
    for (let i = 0; i < 5; i++) expect((await nextAuthSignIn(client, email, `wrong ${i}`)).status).toBe(401);
    const response = await formPost(client, "/sign-in/submit", { email, password: PASSWORD });
    expect(response.status).toBe(303);
    const location = new URL(response.headers.get("location")!);
    expect(location.searchParams.get("error")).toBe("rate_limited");
    expect(Number(location.searchParams.get("retry_after"))).toBeGreaterThan(800);
  });

  it.each([
    ["a foreign Origin", { origin: "http://evil.example" }],
    ["a same-site Origin on another port", { origin: "http://127.0.0.1:1" }],
    ["a null Origin", { origin: "null" }],
    ["no Origin and a cross-site fetch", { origin: "", "sec-fetch-site": "cross-site" }],
  ])("refuses %s with 403 and signs nobody in", async (_label, headers) => {
    const email = await newUser();
    const init = new Headers({ "content-type": "application/x-www-form-urlencoded", ...headers });
    if (init.get("origin") === "") init.delete("origin");
    // Plain fetch: the test client would add the app's Origin.
    const response = await fetch(`${server.url}/sign-in/submit`, {
      method: "POST",
      headers: init,
      body: new URLSearchParams({ email, password: PASSWORD }),
      redirect: "manual",
    });
    expect(response.status).toBe(403);
    expect(await response.json()).toEqual({ detail: expect.any(String) });
    expect(response.headers.getSetCookie()).toEqual([]);
  });

  it("accepts Sec-Fetch-Site: same-origin when a browser sends no Origin", async () => {
    const email = await newUser();
    const response = await fetch(`${server.url}/sign-in/submit`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", "sec-fetch-site": "same-origin" },
      body: new URLSearchParams({ email, password: PASSWORD }),
      redirect: "manual",
    });
    expect(response.status).toBe(303);
    expect(response.headers.getSetCookie().some((c) => c.startsWith("next-auth.session-token="))).toBe(true);
  });

  it.each([
    ["JSON", "application/json", JSON.stringify({ email: "a@b.c", password: PASSWORD }), 415],
    ["text/plain", "text/plain", "email=a@b.c&password=x", 415],
    ["a broken multipart body", "multipart/form-data; boundary=x", "--x\r\nnot a part", 400],
  ])("answers %s with a 4xx JSON detail", async (_label, contentType, body, status) => {
    const response = await createTestClient(server.url).request("POST", "/sign-in/submit", {
      headers: { "content-type": contentType, origin: server.url },
      body,
    });
    expect(response.status).toBe(status);
    expect(await response.json()).toEqual({ detail: expect.any(String) });
  });
});
