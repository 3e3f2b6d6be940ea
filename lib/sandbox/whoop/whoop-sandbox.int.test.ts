import { and, eq } from "drizzle-orm";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { getDb } from "@/lib/db/client";
import { sandboxRateLimits, sandboxTokens } from "@/lib/db/schema";
import { createGenerator } from "@/lib/sandbox/data-generator";
import crypto from "node:crypto";
import { pkceChallenge, sha256Hex } from "@/lib/sandbox/oauth-server";
import { sandboxOAuthFlow } from "@/lib/sandbox/testing";
import { WHOOP_SANDBOX_ACCOUNTS, WHOOP_SANDBOX_CLIENT_ID, WHOOP_SANDBOX_CLIENT_SECRET, whoopSandbox } from ".";
import { whoopRecordsBetween } from "./payloads";

// Pinned so expectations computed here match what the routes generate.
const NOW = new Date(Date.now() - 60_000);
const ALL_SCOPES = "offline read:recovery read:cycles read:sleep read:workout read:profile read:body_measurement";
const DAY = 86_400_000;

beforeAll(() => {
  delete process.env.WHOOP_CLIENT_ID;
  delete process.env.WHOOP_CLIENT_SECRET;
  process.env.SANDBOX_NOW = NOW.toISOString();
});

afterEach(() => {
  delete process.env.SANDBOX_WHOOP_RATE_LIMIT;
  delete process.env.WHOOP_CLIENT_ID;
  delete process.env.WHOOP_CLIENT_SECRET;
});

const {
  base: BASE,
  call,
  authorizeForm,
  authorize,
  tokenForm,
  connect,
} = sandboxOAuthFlow<TokenBody>({
  providerId: "whoop",
  clientId: WHOOP_SANDBOX_CLIENT_ID,
  clientSecret: WHOOP_SANDBOX_CLIENT_SECRET,
  account: "jordan",
  scope: ALL_SCOPES,
  // WHOOP (Ory Hydra) wants a state of at least 8 characters.
  state: "state-12345",
  tokenPath: "/oauth/oauth2/token",
});

const refreshForm = (refresh_token: string, extra: Record<string, string> = {}) => ({
  grant_type: "refresh_token",
  refresh_token,
  client_id: WHOOP_SANDBOX_CLIENT_ID,
  client_secret: WHOOP_SANDBOX_CLIENT_SECRET,
  scope: "offline",
  ...extra,
});

interface TokenBody {
  access_token: string;
  expires_in: number;
  refresh_token?: string;
  scope: string;
  token_type: string;
}

interface Page {
  records: Array<Record<string, unknown>>;
  next_token?: string;
}

async function allPages(
  path: string,
  token: string,
  query: Record<string, string>,
): Promise<{ records: Page["records"]; pages: number }> {
  const records: Page["records"] = [];
  let pages = 0;
  let next: string | undefined;
  do {
    const response = await call("GET", path, { token, query: next ? { ...query, nextToken: next } : query });
    expect(response.status).toBe(200);
    const page = (await response.json()) as Page;
    expect(page.records.length).toBeLessThanOrEqual(Number(query.limit ?? 10));
    records.push(...page.records);
    next = page.next_token;
    pages++;
    expect(pages).toBeLessThan(100);
  } while (next);
  return { records, pages };
}

