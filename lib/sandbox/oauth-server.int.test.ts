import crypto from "node:crypto";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { getDb } from "@/lib/db/client";
import { sandboxAuthCodes, sandboxRateLimits, sandboxTokens } from "@/lib/db/schema";
import {
  createOAuthServer,
  pkceChallenge,
  sha256Hex,
  SandboxOAuthError,
  SandboxTokenError,
  type OAuthServerRules,
} from "./oauth-server";
import { hitRateLimit } from "./rate-limit";

const REDIRECT = "http://localhost:3000/api/v1/oauth/test/callback";

/** A server whose clock the test moves. */
function serverWith(overrides: Partial<OAuthServerRules> = {}) {
  let now = new Date("2026-03-01T12:00:00Z");
  const provider = `test-${crypto.randomUUID()}`;
  const server = createOAuthServer({
    provider,
    clientId: "client",
    clientSecret: "secret",
    codeLifetimeSeconds: 600,
    accessTokenLifetimeSeconds: 86_400,
    refreshPolicy: { kind: "single-use" },
    pkce: "optional",
    now: () => now,
    ...overrides,
  });
  return {
    server,
    provider,
    advance: (seconds: number) => {
      now = new Date(now.getTime() + seconds * 1000);
    },
  };
}

async function refused(promise: Promise<unknown>): Promise<SandboxOAuthError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SandboxOAuthError);
  return error as SandboxOAuthError;
}

async function tokenError(promise: Promise<unknown>): Promise<SandboxTokenError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SandboxTokenError);
  return error as SandboxTokenError;
}

const issue = (
  server: ReturnType<typeof serverWith>["server"],
  extra: { codeChallenge?: string; scopes?: string[] } = {},
) =>
  server.issueCode({
    accountId: "ava",
    clientId: "client",
    redirectUri: REDIRECT,
    scopes: extra.scopes ?? ["daily"],
    codeChallenge: extra.codeChallenge,
  });

const exchange = (
  server: ReturnType<typeof serverWith>["server"],
  code: string,
  extra: Partial<{ clientSecret: string; redirectUri: string; codeVerifier: string }> = {},
) =>
  server.exchangeCode({
    code,
    clientId: "client",
    clientSecret: extra.clientSecret ?? "secret",
    redirectUri: extra.redirectUri ?? REDIRECT,
    codeVerifier: extra.codeVerifier,
  });

