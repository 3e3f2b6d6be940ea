import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { getDb } from "@/lib/db/client";
import { connections, oauthStates } from "@/lib/db/schema";
import { hashState } from "@/lib/oauth/state";
import { pkceChallenge } from "@/lib/sandbox/oauth-server";
import { createTestClient } from "@/lib/testing/app-server";
import { answerConsent, followCallback, signedInClient } from "@/lib/testing/oauth-journey";
import { serveAppForTests } from "@/lib/testing/serve-app";
import { signInToResumeCallback } from "./oauth-flow";

/**
 * The OAuth grant belongs to the person who started it (issue 6 §2): PKCE binds the code to the
 * flow where the provider supports it, and the callback binds the state to the signed-in user.
 */

const server = serveAppForTests({ sandboxFor: ["oura", "whoop", "withings"], sandboxNow: new Date() });

const OAUTH_PROVIDERS = ["oura", "whoop", "withings"] as const;
/** Providers whose real authorisation server takes PKCE (README, "Security"). */
const PKCE_PROVIDERS = ["oura", "whoop"] as const;

async function connectionsOf(userId: string) {
  const db = await getDb();
  return db.select().from(connections).where(eq(connections.userId, userId));
}

async function stateRow(state: string) {
  const db = await getDb();
  const [row] = await db
    .select()
    .from(oauthStates)
    .where(eq(oauthStates.stateHash, hashState(state)));
  return row;
}

describe("PKCE on the authorisation request", () => {
  it.each(PKCE_PROVIDERS)("%s: carries an S256 challenge of the verifier kept with the state", async (provider) => {
    const { client } = await signedInClient(server.url);
    const { authorizationUrl } = await answerConsent(client, provider);
    expect(authorizationUrl.searchParams.get("code_challenge_method")).toBe("S256");
    const challenge = authorizationUrl.searchParams.get("code_challenge");
    expect(challenge).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // The state was consumed by nobody yet: its row holds the verifier the challenge was made from.
    const row = await stateRow(authorizationUrl.searchParams.get("state")!);
    expect(row?.codeVerifier).toMatch(/^[A-Za-z0-9_-]{43,128}$/);
    expect(pkceChallenge(row!.codeVerifier!)).toBe(challenge);
  });

  it("withings: sends no challenge (Withings has no PKCE)", async () => {
    const { client } = await signedInClient(server.url);
    const { authorizationUrl } = await answerConsent(client, "withings");
    expect(authorizationUrl.searchParams.has("code_challenge")).toBe(false);
    expect(authorizationUrl.searchParams.has("code_challenge_method")).toBe(false);
  });
});

describe("code injection: A's code redeemed with B's own state and session", () => {
  it.each(PKCE_PROVIDERS)("%s: is refused by the provider (wrong verifier) and stores nothing", async (provider) => {
    const victim = await signedInClient(server.url);
    const attacker = await signedInClient(server.url);
    const { callbackUrl: victimCallback } = await answerConsent(victim.client, provider);
    const { callbackUrl: attackerCallback } = await answerConsent(attacker.client, provider);

    const injected = new URL(attackerCallback);
    injected.searchParams.set("code", victimCallback.searchParams.get("code")!);
    const landed = await followCallback(attacker.client, injected);
    expect(landed.pathname).toBe("/accounts");
    expect(landed.searchParams.get("error")).toBe("token_exchange_failed");
    expect(await connectionsOf(attacker.userId)).toEqual([]);
    expect(await connectionsOf(victim.userId)).toEqual([]);
  });
});

