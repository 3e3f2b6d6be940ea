import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { getDb } from "@/lib/db/client";
import { oauthStates } from "@/lib/db/schema";
import { createSignedInUser } from "@/lib/testing/users";
import { consumeOAuthState, createOAuthState, hashState, OAuthStateError, STATE_TTL_MS } from "./state";

async function expectFailure(promise: Promise<unknown>, reason: OAuthStateError["reason"]) {
  const error = await promise.catch((e: unknown) => e);
  expect(error).toBeInstanceOf(OAuthStateError);
  expect((error as OAuthStateError).reason).toBe(reason);
}

describe("OAuth state", () => {
  it("is 32 random URL-safe bytes, stored only as a hash, bound to user and provider", async () => {
    const user = await createSignedInUser();
    const state = await createOAuthState({
      userId: user.id,
      provider: "oura",
      redirectPath: "/accounts",
      codeVerifier: "verifier",
    });
    expect(state).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const db = await getDb();
    const rows = await db.select().from(oauthStates).where(eq(oauthStates.userId, user.id));
    expect(rows).toHaveLength(1);
    expect(rows[0]!.stateHash).toBe(hashState(state));
    expect(rows[0]!.stateHash).not.toContain(state);
    const consumed = await consumeOAuthState({ state, provider: "oura", sessionUserId: user.id });
    expect(consumed).toEqual({
      userId: user.id,
      provider: "oura",
      redirectPath: "/accounts",
      codeVerifier: "verifier",
    });
  });

  it("can be used once", async () => {
    const user = await createSignedInUser();
    const state = await createOAuthState({ userId: user.id, provider: "oura", redirectPath: "/accounts" });
    await consumeOAuthState({ state, provider: "oura" });
    await expectFailure(consumeOAuthState({ state, provider: "oura" }), "unknown_or_used");
  });

  it("expires after 15 minutes", async () => {
    const user = await createSignedInUser();
    const issued = new Date("2026-11-21T10:00:00Z");
    const state = await createOAuthState({ userId: user.id, provider: "oura", redirectPath: "/accounts" }, issued);
    await expectFailure(
      consumeOAuthState({ state, provider: "oura" }, new Date(issued.getTime() + STATE_TTL_MS + 1)),
      "expired",
    );
    const fresh = await createOAuthState({ userId: user.id, provider: "oura", redirectPath: "/accounts" }, issued);
    await expect(
      consumeOAuthState({ state: fresh, provider: "oura" }, new Date(issued.getTime() + STATE_TTL_MS - 1000)),
    ).resolves.toBeTruthy();
  });

  it("refuses another signed-in user and another provider, and burns the state", async () => {
    const owner = await createSignedInUser();
    const intruder = await createSignedInUser();
    const state = await createOAuthState({ userId: owner.id, provider: "oura", redirectPath: "/accounts" });
    await expectFailure(consumeOAuthState({ state, provider: "oura", sessionUserId: intruder.id }), "wrong_user");
    await expectFailure(consumeOAuthState({ state, provider: "oura", sessionUserId: owner.id }), "unknown_or_used");
    const other = await createOAuthState({ userId: owner.id, provider: "oura", redirectPath: "/accounts" });
    await expectFailure(consumeOAuthState({ state: other, provider: "whoop" }), "provider_mismatch");
  });

  it("rejects forged, tampered or missing states", async () => {
    const user = await createSignedInUser();
    const state = await createOAuthState({ userId: user.id, provider: "oura", redirectPath: "/accounts" });
    const tampered = (state[0] === "A" ? "B" : "A") + state.slice(1);
    await expectFailure(consumeOAuthState({ state: tampered, provider: "oura" }), "unknown_or_used");
    await expectFailure(consumeOAuthState({ state: "forged", provider: "oura" }), "malformed");
    await expectFailure(consumeOAuthState({ state: `${state}x`, provider: "oura" }), "malformed");
    await expectFailure(consumeOAuthState({ state: null, provider: "oura" }), "malformed");
    // The genuine state still works: failed attempts with other values do not consume it.
    await expect(consumeOAuthState({ state, provider: "oura" })).resolves.toMatchObject({ userId: user.id });
  });
});
