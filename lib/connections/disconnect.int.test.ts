import { serveAppForTests } from "@/lib/testing/serve-app";
import { and, eq } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { getDb } from "@/lib/db/client";
import { connections, dailyMetrics } from "@/lib/db/schema";
import { injectSandboxFault, resetSandboxControls } from "@/lib/sandbox/controls";
import { GARMIN_SANDBOX_EMAILS, GARMIN_SANDBOX_PASSWORD } from "@/lib/sandbox/garmin/accounts";
import type { OAuthServer } from "@/lib/sandbox/oauth-server";
import { ouraOAuth } from "@/lib/sandbox/oura";
import { whoopOAuth } from "@/lib/sandbox/whoop";
import { withingsOAuth } from "@/lib/sandbox/withings";
import { connectThroughSandbox, signedInClient } from "@/lib/testing/oauth-journey";
import { requestManualSync } from "./backfill";
import { startSessionLogin } from "./session-connect";

/**
 * Disconnect revokes the grant at the provider where its API allows, then forgets our tokens and
 * stops syncing; the history stays. A revocation the provider does not confirm still disconnects
 * here, and the answer says so.
 */
const server = serveAppForTests({ sandboxFor: ["oura", "whoop", "withings", "garmin"] });

afterEach(async () => {
  for (const provider of ["oura", "whoop", "withings", "garmin"]) await resetSandboxControls(provider);
});

async function connectionOf(userId: string, provider: string) {
  const db = await getDb();
  const [row] = await db
    .select()
    .from(connections)
    .where(and(eq(connections.userId, userId), eq(connections.provider, provider)));
  return row!;
}

const OAUTH_SERVERS: Record<string, OAuthServer> = { oura: ouraOAuth, whoop: whoopOAuth, withings: withingsOAuth };

describe("disconnect", () => {
  for (const provider of ["oura", "whoop", "withings"]) {
    it(`${provider}: revokes the grant at the provider, forgets the tokens, keeps the history`, async () => {
      const { client, userId } = await signedInClient(server.url);
      await connectThroughSandbox(client, provider);
      const before = await connectionOf(userId, provider);
      const db = await getDb();
      const history = await db.select().from(dailyMetrics).where(eq(dailyMetrics.userId, userId));
      expect(history.length).toBeGreaterThan(0);

      const response = await client.request("DELETE", `/api/v1/connections/${provider}`);
      expect(response.status).toBe(200);
      const body = (await response.json()) as { status: string; revocation: { status: string; detail: string } };
      expect(body.status).toBe("revoked");
      expect(body.revocation.status).toBe("revoked");

      const after = await connectionOf(userId, provider);
      expect(after).toMatchObject({ status: "revoked", accessToken: null, refreshToken: null });
      // The provider no longer honours the tokens we had (a revoked token stops working).
      await expect(OAUTH_SERVERS[provider]!.validateAccessToken(before.accessToken!)).rejects.toMatchObject({
        reason: "revoked",
      });
      await expect(
        OAUTH_SERVERS[provider]!.refresh({
          refreshToken: before.refreshToken!,
          clientId: OAUTH_SERVERS[provider]!.rules.clientId,
          clientSecret: OAUTH_SERVERS[provider]!.rules.clientSecret,
        }),
      ).rejects.toMatchObject({ code: "invalid_grant" });
      expect(await db.select().from(dailyMetrics).where(eq(dailyMetrics.userId, userId))).toHaveLength(history.length);
      expect(await requestManualSync(userId, provider)).toBeUndefined();
    }, 120_000);
  }

  it("a revocation the provider does not confirm still disconnects here, and says so", async () => {
    const { client, userId } = await signedInClient(server.url);
    await connectThroughSandbox(client, "oura");
    await injectSandboxFault("oura", { kind: "server_error", status: 503, forSeconds: 60, target: "api" });
    const response = await client.request("DELETE", "/api/v1/connections/oura");
    expect(response.status).toBe(200);
    const body = (await response.json()) as { status: string; revocation: { status: string; detail: string } };
    expect(body.revocation.status).toBe("failed");
    expect(body.revocation.detail).toMatch(/Disconnected here, but Oura did not confirm/);
    expect(await connectionOf(userId, "oura")).toMatchObject({ status: "revoked", accessToken: null });
  }, 120_000);

  it("Garmin has no revocation API: disconnects here and says where to remove access", async () => {
    const { client, userId } = await signedInClient(server.url);
    const result = await startSessionLogin({
      userId,
      providerId: "garmin",
      email: GARMIN_SANDBOX_EMAILS.plain,
      password: GARMIN_SANDBOX_PASSWORD,
    });
    expect(result.status).toBe("connected");
    const response = await client.request("DELETE", "/api/v1/connections/garmin");
    const body = (await response.json()) as { revocation: { status: string; detail: string } };
    expect(body.revocation).toMatchObject({ status: "not_supported", detail: expect.stringMatching(/Garmin/) });
    expect(await connectionOf(userId, "garmin")).toMatchObject({ status: "revoked", sessionSecrets: null });
  }, 120_000);

  it("an unknown connection is a 404 and changes nothing", async () => {
    const { client } = await signedInClient(server.url);
    const response = await client.request("DELETE", "/api/v1/connections/oura");
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ detail: expect.any(String) });
  });
});
