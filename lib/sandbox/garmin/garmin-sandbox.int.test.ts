import crypto from "node:crypto";
import { and, eq } from "drizzle-orm";
import OAuth from "oauth-1.0a";
import { beforeAll, describe, expect, it } from "vitest";
import { getDb } from "@/lib/db/client";
import { sandboxSessions } from "@/lib/db/schema";
import { createGenerator, daysWithHistory, localDay } from "@/lib/sandbox/data-generator";
import { sandboxCaller } from "@/lib/sandbox/testing";
import { GARMIN_SANDBOX_ACCOUNTS, GARMIN_SANDBOX_CONSUMER_KEY, GARMIN_SANDBOX_CONSUMER_SECRET } from ".";
import { GARMIN_SANDBOX_EMAILS, GARMIN_SANDBOX_MFA_CODE, GARMIN_SANDBOX_PASSWORD } from "./accounts";
import { displayNameOf } from "./payloads";

const SERVICE = "https://mobile.integration.garmin.com/gcm/android";
const NOW = new Date(Date.now() - 60_000);

beforeAll(() => {
  delete process.env.GARMIN_CLIENT_ID;
  process.env.SANDBOX_NOW = NOW.toISOString();
});

const { base: BASE, call } = sandboxCaller("garmin");

const SSO_QUERY = `clientId=GCM_ANDROID_DARK&locale=en-US&service=${encodeURIComponent(SERVICE)}`;

async function signInCookie(): Promise<string> {
  const page = await call("GET", "/sso/mobile/sso/en/sign-in?clientId=GCM_ANDROID_DARK");
  expect(page.status).toBe(200);
  const cookie = page.headers.getSetCookie().find((c) => c.startsWith("SESSIONID="))!;
  return cookie.split(";")[0]!;
}

const ssoPost = (path: string, cookie: string | undefined, body: unknown) =>
  call("POST", `/sso/mobile/api/${path}?${SSO_QUERY}`, {
    headers: { "content-type": "application/json", ...(cookie ? { cookie } : {}) },
    body: JSON.stringify(body),
  });

async function loginAs(email: string, password = GARMIN_SANDBOX_PASSWORD) {
  const cookie = await signInCookie();
  const response = await ssoPost("login", cookie, { username: email, password, rememberMe: false, captchaToken: "" });
  return {
    cookie,
    response,
    body: (await response.json()) as {
      serviceTicketId: string | null;
      responseStatus: { type: string };
      customerMfaInfo: unknown;
    },
  };
}

function signer(secret = GARMIN_SANDBOX_CONSUMER_SECRET) {
  return new OAuth({
    consumer: { key: GARMIN_SANDBOX_CONSUMER_KEY, secret },
    signature_method: "HMAC-SHA1",
    hash_function: (base, key) => crypto.createHmac("sha1", key).update(base).digest("base64"),
  });
}

function preauthorized(ticket: string, options: { secret?: string; loginUrl?: string } = {}) {
  const path = `/connectapi/oauth-service/oauth/preauthorized?${new URLSearchParams({ ticket, "login-url": options.loginUrl ?? SERVICE, "accepts-mfa-tokens": "true" })}`;
  const s = signer(options.secret);
  const header = s.toHeader(s.authorize({ url: `${BASE}${path}`, method: "GET" }));
  return call("GET", path, { headers: { authorization: header.Authorization } });
}

