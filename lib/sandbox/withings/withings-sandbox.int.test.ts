import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { createGenerator, daysWithHistory, localDay, shiftDay } from "@/lib/sandbox/data-generator";
import { sandboxOAuthFlow } from "@/lib/sandbox/testing";
import {
  WITHINGS_SANDBOX_ACCOUNTS,
  WITHINGS_SANDBOX_CLIENT_ID,
  WITHINGS_SANDBOX_CLIENT_SECRET,
  withingsSignature,
} from ".";

// Pinned so expectations computed here match what the routes generate.
const NOW = new Date(Date.now() - 60_000);
const ALL_SCOPES = "user.info,user.metrics,user.activity,user.sleepevents";
const sam = WITHINGS_SANDBOX_ACCOUNTS.find((a) => a.id === "sam")!;

beforeAll(() => {
  delete process.env.WITHINGS_CLIENT_ID;
  process.env.SANDBOX_NOW = NOW.toISOString();
});

afterEach(() => {
  delete process.env.SANDBOX_WITHINGS_RATE_LIMIT;
  vi.useRealTimers();
});

interface Envelope<T = Record<string, unknown>> {
  status: number;
  body: T;
  error?: string;
}

const {
  call: request,
  authorize,
  tokenForm,
} = sandboxOAuthFlow({
  providerId: "withings",
  clientId: WITHINGS_SANDBOX_CLIENT_ID,
  clientSecret: WITHINGS_SANDBOX_CLIENT_SECRET,
  account: "sam",
  scope: ALL_SCOPES,
});

/** Withings takes every call as a form POST and answers everything, errors included, with HTTP 200 and an envelope. */
async function call<T = Record<string, unknown>>(
  path: string,
  form: Record<string, string | number>,
  token?: string,
): Promise<Envelope<T>> {
  const response = await request("POST", path, { form, token });
  expect(response.status).toBe(200);
  return (await response.json()) as Envelope<T>;
}

interface TokenBody {
  userid: number;
  access_token: string;
  refresh_token: string;
  expires_in: number;
  scope: string;
  csrf_token: string;
  token_type: string;
}

const client = { client_id: WITHINGS_SANDBOX_CLIENT_ID, client_secret: WITHINGS_SANDBOX_CLIENT_SECRET };

function exchange(code: string, extra: Record<string, string> = {}) {
  return call<TokenBody>("/v2/oauth2", { action: "requesttoken", ...tokenForm(code, extra) });
}

function refresh(refreshToken: string) {
  return call<TokenBody>("/v2/oauth2", {
    action: "requesttoken",
    grant_type: "refresh_token",
    refresh_token: refreshToken,
    ...client,
  });
}

async function connect(overrides: Record<string, string> = {}): Promise<TokenBody> {
  const answer = await exchange(await authorize(overrides));
  expect(answer.status).toBe(0);
  return answer.body;
}