describe("authorisation codes", () => {
  it("exchange once; a second use is invalid_grant", async () => {
    const { server } = serverWith();
    const code = await issue(server);
    const tokens = await exchange(server, code);
    expect(tokens).toMatchObject({ tokenType: "bearer", expiresIn: 86_400, scopes: ["daily"], accountId: "ava" });
    expect(tokens.refreshToken).toBeTruthy();
    const again = await refused(exchange(server, code));
    expect(again.code).toBe("invalid_grant");
    expect(again.reason).toBe("code_unknown_or_used");
  });

  it("expire after their lifetime", async () => {
    const { server, advance } = serverWith({ codeLifetimeSeconds: 30 });
    const fresh = await issue(server);
    advance(29);
    await expect(exchange(server, fresh)).resolves.toBeTruthy();
    const stale = await issue(server);
    advance(30);
    const error = await refused(exchange(server, stale));
    expect([error.code, error.reason]).toEqual(["invalid_grant", "code_expired"]);
  });

  it("check the client secret before touching the code", async () => {
    const { server } = serverWith();
    const code = await issue(server);
    const error = await refused(exchange(server, code, { clientSecret: "wrong" }));
    expect([error.code, error.reason]).toEqual(["invalid_client", "client_secret_mismatch"]);
    await expect(exchange(server, code)).resolves.toBeTruthy();
  });

  it("require the exact redirect_uri, and a failed attempt burns the code", async () => {
    const { server } = serverWith();
    const code = await issue(server);
    const error = await refused(exchange(server, code, { redirectUri: `${REDIRECT}/` }));
    expect([error.code, error.reason]).toEqual(["invalid_grant", "redirect_uri_mismatch"]);
    expect((await refused(exchange(server, code))).reason).toBe("code_unknown_or_used");
  });

  it("verify PKCE S256", async () => {
    const { server } = serverWith();
    const verifier = crypto.randomBytes(32).toString("base64url");
    const challenge = pkceChallenge(verifier);

    expect((await refused(exchange(server, await issue(server, { codeChallenge: challenge })))).reason).toBe(
      "pkce_verifier_missing",
    );
    const wrong = await refused(
      exchange(server, await issue(server, { codeChallenge: challenge }), { codeVerifier: `${verifier}x` }),
    );
    expect([wrong.code, wrong.reason]).toEqual(["invalid_grant", "pkce_verifier_mismatch"]);
    await expect(
      exchange(server, await issue(server, { codeChallenge: challenge }), { codeVerifier: verifier }),
    ).resolves.toBeTruthy();
  });

  it("drop a challenge when the provider has no PKCE, so no verifier is needed or checked", async () => {
    const { server } = serverWith({ pkce: "ignored" });
    const challenge = pkceChallenge(crypto.randomBytes(32).toString("base64url"));
    await expect(exchange(server, await issue(server, { codeChallenge: challenge }))).resolves.toBeTruthy();
  });

  it("refuse to issue a code without a challenge when PKCE is required", async () => {
    const { server } = serverWith({ pkce: "required" });
    expect((await refused(issue(server))).reason).toBe("pkce_challenge_missing");
  });

  it("are stored only as hashes", async () => {
    const { server, provider } = serverWith();
    const code = await issue(server);
    const db = await getDb();
    const rows = await db.select().from(sandboxAuthCodes).where(eq(sandboxAuthCodes.provider, provider));
    expect(rows).toHaveLength(1);
    expect(rows[0]!.codeHash).toBe(sha256Hex(code));
    expect(JSON.stringify(rows)).not.toContain(code);
  });
});

describe("access tokens", () => {
  it("validate to the grant, then expire", async () => {
    const { server, advance, provider } = serverWith({ accessTokenLifetimeSeconds: 3600 });
    const tokens = await exchange(server, await issue(server, { scopes: ["daily", "heartrate"] }));
    await expect(server.validateAccessToken(tokens.accessToken)).resolves.toMatchObject({
      accountId: "ava",
      clientId: "client",
      scopes: ["daily", "heartrate"],
    });
    expect((await tokenError(server.validateAccessToken("nope"))).reason).toBe("unknown");
    advance(3600);
    expect((await tokenError(server.validateAccessToken(tokens.accessToken))).reason).toBe("expired");

    const db = await getDb();
    const stored = JSON.stringify(await db.select().from(sandboxTokens).where(eq(sandboxTokens.provider, provider)));
    expect(stored).not.toContain(tokens.accessToken);
    expect(stored).not.toContain(tokens.refreshToken!);
  });

  it("are only accepted by the provider that issued them", async () => {
    const one = serverWith();
    const other = serverWith();
    const tokens = await exchange(one.server, await issue(one.server));
    expect((await tokenError(other.server.validateAccessToken(tokens.accessToken))).reason).toBe("unknown");
  });
});

