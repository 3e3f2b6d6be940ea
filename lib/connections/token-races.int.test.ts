import { serveAppForTests } from "@/lib/testing/serve-app";
import { and, eq, isNotNull, isNull } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { getDb } from "@/lib/db/client";
import { connections, providerCredentialFailures, sandboxTokens } from "@/lib/db/schema";
import { exchangeAuthorizationCode } from "@/lib/oauth/engine";
import { ProviderAuthError, ProviderClientError, ProviderError } from "@/lib/providers/errors";
import { injectSandboxFault, resetSandboxControls, setSandboxClientCredentialsRejected } from "@/lib/sandbox/controls";
import { sha256Hex } from "@/lib/sandbox/oauth-server";
import { ouraOAuth } from "@/lib/sandbox/oura";
import type { TestClient } from "@/lib/testing/app-server";
import { connectThroughSandbox, signedInClient } from "@/lib/testing/oauth-journey";
import { assertClientCredentialsUsable, clearClientCredentialFailure } from "./client-credentials";
import { oauthRuntime } from "./oauth-flow";
import { disconnectConnection, listProviderCards, saveConnectionGrant } from "./service";
import {
  ConnectionUnavailableError,
  DEFAULT_TOKEN_TIMING,
  refreshConnectionTokens,
  setTokenTimingForTests,
} from "./tokens";

/**
 * Token writes under races, against the Oura sandbox (single-use refresh tokens) with its
 * controls: slow token answers, and client credentials refused as if the secret had been rotated.
 */
const server = serveAppForTests({ sandboxFor: ["oura"] });

let restoreTiming: (() => void) | undefined;
afterEach(async () => {
  restoreTiming?.();
  restoreTiming = undefined;
  await resetSandboxControls("oura");
  await clearClientCredentialFailure("oura");
});

async function connectOura() {
  const { client, userId } = await signedInClient(server.url);
  await connectThroughSandbox(client, "oura");
  return { client, userId, connection: await rowOf(userId) };
}

async function rowOf(userId: string) {
  const db = await getDb();
  const [row] = await db.select().from(connections).where(eq(connections.userId, userId));
  return row!;
}

/** The refresh tokens of the grant a refresh token belongs to: how many were spent, how many live. */
async function refreshTokensOfGrant(refreshToken: string) {
  const db = await getDb();
  const [first] = await db
    .select()
    .from(sandboxTokens)
    .where(eq(sandboxTokens.tokenHash, sha256Hex(refreshToken)));
  const family = and(eq(sandboxTokens.familyId, first!.familyId), eq(sandboxTokens.kind, "refresh"));
  const spent = await db
    .select()
    .from(sandboxTokens)
    .where(and(family, isNotNull(sandboxTokens.revokedAt)));
  const live = await db
    .select()
    .from(sandboxTokens)
    .where(and(family, isNull(sandboxTokens.revokedAt)));
  return { spent: spent.length, live: live.length };
}

/**
 * Answers the consent page for a code without PKCE (Oura's PKCE is optional), so the test can
 * exchange it itself and store the grant at the moment it chooses.
 */