describe("token endpoint (/v2/oauth2)", () => {
  it("answers Withings' token shape with comma-separated scopes and the user id", async () => {
    const tokens = await connect({ scope: "user.metrics,user.activity" });
    expect(tokens).toMatchObject({
      userid: sam.userid,
      expires_in: 10_800,
      scope: "user.metrics,user.activity",
      token_type: "Bearer",
    });
    expect(tokens.access_token).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    expect(tokens.refresh_token).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    expect(tokens.csrf_token).toBeTruthy();
  });

  it("has no PKCE: a code_challenge is an unknown parameter, and the exchange takes no verifier", async () => {
    const code = await authorize({ code_challenge: "A".repeat(43), code_challenge_method: "S256" });
    expect(await exchange(code)).toMatchObject({ status: 0 });
  });

  it("refuses a used, expired or foreign code with status 503 inside HTTP 200", async () => {
    const code = await authorize();
    expect((await exchange(code)).status).toBe(0);
    expect(await exchange(code)).toEqual({ status: 503, body: {}, error: "Invalid Params: invalid code" });

    // Codes live 30 seconds.
    const late = await authorize();
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Date.now() + 31_000);
    expect(await exchange(late)).toMatchObject({ status: 503, error: "Invalid Params: invalid code" });
    vi.useRealTimers();

    expect(await exchange(await authorize(), { client_secret: "wrong" })).toMatchObject({
      status: 503,
      error: "Invalid Params: invalid client_secret",
    });
    expect(await call("/v2/oauth2", { grant_type: "authorization_code", code: "x", ...client })).toMatchObject({
      status: 2554,
    });
  });

  it("rotates refresh tokens with a grace: the old one works until the new access token is used", async () => {
    const first = await connect();
    const second = (await refresh(first.refresh_token)).body;
    expect(second.refresh_token).not.toBe(first.refresh_token);
    // Within the grace the old refresh token still works…
    const again = await refresh(first.refresh_token);
    expect(again.status).toBe(0);
    // …until an access token issued after it is used.
    expect(
      (
        await call(
          "/v2/measure",
          { action: "getactivity", startdateymd: localDay(NOW, sam.timeZone), enddateymd: localDay(NOW, sam.timeZone) },
          again.body.access_token,
        )
      ).status,
    ).toBe(0);
    expect(await refresh(first.refresh_token)).toMatchObject({
      status: 503,
      error: "Invalid Params: invalid refresh_token",
    });
    // The newest refresh token keeps working.
    expect((await refresh(again.body.refresh_token)).status).toBe(0);
  });

  it("ends the grace after 8 hours even if the new access token is never used", async () => {
    const first = await connect();
    expect((await refresh(first.refresh_token)).status).toBe(0);
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Date.now() + 8 * 3600_000 + 1_000);
    expect((await refresh(first.refresh_token)).status).toBe(503);
  });

  it("revokes a user's grants with a nonce and a signature", async () => {
    const tokens = await connect();
    const timestamp = Math.floor(Date.now() / 1000);
    const nonce = await call<{ nonce: string }>("/v2/signature", {
      action: "getnonce",
      client_id: WITHINGS_SANDBOX_CLIENT_ID,
      timestamp,
      signature: withingsSignature("getnonce", WITHINGS_SANDBOX_CLIENT_ID, String(timestamp)),
    });
    expect(nonce.status).toBe(0);
    const revokeForm = {
      action: "revoke",
      client_id: WITHINGS_SANDBOX_CLIENT_ID,
      nonce: nonce.body.nonce,
      userid: sam.userid,
    };
    expect(await call("/v2/oauth2", { ...revokeForm, signature: "0".repeat(64) })).toMatchObject({
      status: 503,
      error: "Invalid Params: invalid signature",
    });
    expect(
      await call("/v2/oauth2", {
        ...revokeForm,
        signature: withingsSignature("revoke", WITHINGS_SANDBOX_CLIENT_ID, nonce.body.nonce),
      }),
    ).toEqual({ status: 0, body: {} });
    expect((await call("/measure", { action: "getmeas" }, tokens.access_token)).status).toBe(401);
    expect((await refresh(tokens.refresh_token)).status).toBe(503);
  });
});

