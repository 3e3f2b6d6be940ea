import crypto from "node:crypto";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { handleSandboxRequest } from "@/lib/sandbox";
import { registeredRedirectUri } from "@/lib/sandbox/authorize";
import { createGenerator, daysWithHistory, shiftDay, localDay } from "@/lib/sandbox/data-generator";
import { pkceChallenge } from "@/lib/sandbox/oauth-server";
import { sandboxOAuthFlow } from "@/lib/sandbox/testing";
import { OURA_SANDBOX_ACCOUNTS, OURA_SANDBOX_CLIENT_ID, OURA_SANDBOX_CLIENT_SECRET, ouraSandbox } from ".";

// Pinned so expectations computed here match what the routes generate.
const NOW = new Date(Date.now() - 60_000);
const ALL_SCOPES = "email personal daily heartrate workout tag session spo2Daily";

beforeAll(() => {
  delete process.env.OURA_CLIENT_ID;
  delete process.env.OURA_CLIENT_SECRET;
  process.env.SANDBOX_NOW = NOW.toISOString();
});

afterEach(() => {
  delete process.env.SANDBOX_OURA_RATE_LIMIT;
  delete process.env.OURA_CLIENT_ID;
  delete process.env.OURA_CLIENT_SECRET;
});

const {
  base: BASE,
  call,
  authorizeForm,
  authorize,
  tokenForm,
  connect,
} = sandboxOAuthFlow<TokenBody>({
  providerId: "oura",
  clientId: OURA_SANDBOX_CLIENT_ID,
  clientSecret: OURA_SANDBOX_CLIENT_SECRET,
  account: "ava",
  scope: ALL_SCOPES,
  tokenPath: "/oauth/token",
});

interface TokenBody {
  token_type: string;
  access_token: string;
  expires_in: number;
  refresh_token: string;
  scope: string;
}

interface Page<T> {
  data: T[];
  next_token: string | null;
}

async function allPages<T>(
  collection: string,
  token: string,
  query: Record<string, string>,
): Promise<{ items: T[]; pages: number }> {
  const items: T[] = [];
  let pages = 0;
  let next: string | null = null;
  do {
    const response = await call("GET", `/v2/usercollection/${collection}`, {
      token,
      query: next ? { ...query, next_token: next } : query,
    });
    expect(response.status).toBe(200);
    const page = (await response.json()) as Page<T>;
    items.push(...page.data);
    next = page.next_token;
    pages++;
    expect(pages).toBeLessThan(100);
  } while (next);
  return { items, pages };
}

describe("authorise decision", () => {
  it("redirects with a code and the state on allow", async () => {
    expect(await authorize()).toMatch(/^[A-Za-z0-9_-]{20,}$/);
  });

  it("redirects with access_denied on deny", async () => {
    const response = await call("POST", "/oauth/authorize", { form: authorizeForm({ decision: "deny" }) });
    expect(response.status).toBe(302);
    const location = new URL(response.headers.get("location")!);
    expect(`${location.origin}${location.pathname}`).toBe(registeredRedirectUri("oura"));
    expect(location.searchParams.get("error")).toBe("access_denied");
    expect(location.searchParams.get("error_description")).toBeTruthy();
    expect(location.searchParams.get("state")).toBe("state-123");
    expect(location.searchParams.get("code")).toBeNull();
  });

  it("never redirects to an unregistered redirect_uri or for an unknown client", async () => {
    for (const bad of [
      { redirect_uri: "https://evil.example/callback" } as Record<string, string>,
      { redirect_uri: `${registeredRedirectUri("oura")}?x=1` },
      { client_id: "someone-else" },
    ]) {
      const response = await call("POST", "/oauth/authorize", { form: authorizeForm(bad) });
      expect(response.status).toBe(400);
      expect(response.headers.get("location")).toBeNull();
      expect(response.headers.get("content-type")).toContain("text/html");
    }
  });

  it("sends an unknown scope back to the app as invalid_scope", async () => {
    const response = await call("POST", "/oauth/authorize", { form: authorizeForm({ scope: "daily everything" }) });
    expect(response.status).toBe(302);
    expect(new URL(response.headers.get("location")!).searchParams.get("error")).toBe("invalid_scope");
  });
});