describe("WHOOP sandbox OAuth (Ory Hydra style)", () => {
  it("answers the token request with a one-hour token, a refresh token only with offline", async () => {
    const full = await connect();
    expect(full).toMatchObject({ token_type: "bearer", expires_in: 3600, scope: ALL_SCOPES });
    expect(full.refresh_token).toEqual(expect.any(String));
    const online = await connect({ scope: "read:recovery read:sleep" });
    expect(online.scope).toBe("read:recovery read:sleep");
    expect(online).not.toHaveProperty("refresh_token");
  });

  it("rotates refresh tokens: the used one is refused with Hydra's invalid_grant body", async () => {
    const tokens = await connect();
    const first = await call("POST", "/oauth/oauth2/token", { form: refreshForm(tokens.refresh_token!) });
    expect(first.status).toBe(200);
    const rotated = (await first.json()) as TokenBody;
    expect(rotated.refresh_token).toEqual(expect.any(String));
    expect(rotated.refresh_token).not.toBe(tokens.refresh_token);
    expect(rotated.scope).toBe(ALL_SCOPES);
    const reuse = await call("POST", "/oauth/oauth2/token", { form: refreshForm(tokens.refresh_token!) });
    expect(reuse.status).toBe(400);
    const body = (await reuse.json()) as Record<string, string>;
    expect(Object.keys(body).sort()).toEqual(["error", "error_description"]);
    expect(body.error).toBe("invalid_grant");
    expect(body.error_description).toMatch(
      /^The provided authorization grant .* refresh token is invalid, expired, revoked/,
    );
    expect((await call("POST", "/oauth/oauth2/token", { form: refreshForm(rotated.refresh_token!) })).status).toBe(200);
  });

  it("wants scope=offline on refresh, and refuses without burning the token", async () => {
    const tokens = await connect();
    const { scope: _scope, ...withoutScope } = refreshForm(tokens.refresh_token!);
    const missing = await call("POST", "/oauth/oauth2/token", { form: withoutScope });
    expect(missing.status).toBe(400);
    expect(await missing.json()).toMatchObject({ error: "invalid_scope" });
    expect((await call("POST", "/oauth/oauth2/token", { form: refreshForm(tokens.refresh_token!) })).status).toBe(200);
  });

  it("refuses used codes, bad clients and malformed requests", async () => {
    const code = await authorize();
    expect((await call("POST", "/oauth/oauth2/token", { form: tokenForm(code) })).status).toBe(200);
    const again = await call("POST", "/oauth/oauth2/token", { form: tokenForm(code) });
    expect(again.status).toBe(400);
    expect(await again.json()).toMatchObject({ error: "invalid_grant" });

    const fresh = await authorize();
    const wrong = await call("POST", "/oauth/oauth2/token", { form: tokenForm(fresh, { client_secret: "nope" }) });
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toMatchObject({ error: "invalid_client" });
    const { client_secret: _secret, ...withoutSecret } = tokenForm(fresh);
    expect((await call("POST", "/oauth/oauth2/token", { form: withoutSecret })).status).toBe(401);

    const password = await call("POST", "/oauth/oauth2/token", {
      form: { grant_type: "password", client_id: WHOOP_SANDBOX_CLIENT_ID, client_secret: WHOOP_SANDBOX_CLIENT_SECRET },
    });
    expect(await password.json()).toMatchObject({ error: "unsupported_grant_type" });
    const json = await call("POST", "/oauth/oauth2/token", {
      headers: { "content-type": "application/json" },
      body: "{}",
    });
    expect(json.status).toBe(400);
    expect(await json.json()).toMatchObject({ error: "invalid_request" });
  });

  it("requires the PKCE verifier once the authorise request carried a challenge", async () => {
    const verifier = crypto.randomBytes(32).toString("base64url");
    const pkce = { code_challenge: pkceChallenge(verifier), code_challenge_method: "S256" };
    const missingOrWrong: Record<string, string>[] = [
      {},
      { code_verifier: crypto.randomBytes(32).toString("base64url") },
    ];
    for (const extra of missingOrWrong) {
      const refused = await call("POST", "/oauth/oauth2/token", { form: tokenForm(await authorize(pkce), extra) });
      expect(refused.status).toBe(400);
      const body = (await refused.json()) as Record<string, string>;
      expect(Object.keys(body).sort()).toEqual(["error", "error_description"]);
      expect(body.error).toBe("invalid_grant");
    }
    const good = await call("POST", "/oauth/oauth2/token", {
      form: tokenForm(await authorize(pkce), { code_verifier: verifier }),
    });
    expect(good.status).toBe(200);
    // Without a challenge the code is redeemed as before (PKCE is optional for WHOOP clients).
    expect((await call("POST", "/oauth/oauth2/token", { form: tokenForm(await authorize()) })).status).toBe(200);
  });

  it("sends a state shorter than 8 characters back as invalid_state", async () => {
    const response = await call("POST", "/oauth/authorize", { form: authorizeForm({ state: "short" }) });
    expect(response.status).toBe(302);
    const location = new URL(response.headers.get("location")!);
    expect(location.searchParams.get("error")).toBe("invalid_state");
    expect(location.searchParams.get("error_description")).toMatch(/at least be 8 characters/);
    expect(location.searchParams.get("code")).toBeNull();
  });
});