function exchange(token: { key: string; secret: string }, data: Record<string, string> = {}, authorization?: string) {
  const path = "/connectapi/oauth-service/oauth/exchange/user/2.0";
  const s = signer();
  const header =
    authorization ?? s.toHeader(s.authorize({ url: `${BASE}${path}`, method: "POST", data }, token)).Authorization;
  return call("POST", path, {
    headers: { authorization: header, "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(data).toString(),
  });
}

async function oauth1For(email: string) {
  const { body } = await loginAs(email);
  const response = await preauthorized(body.serviceTicketId!);
  expect(response.status).toBe(200);
  const form = new URLSearchParams(await response.text());
  return { key: form.get("oauth_token")!, secret: form.get("oauth_token_secret")!, mfaToken: form.get("mfa_token") };
}

describe("Garmin sandbox SSO", () => {
  it("needs the sign-in page's cookie, and answers wrong passwords and locked accounts in Garmin's shape", async () => {
    const noCookie = await ssoPost("login", undefined, {
      username: GARMIN_SANDBOX_EMAILS.plain,
      password: GARMIN_SANDBOX_PASSWORD,
    });
    expect(noCookie.status).toBe(403);
    expect(await noCookie.json()).toMatchObject({ responseStatus: { type: "INVALID_SESSION" }, serviceTicketId: null });

    const wrong = await loginAs(GARMIN_SANDBOX_EMAILS.plain, "nope");
    expect(wrong.response.status).toBe(401);
    expect(wrong.body).toEqual({
      serviceURL: null,
      serviceTicketId: null,
      responseStatus: { type: "INVALID_USERNAME_PASSWORD", message: expect.any(String), httpStatus: "UNAUTHORIZED" },
      customerMfaInfo: null,
      authType: "CAS",
    });
    const locked = await loginAs(GARMIN_SANDBOX_EMAILS.locked);
    expect(locked.response.status).toBe(423);
    expect(locked.body.responseStatus.type).toBe("ACCOUNT_LOCKED");
    // A wrong password for the locked account does not reveal the lock.
    expect((await loginAs(GARMIN_SANDBOX_EMAILS.locked, "nope")).body.responseStatus.type).toBe(
      "INVALID_USERNAME_PASSWORD",
    );

    const ok = await loginAs(GARMIN_SANDBOX_EMAILS.plain);
    expect(ok.response.status).toBe(200);
    expect(ok.body).toMatchObject({
      serviceURL: SERVICE,
      serviceTicketId: expect.stringMatching(/^ST-\d+-\w+-sso$/),
      responseStatus: { type: "SUCCESSFUL" },
    });
    // The cookie's sign-in is finished: it cannot sign in again.
    const reused = await ssoPost("login", ok.cookie, {
      username: GARMIN_SANDBOX_EMAILS.plain,
      password: GARMIN_SANDBOX_PASSWORD,
    });
    expect(reused.status).toBe(403);
  });

  it("MFA: the emailed code within 5 minutes; 5 wrong codes or the 5 minutes end the sign-in", async () => {
    const first = await loginAs(GARMIN_SANDBOX_EMAILS.mfa);
    expect(first.body).toMatchObject({
      serviceTicketId: null,
      responseStatus: { type: "MFA_REQUIRED" },
      customerMfaInfo: { mfaLastMethodUsed: "email" },
    });
    const verify = (cookie: string, code: string) =>
      ssoPost("mfa/verifyCode", cookie, {
        mfaMethod: "email",
        mfaVerificationCode: code,
        rememberMyBrowser: false,
        reconsentList: [],
        mfaSetup: false,
      });
    const wrong = await verify(first.cookie, "000000");
    expect(wrong.status).toBe(400);
    expect(await wrong.json()).toMatchObject({ responseStatus: { type: "INVALID_MFA_CODE" } });
    const right = await verify(first.cookie, GARMIN_SANDBOX_MFA_CODE);
    expect(await right.json()).toMatchObject({
      responseStatus: { type: "SUCCESSFUL" },
      serviceTicketId: expect.stringMatching(/^ST-/),
    });
    expect(
      ((await (await verify(first.cookie, GARMIN_SANDBOX_MFA_CODE)).json()) as { responseStatus: { type: string } })
        .responseStatus.type,
    ).toBe("MFA_CODE_EXPIRED");

    const second = await loginAs(GARMIN_SANDBOX_EMAILS.mfa);
    for (let i = 0; i < 4; i++) expect((await verify(second.cookie, "111111")).status).toBe(400);
    const fifth = await verify(second.cookie, "111111");
    expect(((await fifth.json()) as { responseStatus: { type: string } }).responseStatus.type).toBe("MFA_CODE_EXPIRED");
    expect(
      ((await (await verify(second.cookie, GARMIN_SANDBOX_MFA_CODE)).json()) as { responseStatus: { type: string } })
        .responseStatus.type,
    ).toBe("MFA_CODE_EXPIRED");

    const third = await loginAs(GARMIN_SANDBOX_EMAILS.mfa);
    const db = await getDb();
    await db
      .update(sandboxSessions)
      .set({ expiresAt: new Date(Date.now() - 1) })
      .where(and(eq(sandboxSessions.kind, "sso_mfa"), eq(sandboxSessions.consumed, false)));
    const late = await verify(third.cookie, GARMIN_SANDBOX_MFA_CODE);
    expect(((await late.json()) as { responseStatus: { type: string } }).responseStatus.type).toBe("MFA_CODE_EXPIRED");
  });
});

describe("Garmin sandbox OAuth1 session", () => {
  it("checks the OAuth1 signature and the ticket, once", async () => {
    const { body } = await loginAs(GARMIN_SANDBOX_EMAILS.plain);
    const ticket = body.serviceTicketId!;

    const forged = await preauthorized(ticket, { secret: "not-the-consumer-secret" });
    expect(forged.status).toBe(401);
    expect(new URLSearchParams(await forged.text()).get("oauth_problem")).toBe("signature_invalid");
    const unsigned = await call("GET", `/connectapi/oauth-service/oauth/preauthorized?ticket=${ticket}`);
    expect(unsigned.status).toBe(401);
    const otherService = await preauthorized(ticket, { loginUrl: "https://evil.example/" });
    expect(otherService.status).toBe(401);
    // That attempt claimed the ticket: it is single-use even when the attempt fails.
    const again = await preauthorized(ticket);
    expect(again.status).toBe(401);
    expect(new URLSearchParams(await again.text()).get("oauth_problem")).toBe("token_rejected");

    const pair = await oauth1For(GARMIN_SANDBOX_EMAILS.plain);
    expect(pair.key).toMatch(/^[0-9a-f]{32}$/);
    expect(pair.mfaToken).toBeNull();

    const wrongSecret = await exchange({ key: pair.key, secret: "wrong" });
    expect(wrongSecret.status).toBe(401);
    expect(new URLSearchParams(await wrongSecret.text()).get("oauth_problem")).toBe("signature_invalid");

    const s = signer();
    const path = "/connectapi/oauth-service/oauth/exchange/user/2.0";
    const header = s.toHeader(
      s.authorize(
        { url: `${BASE}${path}`, method: "POST", data: { audience: "GARMIN_CONNECT_MOBILE_ANDROID_DI" } },
        pair,
      ),
    ).Authorization;
    const first = await exchange(pair, { audience: "GARMIN_CONNECT_MOBILE_ANDROID_DI" }, header);
    expect(first.status).toBe(200);
    const tokens = (await first.json()) as Record<string, unknown>;
    expect(tokens).toEqual({
      scope: expect.stringContaining("CONNECT_READ"),
      jti: expect.any(String),
      access_token: expect.any(String),
      token_type: "Bearer",
      refresh_token: expect.any(String),
      expires_in: expect.any(Number),
      refresh_token_expires_in: 2_591_999,
    });
    expect(tokens.expires_in as number).toBeGreaterThanOrEqual(75_000);
    // The same signed request again is a replay.
    const replay = await exchange(pair, { audience: "GARMIN_CONNECT_MOBILE_ANDROID_DI" }, header);
    expect(new URLSearchParams(await replay.text()).get("oauth_problem")).toBe("nonce_used");
    // Renewal: a fresh exchange with the same pair gives a new bearer.
    const renewed = (await (await exchange(pair)).json()) as { access_token: string };
    expect(renewed.access_token).not.toBe(tokens.access_token);
  });

  it("MFA sessions must send their mfa_token on every exchange", async () => {
    const { cookie } = await loginAs(GARMIN_SANDBOX_EMAILS.mfa);
    const verified = await ssoPost("mfa/verifyCode", cookie, {
      mfaMethod: "email",
      mfaVerificationCode: GARMIN_SANDBOX_MFA_CODE,
    });
    const { serviceTicketId } = (await verified.json()) as { serviceTicketId: string };
    const form = new URLSearchParams(await (await preauthorized(serviceTicketId)).text());
    const pair = { key: form.get("oauth_token")!, secret: form.get("oauth_token_secret")! };
    expect(form.get("mfa_token")).toMatch(/^[0-9a-f]{32}$/);
    expect(form.get("mfa_expiration_timestamp")).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3}$/);
    const without = await exchange(pair);
    expect(without.status).toBe(401);
    expect((await exchange(pair, { mfa_token: form.get("mfa_token")! })).status).toBe(200);
  });
});