async function consentCode(client: TestClient): Promise<string> {
  const authorize = await client.get("/api/v1/oauth/oura/authorize");
  const { authorization_url: authorizationUrl } = (await authorize.json()) as { authorization_url: string };
  const form = new URLSearchParams(new URL(authorizationUrl).searchParams);
  form.delete("code_challenge");
  form.delete("code_challenge_method");
  form.set("decision", "allow");
  const decision = await client.post("/sandbox/oura/oauth/authorize", form);
  expect(decision.status).toBe(302);
  return new URL(decision.headers.get("location")!).searchParams.get("code")!;
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Each test connects through the sandbox (sign-in, consent, callback, backfill) first. */
const JOURNEY_TIMEOUT_MS = 120_000;

describe("token writes under races", () => {
  it("keeps a lease longer than twice the token request timeout by default", () => {
    expect(DEFAULT_TOKEN_TIMING.leaseMs).toBeGreaterThanOrEqual(2 * DEFAULT_TOKEN_TIMING.requestTimeoutMs);
    expect(DEFAULT_TOKEN_TIMING.renewEveryMs).toBeLessThan(DEFAULT_TOKEN_TIMING.leaseMs / 2);
  });

  it(
    "ten concurrent refreshes while the provider answers slower than the lease: one refresh token spent, still active",
    async () => {
      const { connection } = await connectOura();
      // A lease shorter than the provider's answer: only renewal keeps a second worker out.
      // Margins wide enough for a loaded 2-core machine, whose event loop can stall for a few hundred ms.
      restoreTiming = setTokenTimingForTests({ leaseMs: 1_500, renewEveryMs: 250, requestTimeoutMs: 10_000 });
      await injectSandboxFault("oura", { kind: "slow", delayMs: 4_000, forSeconds: 600, target: "token" });

      const results = await Promise.all(
        Array.from({ length: 10 }, () =>
          refreshConnectionTokens(connection.id, { seenVersion: connection.tokenVersion }),
        ),
      );
      for (const row of results) {
        expect(row.status).toBe("active");
        expect(row.tokenVersion).toBe(connection.tokenVersion + 1);
        expect(row.accessToken).toBe(results[0]!.accessToken);
      }
      const after = await rowOf(connection.userId);
      expect(after.status).toBe("active");
      expect(after.refreshLeaseHolder).toBeNull();
      expect(await refreshTokensOfGrant(connection.refreshToken!)).toEqual({ spent: 1, live: 1 });
      // The stored tokens are the ones the provider issued last: they work.
      await expect(ouraOAuth.validateAccessToken(after.accessToken!)).resolves.toMatchObject({ accountId: "ava" });
    },
    JOURNEY_TIMEOUT_MS,
  );

  it(
    "a disconnect during a refresh stays disconnected",
    async () => {
      const { userId, connection } = await connectOura();
      await injectSandboxFault("oura", { kind: "slow", delayMs: 1500, forSeconds: 600, target: "token" });
      const refreshing = refreshConnectionTokens(connection.id).then(
        () => undefined,
        (error: unknown) => error,
      );
      await pause(300); // the refresh holds the lease and waits on the provider
      expect((await rowOf(userId)).refreshLeaseHolder).not.toBeNull();

      const revocation = await disconnectConnection(userId, "oura");
      expect(revocation).toMatchObject({ status: "revoked" });
      expect(await refreshing).toBeInstanceOf(ConnectionUnavailableError);

      const after = await rowOf(userId);
      expect(after).toMatchObject({ status: "revoked", accessToken: null, refreshToken: null });
      expect(after.tokenVersion).toBeGreaterThan(connection.tokenVersion);
      // Revoked at Oura too: the old access token no longer works.
      await expect(ouraOAuth.validateAccessToken(connection.accessToken!)).rejects.toMatchObject({ reason: "revoked" });
    },
    JOURNEY_TIMEOUT_MS,
  );

  it(
    "a reconnect during a refresh keeps the new grant",
    async () => {
      const { client, userId, connection } = await connectOura();
      // The user authorises again; the code is exchanged now, the grant stored while a refresh waits.
      const newGrant = await exchangeAuthorizationCode(oauthRuntime("oura"), await consentCode(client), null);

      await injectSandboxFault("oura", { kind: "slow", delayMs: 1500, forSeconds: 600, target: "token" });
      const refreshing = refreshConnectionTokens(connection.id);
      await pause(300);
      await saveConnectionGrant({ userId, provider: "oura", tokens: newGrant });
      const returned = await refreshing;

      const after = await rowOf(userId);
      expect(after.status).toBe("active");
      expect(after.accessToken).toBe(newGrant.accessToken);
      expect(after.refreshToken).toBe(newGrant.refreshToken);
      expect(returned.accessToken).toBe(newGrant.accessToken);
    },
    JOURNEY_TIMEOUT_MS,
  );

  it(
    // A throttled token endpoint (429 / Withings 601) is covered per provider in token-rate-limits.int.test.ts.
    "a slow token endpoint is transient: nobody is disconnected",
    async () => {
      const { userId, connection } = await connectOura();
      restoreTiming = setTokenTimingForTests({ requestTimeoutMs: 300 });
      await injectSandboxFault("oura", { kind: "slow", delayMs: 1000, forSeconds: 600, target: "token" });
      const slow = await refreshConnectionTokens(connection.id).catch((error: unknown) => error);
      expect(slow).toBeInstanceOf(ProviderError);
      expect(slow).not.toBeInstanceOf(ProviderAuthError);
      expect(await rowOf(userId)).toMatchObject({
        status: "active",
        refreshLeaseHolder: null,
        tokenVersion: connection.tokenVersion,
      });
      await pause(1200); // let the sandbox finish the abandoned request before the next test
    },
    JOURNEY_TIMEOUT_MS,
  );

  it(
    "invalid_client disconnects nobody, pauses the provider's refreshes with a warning, and resumes",
    async () => {
      const a = await connectOura();
      const b = await connectOura();
      await setSandboxClientCredentialsRejected("oura", true);

      for (const { connection } of [a, b]) {
        await expect(refreshConnectionTokens(connection.id)).rejects.toBeInstanceOf(ProviderClientError);
      }
      for (const { userId } of [a, b]) {
        const row = await rowOf(userId);
        expect(row.status).toBe("active");
        expect(row.refreshLeaseHolder).toBeNull();
        const card = (await listProviderCards(userId)).find((c) => c.provider === "oura")!;
        expect(card.status).toBe("active");
        expect(card.providerWarning).toMatch(/invalid_client/);
      }
      const db = await getDb();
      const failures = () =>
        db.select().from(providerCredentialFailures).where(eq(providerCredentialFailures.provider, "oura"));
      // One refusal recorded: from then on refreshes are paused and do not even ask Oura.
      const [paused] = await failures();
      expect(paused!.failures).toBe(1);
      await expect(refreshConnectionTokens(a.connection.id)).rejects.toBeInstanceOf(ProviderClientError);
      expect((await failures())[0]!.failures).toBe(1);

      // A changed configuration (another client secret) is tried at once; the same one waits.
      const runtime = oauthRuntime("oura");
      await expect(assertClientCredentialsUsable(runtime)).rejects.toBeInstanceOf(ProviderClientError);
      await expect(
        assertClientCredentialsUsable({ ...runtime, clientSecret: `${runtime.clientSecret}-rotated` }),
      ).resolves.toBeUndefined();

      // The operator fixes it at the provider; the retry time comes; refreshes resume by themselves.
      await setSandboxClientCredentialsRejected("oura", false);
      await db
        .update(providerCredentialFailures)
        .set({ retryAt: new Date(Date.now() - 1000) })
        .where(eq(providerCredentialFailures.provider, "oura"));
      const refreshed = await refreshConnectionTokens(a.connection.id);
      expect(refreshed.tokenVersion).toBe(a.connection.tokenVersion + 1);
      expect(await failures()).toHaveLength(0);
      const card = (await listProviderCards(a.userId)).find((c) => c.provider === "oura")!;
      expect(card.providerWarning).toBeNull();
    },
    JOURNEY_TIMEOUT_MS,
  );
});