describe("data API", () => {
  it("answers a bad token with status 401, a missing scope with 214 and bad parameters with 503", async () => {
    expect(await call("/measure", { action: "getmeas" }, "not-a-token")).toMatchObject({
      status: 401,
      error: expect.stringContaining("invalid_token"),
    });
    expect((await call("/measure", { action: "getmeas" })).status).toBe(401);
    const activityOnly = await connect({ scope: "user.activity" });
    expect((await call("/measure", { action: "getmeas" }, activityOnly.access_token)).status).toBe(214);
    const tokens = await connect();
    expect(
      (
        await call(
          "/v2/sleep",
          { action: "getsummary", startdateymd: "yesterday", enddateymd: "2026-01-01" },
          tokens.access_token,
        )
      ).status,
    ).toBe(503);
    expect((await call("/v2/sleep", { action: "getsummary" }, tokens.access_token)).status).toBe(503);
    expect((await call("/measure", { action: "getmeas", startdate: "soon" }, tokens.access_token)).status).toBe(503);
    expect((await call("/measure", { action: "nope" }, tokens.access_token)).status).toBe(2554);
  });

  it("pages 120 days of measure groups newest first with `more` (int) and `offset`, with days without a weigh-in", async () => {
    const { access_token } = await connect();
    const groups: Array<{
      date: number;
      attrib: number;
      category: number;
      measures: Array<{ type: number; value: number; unit: number }>;
    }> = [];
    let offset = 0;
    let pages = 0;
    for (;;) {
      const answer = await call<{ timezone: string; measuregrps: typeof groups; more: number; offset: number }>(
        "/measure",
        {
          action: "getmeas",
          meastypes: "1,6,8,76",
          category: 1,
          startdate: 0,
          enddate: Math.floor(NOW.getTime() / 1000),
          ...(offset ? { offset } : {}),
        },
        access_token,
      );
      expect(answer.status).toBe(0);
      expect(answer.body.timezone).toBe("Europe/Paris");
      expect(answer.body.measuregrps.length).toBeLessThanOrEqual(10);
      groups.push(...answer.body.measuregrps);
      pages++;
      expect([0, 1]).toContain(answer.body.more);
      if (!answer.body.more) break;
      expect(answer.body.offset).toBe(offset + answer.body.measuregrps.length);
      offset = answer.body.offset;
    }
    expect(pages).toBeGreaterThan(5);
    const dates = groups.map((g) => g.date);
    expect(dates).toEqual([...dates].sort((a, b) => b - a));
    expect(new Set(dates).size).toBe(dates.length);
    // Only the asked types, with Withings' integer value + power-of-ten unit encoding.
    for (const g of groups) {
      for (const m of g.measures) {
        expect([1, 6, 8, 76]).toContain(m.type);
        expect(Number.isInteger(m.value)).toBe(true);
      }
    }
    const weights = groups.flatMap((g) =>
      g.measures.filter((m) => m.type === 1 && g.attrib === 0).map((m) => m.value * 10 ** m.unit),
    );
    expect(Math.min(...weights)).toBeGreaterThan(74);
    expect(Math.max(...weights)).toBeLessThan(83);
    const weighInDays = new Set(
      groups.filter((g) => g.attrib === 0).map((g) => localDay(new Date(g.date * 1000), sam.timeZone)),
    );
    expect(weighInDays.size).toBeGreaterThan(70);
    expect(weighInDays.size).toBeLessThan(110); // some mornings have no weigh-in
  });

  it("pages sleep summaries with `more` (bool), with realistic missing nights and data_fields selection", async () => {
    const { access_token } = await connect();
    const gen = createGenerator(
      { provider: "withings", accountId: "sam", historyDays: sam.historyDays, timeZone: sam.timeZone },
      NOW,
    );
    const end = gen.bounds.today;
    const start = shiftDay(end, -59);
    const series: Array<{ date: string; timezone: string; model: number; data: Record<string, number> }> = [];
    let offset = 0;
    for (;;) {
      const answer = await call<{ series: typeof series; more: boolean; offset: number }>(
        "/v2/sleep",
        {
          action: "getsummary",
          startdateymd: start,
          enddateymd: end,
          data_fields: "total_sleep_time,sleep_efficiency,rmssd_start_avg",
          ...(offset ? { offset } : {}),
        },
        access_token,
      );
      expect(answer.status).toBe(0);
      expect(answer.body.series.length).toBeLessThanOrEqual(7);
      series.push(...answer.body.series);
      expect(typeof answer.body.more).toBe("boolean");
      if (!answer.body.more) break;
      offset = answer.body.offset;
    }
    const days = series.map((s) => s.date);
    expect(new Set(days).size).toBe(days.length);
    expect(days.every((d) => d >= start && d <= end)).toBe(true);
    expect(days.length).toBeGreaterThan(45);
    expect(days.length).toBeLessThan(60); // nights without data exist
    for (const s of series) {
      expect(s).toMatchObject({ timezone: "Europe/Paris", model: 32 });
      expect(
        Object.keys(s.data).every((k) => ["total_sleep_time", "sleep_efficiency", "rmssd_start_avg"].includes(k)),
      ).toBe(true);
      expect(s.data.sleep_efficiency).toBeGreaterThan(0.5);
      expect(s.data.sleep_efficiency).toBeLessThanOrEqual(1);
    }
    // The night's date is the morning it ends, which the generator's night also says.
    for (const s of series) expect(gen.nightOf(s.date)).not.toBeNull();
  });

  it("pages activities and serves watch data (heart rate) only to a watch owner", async () => {
    const { access_token } = await connect({ account: "lee" });
    const lee = WITHINGS_SANDBOX_ACCOUNTS.find((a) => a.id === "lee")!;
    const gen = createGenerator(
      { provider: "withings", accountId: "lee", historyDays: lee.historyDays, timeZone: lee.timeZone },
      NOW,
    );
    const days = daysWithHistory(gen.account, "2000-01-01", gen.bounds.today, NOW);
    const first = await call<{ activities: Array<Record<string, unknown>>; more: boolean; offset: number }>(
      "/v2/measure",
      { action: "getactivity", startdateymd: days[0]!, enddateymd: days.at(-1)! },
      access_token,
    );
    expect(first.status).toBe(0);
    expect(first.body.activities).toHaveLength(10);
    expect(first.body).toMatchObject({ more: true, offset: 10 });
    expect(first.body.activities[0]).toMatchObject({
      timezone: "America/New_York",
      is_tracker: true,
      hr_average: expect.any(Number),
    });
    const meas = await call<{ measuregrps: Array<{ measures: Array<{ type: number }> }> }>(
      "/measure",
      { action: "getmeas" },
      access_token,
    );
    const types = new Set(meas.body.measuregrps.flatMap((g) => g.measures.map((m) => m.type)));
    expect([...types].sort((a, b) => a - b)).toEqual(expect.arrayContaining([9, 10, 11, 73]));
  });

  it("answers status 601 with wait_seconds past the per-application limit, for data and token calls", async () => {
    const { access_token, refresh_token } = await connect();
    process.env.SANDBOX_WITHINGS_RATE_LIMIT = "2";
    let answer: Envelope<{ wait_seconds?: number }> | undefined;
    for (let i = 0; i < 4; i++) {
      answer = await call("/measure", { action: "getmeas" }, access_token);
      if (answer.status === 601) break;
    }
    expect(answer).toEqual({ status: 601, body: { wait_seconds: expect.any(Number) }, error: "Too many requests" });
    expect(answer!.body.wait_seconds).toBeGreaterThanOrEqual(1);
    expect(answer!.body.wait_seconds).toBeLessThanOrEqual(60);
    expect((await refresh(refresh_token)).status).toBe(601);
  });
});