describe("Garmin sandbox data API", () => {
  const account = GARMIN_SANDBOX_ACCOUNTS.find((a) => a.id === "alex")!;

  async function bearer(): Promise<string> {
    const pair = await oauth1For(GARMIN_SANDBOX_EMAILS.plain);
    return ((await (await exchange(pair)).json()) as { access_token: string }).access_token;
  }

  const get = (path: string, token?: string) => call("GET", path, { token });

  it("refuses missing or unknown bearer tokens with 401 in connectapi's shape", async () => {
    for (const token of [undefined, "forged-token"]) {
      const response = await get("/connectapi/userprofile-service/socialProfile", token);
      expect(response.status).toBe(401);
      expect(await response.json()).toEqual({ message: expect.any(String), error: "UnauthorizedException" });
    }
  });

  it("serves the profile, per-day data for the account's own displayName, and validates dates", async () => {
    const token = await bearer();
    const profile = (await (await get("/connectapi/userprofile-service/socialProfile", token)).json()) as {
      displayName: string;
      profileId: number;
    };
    expect(profile.displayName).toBe(displayNameOf(account));
    expect(profile.profileId).toBeGreaterThan(0);

    const gen = createGenerator(
      { provider: "garmin", accountId: account.id, historyDays: account.historyDays, timeZone: account.timeZone },
      NOW,
    );
    const today = localDay(NOW, account.timeZone);
    const days = daysWithHistory(gen.account, "2000-01-01", today, NOW);
    const withNight = days.slice(0, -1).find((d) => gen.nightOf(d) && gen.readinessOf(d)?.score != null)!;
    const withoutNight = days.find((d) => !gen.nightOf(d));

    const sleep = (await (
      await get(
        `/connectapi/wellness-service/wellness/dailySleepData/${profile.displayName}?date=${withNight}&nonSleepBufferMinutes=60`,
        token,
      )
    ).json()) as {
      dailySleepDTO: { calendarDate: string; sleepTimeSeconds: number; sleepEndTimestampGMT: number };
    };
    expect(sleep.dailySleepDTO.calendarDate).toBe(withNight);
    expect(sleep.dailySleepDTO.sleepTimeSeconds).toBe(gen.nightOf(withNight)!.totalSleep);
    expect(localDay(new Date(sleep.dailySleepDTO.sleepEndTimestampGMT), account.timeZone)).toBe(withNight);

    const summary = (await (
      await get(
        `/connectapi/usersummary-service/usersummary/daily/${profile.displayName}?calendarDate=${withNight}`,
        token,
      )
    ).json()) as Record<string, unknown>;
    expect(summary).toMatchObject({
      calendarDate: withNight,
      totalSteps: expect.any(Number),
      includesWellnessData: true,
    });
    const future = (await (
      await get(
        `/connectapi/usersummary-service/usersummary/daily/${profile.displayName}?calendarDate=2999-01-01`,
        token,
      )
    ).json()) as Record<string, unknown>;
    expect(future).toMatchObject({ calendarDate: "2999-01-01", totalSteps: null, includesWellnessData: false });

    const readiness = (await (
      await get(`/connectapi/metrics-service/metrics/trainingreadiness/${withNight}`, token)
    ).json()) as Array<{ inputContext: string; score: number }>;
    expect(readiness.find((e) => e.inputContext === "AFTER_WAKEUP_RESET")!.score).toBe(
      gen.readinessOf(withNight)!.score,
    );
    expect(await (await get("/connectapi/metrics-service/metrics/trainingreadiness/2999-01-01", token)).json()).toEqual(
      [],
    );

    const hrv = (await (await get(`/connectapi/hrv-service/hrv/${withNight}`, token)).json()) as {
      hrvSummary: { lastNightAvg: number; calendarDate: string };
    };
    expect(hrv.hrvSummary).toMatchObject({
      calendarDate: withNight,
      lastNightAvg: Math.round(gen.nightOf(withNight)!.averageHrv),
    });
    if (withoutNight) expect((await get(`/connectapi/hrv-service/hrv/${withoutNight}`, token)).status).toBe(204);

    const other = await get(
      `/connectapi/wellness-service/wellness/dailySleepData/someone-else?date=${withNight}`,
      token,
    );
    expect(other.status).toBe(403);
    expect(await other.json()).toMatchObject({ error: "ForbiddenException" });
    const badDate = await get("/connectapi/hrv-service/hrv/yesterday", token);
    expect(badDate.status).toBe(400);
    expect(await badDate.json()).toMatchObject({ error: "BadRequestException" });
  });
});