describe("token endpoint", () => {
  it("answers Oura's token shape", async () => {
    const tokens = await connect({ scope: "daily heartrate" });
    expect(tokens).toMatchObject({ token_type: "bearer", expires_in: 86_400, scope: "daily heartrate" });
    expect(tokens.access_token).toBeTruthy();
    expect(tokens.refresh_token).toBeTruthy();
  });

  it("refuses a used code with RFC 7807 + RFC 6749 fields", async () => {
    const code = await authorize();
    expect((await call("POST", "/oauth/token", { form: tokenForm(code) })).status).toBe(200);
    const again = await call("POST", "/oauth/token", { form: tokenForm(code) });
    expect(again.status).toBe(400);
    const body = (await again.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ status: 400, title: "Bad Request", error: "invalid_grant" });
    expect(typeof body.detail).toBe("string");
    expect(body.error_description).toBe(body.detail);
  });

  it("refuses bad client credentials with 401 invalid_client, and credentials outside the body", async () => {
    const code = await authorize();
    const wrong = await call("POST", "/oauth/token", { form: tokenForm(code, { client_secret: "nope" }) });
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toMatchObject({ status: 401, error: "invalid_client" });
    const { client_secret: _secret, ...withoutSecret } = tokenForm(code);
    const missing = await call("POST", "/oauth/token", { form: withoutSecret });
    expect(missing.status).toBe(401);
    // The code survived the refused client.
    expect((await call("POST", "/oauth/token", { form: tokenForm(code) })).status).toBe(200);
  });

  it("refuses unsupported grants and malformed requests", async () => {
    const password = await call("POST", "/oauth/token", {
      form: { grant_type: "password", client_id: OURA_SANDBOX_CLIENT_ID, client_secret: OURA_SANDBOX_CLIENT_SECRET },
    });
    expect(password.status).toBe(400);
    expect(await password.json()).toMatchObject({ error: "unsupported_grant_type" });
    const noCode = await call("POST", "/oauth/token", {
      form: {
        grant_type: "authorization_code",
        client_id: OURA_SANDBOX_CLIENT_ID,
        client_secret: OURA_SANDBOX_CLIENT_SECRET,
      },
    });
    expect(await noCode.json()).toMatchObject({ status: 400, error: "invalid_request" });
    const json = await call("POST", "/oauth/token", { headers: { "content-type": "application/json" }, body: "{}" });
    expect(json.status).toBe(400);
  });

  it("checks redirect_uri and PKCE at the exchange", async () => {
    const wrongRedirect = await call("POST", "/oauth/token", {
      form: tokenForm(await authorize(), { redirect_uri: "http://localhost:3000/elsewhere" }),
    });
    expect(await wrongRedirect.json()).toMatchObject({ status: 400, error: "invalid_grant" });

    const verifier = crypto.randomBytes(32).toString("base64url");
    const pkce = { code_challenge: pkceChallenge(verifier), code_challenge_method: "S256" };
    const mismatch = await call("POST", "/oauth/token", {
      form: tokenForm(await authorize(pkce), { code_verifier: "x".repeat(43) }),
    });
    expect(mismatch.status).toBe(400);
    expect(await mismatch.json()).toMatchObject({ status: 400, error: "invalid_grant" });
    // A code issued with a challenge is useless without the verifier (RFC 7636 §4.6).
    const missing = await call("POST", "/oauth/token", { form: tokenForm(await authorize(pkce)) });
    expect(missing.status).toBe(400);
    expect(await missing.json()).toMatchObject({
      status: 400,
      error: "invalid_grant",
      error_description: expect.stringMatching(/code_verifier/),
    });
    const good = await call("POST", "/oauth/token", {
      form: tokenForm(await authorize(pkce), { code_verifier: verifier }),
    });
    expect(good.status).toBe(200);
  });

  it("rotates single-use refresh tokens; reuse is 400 invalid_grant", async () => {
    const tokens = await connect();
    const refreshForm = (refresh_token: string) => ({
      grant_type: "refresh_token",
      refresh_token,
      client_id: OURA_SANDBOX_CLIENT_ID,
      client_secret: OURA_SANDBOX_CLIENT_SECRET,
    });
    const first = await call("POST", "/oauth/token", { form: refreshForm(tokens.refresh_token) });
    expect(first.status).toBe(200);
    const rotated = (await first.json()) as TokenBody;
    expect(rotated.refresh_token).not.toBe(tokens.refresh_token);
    expect(rotated.scope).toBe(ALL_SCOPES);
    const reuse = await call("POST", "/oauth/token", { form: refreshForm(tokens.refresh_token) });
    expect(reuse.status).toBe(400);
    expect(await reuse.json()).toMatchObject({ status: 400, error: "invalid_grant" });
    expect((await call("GET", "/v2/usercollection/personal_info", { token: rotated.access_token })).status).toBe(200);
  });
});

