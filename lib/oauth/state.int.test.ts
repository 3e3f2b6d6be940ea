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
    const consumed = await consumeOAuthState({ state, provider: "oura", userId: user.id });
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
    await consumeOAuthState({ state, provider: "oura", userId: user.id });
    await expectFailure(consumeOAuthState({ state, provider: "oura", userId: user.id }), "unknown_or_used");
  });

  it("expires after 15 minutes", async () => {
    const user = await createSignedInUser();
    const issued = new Date("2026-11-21T10:00:00Z");
    const state = await createOAuthState({ userId: user.id, provider: "oura", redirectPath: "/accounts" }, issued);
    await expectFailure(
      consumeOAuthState({ state, provider: "oura", userId: user.id }, new Date(issued.getTime() + STATE_TTL_MS + 1)),
      "expired",
    );
    const fresh = await createOAuthState({ userId: user.id, provider: "oura", redirectPath: "/accounts" }, issued);
    await expect(
      consumeOAuthState(
        { state: fresh, provider: "oura", userId: user.id },
        new Date(issued.getTime() + STATE_TTL_MS - 1000),
      ),
    ).resolves.toBeTruthy();
  });

  it("belongs to the user who started the flow: anyone else consumes nothing", async () => {
    const owner = await createSignedInUser();
    const intruder = await createSignedInUser();
    const state = await createOAuthState({ userId: owner.id, provider: "oura", redirectPath: "/accounts" });
    await expectFailure(consumeOAuthState({ state, provider: "oura", userId: intruder.id }), "wrong_user");
    await expectFailure(consumeOAuthState({ state, provider: "oura", userId: intruder.id }), "wrong_user");
    // The owner's flow is intact: an intruder can neither use the state nor burn it.
    await expect(consumeOAuthState({ state, provider: "oura", userId: owner.id })).resolves.toMatchObject({
      userId: owner.id,
    });
    await expectFailure(consumeOAuthState({ state, provider: "oura", userId: owner.id }), "unknown_or_used");
  });

  it("two users racing for one state: only the owner can win", async () => {
    const owner = await createSignedInUser();
    const intruder = await createSignedInUser();
    const state = await createOAuthState({ userId: owner.id, provider: "oura", redirectPath: "/accounts" });
    const results = await Promise.allSettled([
      consumeOAuthState({ state, provider: "oura", userId: intruder.id }),
      consumeOAuthState({ state, provider: "oura", userId: owner.id }),
      consumeOAuthState({ state, provider: "oura", userId: owner.id }),
    ]);
    expect(results[0].status).toBe("rejected");
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
  });

  it("refuses (and burns) the owner's state presented for another provider", async () => {
    const owner = await createSignedInUser();
    const state = await createOAuthState({ userId: owner.id, provider: "oura", redirectPath: "/accounts" });
    await expectFailure(consumeOAuthState({ state, provider: "whoop", userId: owner.id }), "provider_mismatch");
    await expectFailure(consumeOAuthState({ state, provider: "oura", userId: owner.id }), "unknown_or_used");
  });

  it("rejects forged, tampered or missing states", async () => {
    const user = await createSignedInUser();
    const state = await createOAuthState({ userId: user.id, provider: "oura", redirectPath: "/accounts" });
    const tampered = (state[0] === "A" ? "B" : "A") + state.slice(1);
    await expectFailure(consumeOAuthState({ state: tampered, provider: "oura", userId: user.id }), "unknown_or_used");
    await expectFailure(consumeOAuthState({ state: "forged", provider: "oura", userId: user.id }), "malformed");
    await expectFailure(consumeOAuthState({ state: `${state}x`, provider: "oura", userId: user.id }), "malformed");
    await expectFailure(consumeOAuthState({ state: null, provider: "oura", userId: user.id }), "malformed");
    // The genuine state still works: failed attempts with other values do not consume it.
    await expect(consumeOAuthState({ state, provider: "oura", userId: user.id })).resolves.toMatchObject({
      userId: user.id,
    });
  });
});