describe("single-use refresh tokens", () => {
  it("rotate: the old one dies, the new one works", async () => {
    const { server } = serverWith();
    const first = await exchange(server, await issue(server));
    const second = await server.refresh({
      refreshToken: first.refreshToken!,
      clientId: "client",
      clientSecret: "secret",
    });
    expect(second.refreshToken).not.toBe(first.refreshToken);
    expect(second.scopes).toEqual(["daily"]);
    const reuse = await refused(
      server.refresh({ refreshToken: first.refreshToken!, clientId: "client", clientSecret: "secret" }),
    );
    expect([reuse.code, reuse.reason]).toEqual(["invalid_grant", "refresh_token_used"]);
    await expect(
      server.refresh({ refreshToken: second.refreshToken!, clientId: "client", clientSecret: "secret" }),
    ).resolves.toBeTruthy();
    // The access token issued before the refresh keeps working until it expires.
    await expect(server.validateAccessToken(first.accessToken)).resolves.toBeTruthy();
  });

  it("let exactly one of two concurrent refreshes win", async () => {
    const { server } = serverWith();
    const first = await exchange(server, await issue(server));
    const attempts = await Promise.allSettled([
      server.refresh({ refreshToken: first.refreshToken!, clientId: "client", clientSecret: "secret" }),
      server.refresh({ refreshToken: first.refreshToken!, clientId: "client", clientSecret: "secret" }),
    ]);
    expect(attempts.filter((a) => a.status === "fulfilled")).toHaveLength(1);
    const failure = attempts.find((a) => a.status === "rejected") as PromiseRejectedResult;
    expect((failure.reason as SandboxOAuthError).code).toBe("invalid_grant");
  });

  it("refuse unknown tokens and wrong client secrets", async () => {
    const { server } = serverWith();
    const first = await exchange(server, await issue(server));
    expect(
      (await refused(server.refresh({ refreshToken: "nope", clientId: "client", clientSecret: "secret" }))).reason,
    ).toBe("refresh_token_unknown");
    expect(
      (await refused(server.refresh({ refreshToken: first.refreshToken!, clientId: "client", clientSecret: "bad" })))
        .code,
    ).toBe("invalid_client");
    // The refused attempt did not consume the token.
    await expect(
      server.refresh({ refreshToken: first.refreshToken!, clientId: "client", clientSecret: "secret" }),
    ).resolves.toBeTruthy();
  });

  it("expire when the rules give them a lifetime", async () => {
    const { server, advance } = serverWith({ refreshTokenLifetimeSeconds: 100 });
    const first = await exchange(server, await issue(server));
    advance(100);
    expect(
      (await refused(server.refresh({ refreshToken: first.refreshToken!, clientId: "client", clientSecret: "secret" })))
        .reason,
    ).toBe("refresh_token_expired");
  });
});

describe("rotating refresh tokens with a grace period", () => {
  const grace = { refreshPolicy: { kind: "rotating-with-grace" as const, graceSeconds: 8 * 3600 } };
  const refresh = (server: ReturnType<typeof serverWith>["server"], refreshToken: string) =>
    server.refresh({ refreshToken, clientId: "client", clientSecret: "secret" });

  it("keep the old one valid during the grace period", async () => {
    const { server, advance } = serverWith(grace);
    const first = await exchange(server, await issue(server));
    await refresh(server, first.refreshToken!);
    advance(3600);
    await expect(refresh(server, first.refreshToken!)).resolves.toBeTruthy();
    advance(7 * 3600);
    const late = await refused(refresh(server, first.refreshToken!));
    expect([late.code, late.reason]).toEqual(["invalid_grant", "refresh_token_used"]);
  });

  it("end the grace once the new access token is used", async () => {
    const { server, advance } = serverWith(grace);
    const first = await exchange(server, await issue(server));
    const second = await refresh(server, first.refreshToken!);
    advance(60);
    await server.validateAccessToken(second.accessToken);
    expect((await refused(refresh(server, first.refreshToken!))).code).toBe("invalid_grant");
    await expect(refresh(server, second.refreshToken!)).resolves.toBeTruthy();
  });

  it("leave the grace alone when only an older access token is used", async () => {
    const { server, advance } = serverWith(grace);
    const first = await exchange(server, await issue(server));
    advance(5);
    await refresh(server, first.refreshToken!);
    await server.validateAccessToken(first.accessToken);
    await expect(refresh(server, first.refreshToken!)).resolves.toBeTruthy();
  });
});