describe("data API", () => {
  const ava = OURA_SANDBOX_ACCOUNTS.find((a) => a.id === "ava")!;
  const avaGen = () =>
    createGenerator({ provider: "oura", accountId: "ava", historyDays: ava.historyDays, timeZone: ava.timeZone }, NOW);
  const today = () => localDay(NOW, ava.timeZone);

  it("pages through daily_sleep visiting every document exactly once", async () => {
    const { access_token } = await connect();
    const start = shiftDay(today(), -59);
    const { items, pages } = await allPages<{
      id: string;
      day: string;
      score: number;
      contributors: Record<string, number>;
      timestamp: string;
    }>("daily_sleep", access_token, { start_date: start, end_date: today() });
    const gen = avaGen();
    const expectedDays = daysWithHistory(
      { provider: "oura", accountId: "ava", historyDays: 120, timeZone: ava.timeZone },
      start,
      today(),
      NOW,
    ).filter((d) => gen.nightOf(d));
    expect(items.map((i) => i.day)).toEqual(expectedDays);
    expect(new Set(items.map((i) => i.id)).size).toBe(items.length);
    expect(pages).toBe(Math.ceil(items.length / 10));
    expect(items.length).toBeLessThan(60); // some nights are missing
    const doc = items[0]!;
    expect(Object.keys(doc.contributors).sort()).toEqual([
      "deep_sleep",
      "efficiency",
      "latency",
      "rem_sleep",
      "restfulness",
      "timing",
      "total_sleep",
    ]);
    expect(doc.timestamp).toMatch(/^\d{4}-\d{2}-\d{2}T00:00:00[+-]\d{2}:\d{2}$/);
  });

  it("pages through sleep periods (naps included) once each, with Oura's fields", async () => {
    const { access_token } = await connect();
    const query = { start_date: shiftDay(today(), -89), end_date: today() };
    const { items } = await allPages<Record<string, unknown>>("sleep", access_token, query);
    expect(new Set(items.map((i) => i.id)).size).toBe(items.length);
    const gen = avaGen();
    const expected = daysWithHistory(
      { provider: "oura", accountId: "ava", historyDays: 120, timeZone: ava.timeZone },
      query.start_date,
      query.end_date,
      NOW,
    ).flatMap((d) => gen.sleepPeriodsOf(d).map((p) => p.id));
    expect(items.map((i) => i.id)).toEqual(expected);
    expect(items.some((i) => i.type === "late_nap")).toBe(true);
    const night = items.find((i) => i.type === "long_sleep")!;
    for (const field of [
      "average_hrv",
      "lowest_heart_rate",
      "average_breath",
      "latency",
      "efficiency",
      "deep_sleep_duration",
      "rem_sleep_duration",
      "light_sleep_duration",
      "awake_time",
      "time_in_bed",
      "total_sleep_duration",
      "restless_periods",
      "bedtime_start",
      "bedtime_end",
    ]) {
      expect(night[field], field).toBeDefined();
    }
    expect(night.total_sleep_duration).toBe(
      (night.deep_sleep_duration as number) +
        (night.rem_sleep_duration as number) +
        (night.light_sleep_duration as number),
    );
    expect((night.hrv as { interval: number; items: unknown[] }).interval).toBe(300);
    expect((night.readiness as { temperature_deviation: number }).temperature_deviation).toEqual(expect.any(Number));
    expect(night.bedtime_start).toMatch(/[+-]\d{2}:\d{2}$/);
  });

  it("serves readiness, activity and SpO2 with inclusive day bounds", async () => {
    const { access_token } = await connect();
    const day = shiftDay(today(), -5);
    const readiness = await call("GET", "/v2/usercollection/daily_readiness", {
      token: access_token,
      query: { start_date: shiftDay(day, -2), end_date: day },
    });
    const readinessDocs = (
      (await readiness.json()) as Page<{
        day: string;
        contributors: Record<string, unknown>;
        temperature_deviation: number;
      }>
    ).data;
    expect(readinessDocs.length).toBeGreaterThan(0);
    expect(readinessDocs.every((d) => d.day >= shiftDay(day, -2) && d.day <= day)).toBe(true);
    expect(Object.keys(readinessDocs[0]!.contributors).sort()).toEqual([
      "activity_balance",
      "body_temperature",
      "hrv_balance",
      "previous_day_activity",
      "previous_night",
      "recovery_index",
      "resting_heart_rate",
      "sleep_balance",
      "sleep_regularity",
    ]);

    const activity = (await (
      await call("GET", "/v2/usercollection/daily_activity", {
        token: access_token,
        query: { start_date: day, end_date: day },
      })
    ).json()) as Page<Record<string, unknown>>;
    expect(activity.data).toHaveLength(1);
    expect(activity.data[0]).toMatchObject({
      day,
      steps: expect.any(Number),
      active_calories: expect.any(Number),
      total_calories: expect.any(Number),
      score: expect.any(Number),
    });
    expect(activity.data[0]!.timestamp).toMatch(/T04:00:00[+-]\d{2}:\d{2}$/);

    const spo2 = (await (
      await call("GET", "/v2/usercollection/daily_spo2", {
        token: access_token,
        query: { start_date: shiftDay(day, -6), end_date: day },
      })
    ).json()) as Page<Record<string, unknown>>;
    expect(spo2.data.length).toBeGreaterThan(0);
    expect(spo2.data[0]).toHaveProperty("breathing_disturbance_index");
    expect(spo2.data[0]).toHaveProperty("spo2_percentage");
  });

  it("defaults to yesterday and today without a range", async () => {
    const { access_token } = await connect();
    const page = (await (
      await call("GET", "/v2/usercollection/daily_activity", { token: access_token })
    ).json()) as Page<{ day: string }>;
    expect(page.data.length).toBeGreaterThan(0);
    expect(page.data.every((d) => d.day === today() || d.day === shiftDay(today(), -1))).toBe(true);
  });

  it("pages heart rate in 288-sample pages of UTC samples", async () => {
    const { access_token } = await connect();
    const end = new Date(Math.floor(NOW.getTime() / 300_000) * 300_000 - 86_400_000);
    const start = new Date(end.getTime() - 2 * 86_400_000);
    const { items, pages } = await allPages<{ bpm: number; source: string; timestamp: string }>(
      "heartrate",
      access_token,
      {
        start_datetime: start.toISOString(),
        end_datetime: end.toISOString(),
      },
    );
    expect(pages).toBeGreaterThan(1);
    const times = items.map((i) => Date.parse(i.timestamp));
    expect(new Set(times).size).toBe(items.length);
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    expect(times.every((t) => t >= start.getTime() && t < end.getTime())).toBe(true);
    expect(items.length).toBeGreaterThan(400);
    expect(items.length).toBeLessThanOrEqual(576);
    expect(items[0]!.timestamp).toMatch(/\+00:00$/);
    expect(new Set(items.map((i) => i.source))).toContain("sleep");
    expect(items.every((i) => i.bpm > 30 && i.bpm < 200)).toBe(true);
  });

  it("gives a new ring only its few days", async () => {
    const { access_token } = await connect({ account: "noah" });
    const noah = OURA_SANDBOX_ACCOUNTS.find((a) => a.id === "noah")!;
    const noahToday = localDay(NOW, noah.timeZone);
    const { items } = await allPages<{ day: string }>("daily_activity", access_token, {
      start_date: shiftDay(noahToday, -30),
      end_date: noahToday,
    });
    expect(items.length).toBeGreaterThan(0);
    expect(items.length).toBeLessThanOrEqual(3);
    expect(items.every((d) => d.day >= shiftDay(noahToday, -2))).toBe(true);
  });

  it("answers personal_info according to the granted scopes", async () => {
    const full = await connect();
    const info = (await (
      await call("GET", "/v2/usercollection/personal_info", { token: full.access_token })
    ).json()) as Record<string, unknown>;
    expect(info).toMatchObject({ age: 34, biological_sex: "female", email: ava.email });
    expect(info.id).toEqual(expect.any(String));
    const narrow = await connect({ scope: "daily" });
    const limited = (await (
      await call("GET", "/v2/usercollection/personal_info", { token: narrow.access_token })
    ).json()) as Record<string, unknown>;
    expect(limited).toMatchObject({ id: info.id, age: null, email: null });
  });

  it("401 for a missing, unknown or revoked token (RFC 7807)", async () => {
    const missing = await call("GET", "/v2/usercollection/daily_sleep");
    expect(missing.status).toBe(401);
    expect(await missing.json()).toMatchObject({ status: 401, title: "Unauthorized" });
    expect((await call("GET", "/v2/usercollection/daily_sleep", { token: "made-up" })).status).toBe(401);

    const { access_token } = await connect();
    expect((await call("GET", "/v2/usercollection/daily_sleep", { token: access_token })).status).toBe(200);
    const revoked = await call("GET", "/oauth/revoke", { query: { access_token } });
    expect(revoked.status).toBe(200);
    const after = await call("GET", "/v2/usercollection/daily_sleep", { token: access_token });
    expect(after.status).toBe(401);
    expect(((await after.json()) as { detail: string }).detail).toMatch(/revoked/);
  });

  it("403 when the scope is missing", async () => {
    const { access_token } = await connect({ scope: "personal email" });
    for (const collection of ["daily_sleep", "heartrate", "daily_spo2"]) {
      const response = await call("GET", `/v2/usercollection/${collection}`, { token: access_token });
      expect(response.status).toBe(403);
      expect(await response.json()).toMatchObject({ status: 403, title: "Forbidden" });
    }
  });

  it("422 for an unparsable date, 400 for a bad range or next_token", async () => {
    const { access_token } = await connect();
    const bad = await call("GET", "/v2/usercollection/daily_sleep", {
      token: access_token,
      query: { start_date: "2026-13-45" },
    });
    expect(bad.status).toBe(422);
    expect(await bad.json()).toMatchObject({
      detail: [{ loc: ["query", "start_date"], msg: expect.any(String), type: expect.any(String) }],
    });
    const reversed = await call("GET", "/v2/usercollection/daily_sleep", {
      token: access_token,
      query: { start_date: today(), end_date: shiftDay(today(), -3) },
    });
    expect(reversed.status).toBe(400);
    expect(await reversed.json()).toMatchObject({ status: 400 });
    expect(
      (await call("GET", "/v2/usercollection/daily_sleep", { token: access_token, query: { next_token: "garbage" } }))
        .status,
    ).toBe(400);
    const longRange = await call("GET", "/v2/usercollection/heartrate", {
      token: access_token,
      query: { start_datetime: "2026-01-01T00:00:00Z", end_datetime: "2026-03-01T00:00:00Z" },
    });
    expect(longRange.status).toBe(400);
  });

  it("429 with Oura's headers once SANDBOX_OURA_RATE_LIMIT is reached", async () => {
    process.env.SANDBOX_OURA_RATE_LIMIT = "3";
    const { access_token } = await connect();
    for (let i = 0; i < 3; i++)
      expect((await call("GET", "/v2/usercollection/personal_info", { token: access_token })).status).toBe(200);
    const limited = await call("GET", "/v2/usercollection/daily_sleep", { token: access_token });
    expect(limited.status).toBe(429);
    expect(await limited.json()).toMatchObject({ status: 429 });
    const retryAfter = Number(limited.headers.get("retry-after"));
    expect(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 300).toBe(true);
    expect(limited.headers.get("x-ratelimit-limit")).toBe("3");
    expect(limited.headers.get("x-ratelimit-window")).toBe("300");
    expect(limited.headers.get("x-ratelimit-tier")).toBe("token");
    const reset = Number(limited.headers.get("x-ratelimit-reset"));
    expect(reset).toBeGreaterThan(Date.now() / 1000 - 1);
    expect(reset).toBeLessThanOrEqual(Date.now() / 1000 + 300);
    // Another token has its own budget.
    const other = await connect();
    expect((await call("GET", "/v2/usercollection/personal_info", { token: other.access_token })).status).toBe(200);
  });
});