describe("WHOOP sandbox developer API", () => {
  const jordan = WHOOP_SANDBOX_ACCOUNTS.find((a) => a.id === "jordan")!;
  const expected = (from: Date, to: Date) =>
    whoopRecordsBetween(
      createGenerator(
        { provider: "whoop", accountId: "jordan", historyDays: jordan.historyDays, timeZone: jordan.timeZone },
        NOW,
      ),
      jordan,
      from,
      to,
    );

  it("pages every collection newest first with limit and nextToken, start inclusive and end exclusive", async () => {
    const { access_token } = await connect();
    const from = new Date(NOW.getTime() - 40 * DAY);
    const want = expected(from, NOW);
    for (const [path, dataset] of [
      ["/developer/v2/activity/sleep", "sleeps"],
      ["/developer/v2/cycle", "cycles"],
      ["/developer/v2/recovery", "recoveries"],
    ] as const) {
      const { records, pages } = await allPages(path, access_token, {
        start: from.toISOString(),
        end: NOW.toISOString(),
        limit: "25",
      });
      expect(records).toEqual(want[dataset].map((r) => r.record));
      expect(pages).toBe(Math.ceil(records.length / 25));
    }
    // `start` is inclusive and `end` exclusive on the record's start.
    const cycle = want.cycles[5]!;
    const at = new Date(cycle.at).toISOString();
    const startingThere = (await (
      await call("GET", "/developer/v2/cycle", {
        token: access_token,
        query: { start: at, end: new Date(cycle.at + 1).toISOString() },
      })
    ).json()) as Page;
    expect(startingThere.records.map((r) => r.id)).toEqual([cycle.record.id]);
    expect(startingThere).not.toHaveProperty("next_token");
    const endingThere = (await (
      await call("GET", "/developer/v2/cycle", {
        token: access_token,
        query: { start: new Date(cycle.at - 1000).toISOString(), end: at },
      })
    ).json()) as Page;
    expect(endingThere.records).toEqual([]);
  });

  it("defaults to 10 records up to now", async () => {
    const { access_token } = await connect();
    const page = (await (await call("GET", "/developer/v2/activity/sleep", { token: access_token })).json()) as Page;
    expect(page.records).toHaveLength(10);
    expect(page.next_token).toEqual(expect.any(String));
  });

  it("serves the basic profile and body measurements", async () => {
    const { access_token } = await connect();
    const profile = await call("GET", "/developer/v2/user/profile/basic", { token: access_token });
    expect(await profile.json()).toEqual({
      user_id: 10129,
      email: jordan.email,
      first_name: "Jordan",
      last_name: "Avery",
    });
    const body = await call("GET", "/developer/v2/user/measurement/body", { token: access_token });
    expect(await body.json()).toEqual({ height_meter: 1.78, weight_kilogram: 74.2, max_heart_rate: 194 });
  });

  it("400 for a limit over 25 or bad parameters", async () => {
    const { access_token } = await connect();
    const badQueries: Array<Record<string, string>> = [
      { limit: "26" },
      { limit: "0" },
      { limit: "ten" },
      { start: "yesterday" },
      { start: "2026-01-01" },
      { end: "2026-13-01T00:00:00Z" },
      { start: NOW.toISOString(), end: new Date(NOW.getTime() - DAY).toISOString() },
      { nextToken: "garbage" },
    ];
    for (const query of badQueries) {
      const response = await call("GET", "/developer/v2/cycle", { token: access_token, query });
      expect(response.status, JSON.stringify(query)).toBe(400);
      expect(await response.json()).toEqual({ message: expect.any(String) });
      expect(response.headers.get("x-ratelimit-limit")).toBeTruthy();
    }
    // A cursor of one collection is no cursor for another.
    const page = (await (await call("GET", "/developer/v2/cycle", { token: access_token })).json()) as Page;
    expect(
      (await call("GET", "/developer/v2/recovery", { token: access_token, query: { nextToken: page.next_token! } }))
        .status,
    ).toBe(400);
  });

  it("401 for a missing, unknown, expired or revoked token, or a scope not granted", async () => {
    expect((await call("GET", "/developer/v2/cycle")).status).toBe(401);
    expect((await call("GET", "/developer/v2/cycle", { token: "made-up" })).status).toBe(401);

    const expiring = await connect();
    const db = await getDb();
    await db
      .update(sandboxTokens)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(and(eq(sandboxTokens.provider, "whoop"), eq(sandboxTokens.tokenHash, sha256Hex(expiring.access_token))));
    const expired = await call("GET", "/developer/v2/cycle", { token: expiring.access_token });
    expect(expired.status).toBe(401);
    expect(((await expired.json()) as { message: string }).message).toMatch(/expired/);

    const { access_token } = await connect();
    expect((await call("DELETE", "/developer/v2/user/access", { token: access_token })).status).toBe(204);
    expect((await call("GET", "/developer/v2/cycle", { token: access_token })).status).toBe(401);

    const narrow = await connect({ scope: "offline read:sleep" });
    expect((await call("GET", "/developer/v2/activity/sleep", { token: narrow.access_token })).status).toBe(200);
    for (const path of ["/developer/v2/cycle", "/developer/v2/recovery", "/developer/v2/user/profile/basic"]) {
      expect((await call("GET", path, { token: narrow.access_token })).status, path).toBe(401);
    }
  });

  it("sends X-RateLimit-* on every answer and 429 past the per-minute limit", async () => {
    process.env.SANDBOX_WHOOP_RATE_LIMIT = "3";
    const { access_token } = await connect();
    // The earlier tests' requests count against the same client: start from an empty window.
    await (await getDb()).delete(sandboxRateLimits);
    const remaining: string[] = [];
    for (let i = 0; i < 3; i++) {
      const ok = await call("GET", "/developer/v2/user/profile/basic", { token: access_token });
      expect(ok.status).toBe(200);
      expect(ok.headers.get("x-ratelimit-limit")).toBe("3, 3;window=60, 10000;window=86400");
      remaining.push(ok.headers.get("x-ratelimit-remaining")!);
      const reset = Number(ok.headers.get("x-ratelimit-reset"));
      expect(reset >= 1 && reset <= 60).toBe(true);
    }
    expect(remaining).toEqual(["2", "1", "0"]);
    const limited = await call("GET", "/developer/v2/cycle", { token: access_token });
    expect(limited.status).toBe(429);
    expect(limited.headers.get("x-ratelimit-remaining")).toBe("0");
    expect(Number(limited.headers.get("x-ratelimit-reset"))).toBeLessThanOrEqual(60);
    // The budget is the application's (client id), not the token's: another user's token is refused too.
    const other = await connect();
    expect((await call("GET", "/developer/v2/cycle", { token: other.access_token })).status).toBe(429);
    // The default limit is WHOOP's 100 a minute, already spent in part by this client.
    delete process.env.SANDBOX_WHOOP_RATE_LIMIT;
    const fresh = await call("GET", "/developer/v2/cycle", { token: other.access_token });
    expect(fresh.headers.get("x-ratelimit-limit")).toBe("100, 100;window=60, 10000;window=86400");
    expect(Number(fresh.headers.get("x-ratelimit-remaining"))).toBeLessThan(99);
  });

  it("serves only its own routes, and disappears when live WHOOP credentials are configured", async () => {
    expect((await call("GET", "/developer/v2/nothing")).status).toBe(404);
    expect((await call("GET", "/oauth/oauth2/token")).status).toBe(405);
    expect(whoopSandbox.endpoints(BASE)).toEqual({
      authorization: `${BASE}/oauth/authorize`,
      token: `${BASE}/oauth/oauth2/token`,
      api: `${BASE}/developer`,
    });
    process.env.WHOOP_CLIENT_ID = "real-client";
    process.env.WHOOP_CLIENT_SECRET = "real-secret";
    expect((await call("POST", "/oauth/oauth2/token", { form: { grant_type: "refresh_token" } })).status).toBe(404);
  });
});