describe("refresh tokens gated by a scope", () => {
  it("are issued only when the scope was granted (Whoop offline)", async () => {
    const { server } = serverWith({ refreshTokenRequiresScope: "offline" });
    const without = await exchange(server, await issue(server, { scopes: ["read:sleep"] }));
    expect(without.refreshToken).toBeUndefined();
    const withOffline = await exchange(server, await issue(server, { scopes: ["read:sleep", "offline"] }));
    expect(withOffline.refreshToken).toBeTruthy();
  });
});

describe("revocation", () => {
  it("revoking any token of a grant kills the whole family, and only that family", async () => {
    const { server } = serverWith();
    const first = await exchange(server, await issue(server));
    const second = await server.refresh({
      refreshToken: first.refreshToken!,
      clientId: "client",
      clientSecret: "secret",
    });
    const otherGrant = await exchange(server, await issue(server));

    expect(await server.revokeToken(second.accessToken)).toBe(true);
    expect((await tokenError(server.validateAccessToken(first.accessToken))).reason).toBe("revoked");
    expect((await tokenError(server.validateAccessToken(second.accessToken))).reason).toBe("revoked");
    expect(
      (
        await refused(
          server.refresh({ refreshToken: second.refreshToken!, clientId: "client", clientSecret: "secret" }),
        )
      ).code,
    ).toBe("invalid_grant");
    await expect(server.validateAccessToken(otherGrant.accessToken)).resolves.toBeTruthy();
    expect(await server.revokeToken("unknown")).toBe(false);
  });

  it("revoking an account's grants (user removed the app at the provider) kills every family, grace included", async () => {
    const { server } = serverWith({ refreshPolicy: { kind: "rotating-with-grace", graceSeconds: 3600 } });
    const a = await exchange(server, await issue(server));
    const b = await exchange(server, await issue(server));
    await server.refresh({ refreshToken: a.refreshToken!, clientId: "client", clientSecret: "secret" });
    expect(await server.revokeAccountGrants("ava")).toBeGreaterThanOrEqual(4);
    expect((await tokenError(server.validateAccessToken(b.accessToken))).reason).toBe("revoked");
    expect(
      (await refused(server.refresh({ refreshToken: a.refreshToken!, clientId: "client", clientSecret: "secret" })))
        .code,
    ).toBe("invalid_grant");
    expect(
      (await refused(server.refresh({ refreshToken: b.refreshToken!, clientId: "client", clientSecret: "secret" })))
        .code,
    ).toBe("invalid_grant");
  });
});

describe("rate limit counter", () => {
  it("counts per key and window, and starts over in the next window", async () => {
    const key = `test:${crypto.randomUUID()}`;
    const now = new Date("2026-03-01T12:01:00Z");
    const hit = (at = now) => hitRateLimit({ key, limit: 2, windowSeconds: 300, now: at });
    expect(await hit()).toMatchObject({
      remaining: 1,
      exceeded: false,
      limit: 2,
      resetAt: new Date("2026-03-01T12:05:00Z"),
    });
    expect(await hit()).toMatchObject({ remaining: 0, exceeded: false });
    expect(await hit()).toMatchObject({ remaining: 0, exceeded: true });
    // Another key has its own count.
    expect((await hitRateLimit({ key: `${key}:other`, limit: 2, windowSeconds: 300, now })).exceeded).toBe(false);
    const next = await hit(new Date("2026-03-01T12:05:00Z"));
    expect(next).toMatchObject({ remaining: 1, exceeded: false });
    // The finished window's row was cleaned up.
    const db = await getDb();
    expect(await db.select().from(sandboxRateLimits).where(eq(sandboxRateLimits.key, key))).toHaveLength(1);
  });

  it("counts concurrent requests exactly", async () => {
    const key = `test:${crypto.randomUUID()}`;
    const results = await Promise.all(
      Array.from({ length: 10 }, () => hitRateLimit({ key, limit: 5, windowSeconds: 60 })),
    );
    expect(results.filter((r) => r.exceeded)).toHaveLength(5);
  });
});