describe("the callback needs the session of the user who started the flow", () => {
  it.each(OAUTH_PROVIDERS)(
    "%s: without a session it sends to sign-in and back, consuming nothing; then it completes",
    async (provider) => {
      const owner = await signedInClient(server.url);
      const { callbackUrl } = await answerConsent(owner.client, provider);
      const state = callbackUrl.searchParams.get("state")!;

      // The session ended while the person was on the provider's page.
      const signedOut = createTestClient(server.url);
      const response = await signedOut.get(`${callbackUrl.pathname}${callbackUrl.search}`);
      expect(response.status).toBe(303);
      const signIn = new URL(response.headers.get("location")!);
      expect(signIn.origin).toBe(server.url);
      expect(signIn.pathname).toBe("/sign-in");
      const resume = signIn.searchParams.get("callbackUrl")!;
      const resumeUrl = new URL(resume, server.url);
      expect(resume.startsWith("/")).toBe(true);
      expect(resumeUrl.pathname).toBe(`/api/v1/oauth/${provider}/callback`);
      expect([...resumeUrl.searchParams]).toEqual([...callbackUrl.searchParams]);
      expect(await stateRow(state)).toBeDefined();
      expect(await connectionsOf(owner.userId)).toEqual([]);

      // After signing in, the sign-in page returns to the callback, which completes.
      const landed = await followCallback(owner.client, resumeUrl);
      expect(landed.pathname).toBe("/accounts");
      expect(landed.searchParams.get("connected")).toBe(provider);
      expect(await connectionsOf(owner.userId)).toEqual([expect.objectContaining({ provider, status: "active" })]);
      expect(await stateRow(state)).toBeUndefined();
    },
  );

  it.each(OAUTH_PROVIDERS)(
    "%s: another signed-in user gets 'OAuth state invalid', stores nothing and burns nothing",
    async (provider) => {
      const owner = await signedInClient(server.url);
      const intruder = await signedInClient(server.url);
      const { callbackUrl } = await answerConsent(owner.client, provider);

      const stolen = await followCallback(intruder.client, callbackUrl);
      expect(stolen.pathname).toBe("/accounts");
      expect(stolen.searchParams.get("error")).toBe("oauth_state_invalid");
      expect(await connectionsOf(intruder.userId)).toEqual([]);
      expect(await connectionsOf(owner.userId)).toEqual([]);
      expect(await stateRow(callbackUrl.searchParams.get("state")!)).toBeDefined();

      // The intruder did not spend the owner's state or code: the owner's flow still completes.
      const landed = await followCallback(owner.client, callbackUrl);
      expect(landed.searchParams.get("connected")).toBe(provider);
      expect(await connectionsOf(owner.userId)).toHaveLength(1);
      expect(await connectionsOf(intruder.userId)).toEqual([]);
    },
  );

  it.each(OAUTH_PROVIDERS)("%s: an attacker's connect link answered by a victim connects nobody", async (provider) => {
    // The attacker starts a connect and gets the victim (signed out here) to authorise it.
    const attacker = await signedInClient(server.url);
    const { callbackUrl } = await answerConsent(attacker.client, provider);
    const victimBrowser = createTestClient(server.url);
    const toSignIn = await victimBrowser.get(`${callbackUrl.pathname}${callbackUrl.search}`);
    expect(toSignIn.status).toBe(303);
    expect(new URL(toSignIn.headers.get("location")!).pathname).toBe("/sign-in");
    expect(await connectionsOf(attacker.userId)).toEqual([]);

    // The victim signs in with their own account and comes back: the state is not theirs.
    const victim = await signedInClient(server.url);
    const resume = new URL(toSignIn.headers.get("location")!).searchParams.get("callbackUrl")!;
    const landed = await followCallback(victim.client, new URL(resume, server.url));
    expect(landed.searchParams.get("error")).toBe("oauth_state_invalid");
    expect(await connectionsOf(victim.userId)).toEqual([]);
    expect(await connectionsOf(attacker.userId)).toEqual([]);
  });

  it("keeps only the callback's own parameters on the way through sign-in", () => {
    const query = new URLSearchParams({
      code: "c/+&=",
      state: "s",
      error: "access_denied",
      extra: "x",
      next: "//evil",
    });
    const signIn = new URL(signInToResumeCallback("oura", query), "http://app.test");
    expect(signIn.pathname).toBe("/sign-in");
    const resume = new URL(signIn.searchParams.get("callbackUrl")!, "http://app.test");
    expect(resume.origin).toBe("http://app.test");
    expect(resume.pathname).toBe("/api/v1/oauth/oura/callback");
    expect([...resume.searchParams]).toEqual([
      ["code", "c/+&="],
      ["state", "s"],
      ["error", "access_denied"],
    ]);
    const odd = new URL(signInToResumeCallback("../../x", new URLSearchParams()), "http://app.test");
    expect(new URL(odd.searchParams.get("callbackUrl")!, "http://app.test").pathname).toBe(
      "/api/v1/oauth/..%2F..%2Fx/callback",
    );
  });
});