describe("router", () => {
  it("404 for unknown paths and collections, 405 for the wrong method", async () => {
    expect((await call("GET", "/nothing/here")).status).toBe(404);
    const { access_token } = await connect();
    expect((await call("GET", "/v2/usercollection/not_a_collection", { token: access_token })).status).toBe(404);
    const wrongMethod = await call("GET", "/oauth/token");
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get("allow")).toBe("POST");
  });

  it("serves HEAD from the GET route without a body", async () => {
    const { access_token } = await connect();
    const response = await call("HEAD", "/v2/usercollection/personal_info", { token: access_token });
    expect(response.status).toBe(200);
    expect(await response.text()).toBe("");
  });

  it("disappears when live Oura credentials are configured", async () => {
    process.env.OURA_CLIENT_ID = "real-client";
    process.env.OURA_CLIENT_SECRET = "real-secret";
    expect((await call("POST", "/oauth/token", { form: { grant_type: "refresh_token" } })).status).toBe(404);
    expect((await handleSandboxRequest("nonexistent", new Request(`${BASE}/x`), ["x"])).status).toBe(404);
  });

  it("describes its endpoints under the base URL", () => {
    expect(ouraSandbox.endpoints(BASE)).toEqual({
      authorization: `${BASE}/oauth/authorize`,
      token: `${BASE}/oauth/token`,
      api: BASE,
      revocation: `${BASE}/oauth/revoke`,
    });
  });
});
