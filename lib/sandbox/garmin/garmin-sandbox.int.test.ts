import { and, eq } from "drizzle-orm";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { getDb } from "@/lib/db/client";
import { sandboxSessions } from "@/lib/db/schema";
import { GARMIN_DI_CLIENT_ID, GARMIN_DI_TICKET_GRANT } from "@/lib/providers/garmin";
import { advanceSandboxClock, resetSandboxControls } from "@/lib/sandbox/controls";
import { createGenerator, daysWithHistory, localDay } from "@/lib/sandbox/data-generator";
import { sandboxCaller } from "@/lib/sandbox/testing";
import { GARMIN_DI_ACCESS_LIFETIME_S, GARMIN_DI_REFRESH_LIFETIME_S, GARMIN_SANDBOX_ACCOUNTS } from ".";
import { GARMIN_SANDBOX_EMAILS, GARMIN_SANDBOX_MFA_CODE, GARMIN_SANDBOX_PASSWORD } from "./accounts";
import { displayNameOf } from "./payloads";

const SERVICE = "https://mobile.integration.garmin.com/gcm/ios";
const NOW = new Date(Date.now() - 60_000);

beforeAll(() => {
  delete process.env.GARMIN_CLIENT_ID;
  process.env.SANDBOX_NOW = NOW.toISOString();
});
afterEach(() => resetSandboxControls("garmin"));

const { call } = sandboxCaller("garmin");

const SSO_QUERY = `clientId=GCM_IOS_DARK&locale=en-US&service=${encodeURIComponent(SERVICE)}`;

const ssoPost = (path: string, cookie: string | undefined, body: unknown, query = SSO_QUERY) =>
  call("POST", `/sso/mobile/api/${path}?${query}`, {
    headers: { "content-type": "application/json", ...(cookie ? { cookie } : {}) },
    body: JSON.stringify(body),
  });

async function loginAs(email: string, password = GARMIN_SANDBOX_PASSWORD) {
  const response = await ssoPost("login", undefined, { username: email, password, rememberMe: true, captchaToken: "" });
  const setCookie = response.headers.getSetCookie().find((c) => c.startsWith("SESSIONID="));
  return {
    cookie: setCookie?.split(";")[0],
    response,
    body: (await response.json()) as {
      serviceTicketId: string | null;
      responseStatus: { type: string };
      customerMfaInfo: unknown;
    },
  };
}

const verify = (cookie: string | undefined, code: string) =>
  ssoPost("mfa/verifyCode", cookie, {
    mfaMethod: "email",
    mfaVerificationCode: code,
    rememberMyBrowser: true,
    reconsentList: [],
    mfaSetup: false,
  });

const basic = (clientId: string) => `Basic ${Buffer.from(`${clientId}:`).toString("base64")}`;

function diToken(form: Record<string, string>, clientId = GARMIN_DI_CLIENT_ID) {
  return call("POST", "/diauth/di-oauth2-service/oauth/token", {
    headers: { authorization: basic(clientId), "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ client_id: clientId, ...form }).toString(),
  });
}

const ticketGrant = (ticket: string, serviceUrl = SERVICE) =>
  diToken({ grant_type: GARMIN_DI_TICKET_GRANT, service_ticket: ticket, service_url: serviceUrl });

interface DiTokens {
  access_token: string;
  refresh_token: string;
  expires_in: number;
  refresh_token_expires_in: number;
}

async function tokensFor(email: string): Promise<DiTokens> {
  const { body } = await loginAs(email);
  const response = await ticketGrant(body.serviceTicketId!);
  expect(response.status).toBe(200);
  return (await response.json()) as DiTokens;
}

const errorOf = async (response: Response) => ((await response.json()) as { error: string }).error;

describe("Garmin sandbox mobile SSO", () => {
  it("answers wrong passwords and locked accounts in Garmin's shape and needs the app's clientId and service", async () => {
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
    const credentials = { username: GARMIN_SANDBOX_EMAILS.plain, password: GARMIN_SANDBOX_PASSWORD };
    const oldClient = await ssoPost(
      "login",
      undefined,
      credentials,
      SSO_QUERY.replace("GCM_IOS_DARK", "GCM_ANDROID_DARK"),
    );
    expect(((await oldClient.json()) as { responseStatus: { type: string } }).responseStatus.type).toBe(
      "INVALID_CLIENT_ID",
    );
    const otherService = await ssoPost(
      "login",
      undefined,
      credentials,
      SSO_QUERY.replace("gcm%2Fios", "gcm%2Fandroid"),
    );
    expect(otherService.status).toBe(400);

    const ok = await loginAs(GARMIN_SANDBOX_EMAILS.plain);
    expect(ok.response.status).toBe(200);
    expect(ok.body).toMatchObject({
      serviceURL: SERVICE,
      serviceTicketId: expect.stringMatching(/^ST-[\w-]+-sso$/),
      responseStatus: { type: "SUCCESSFUL" },
    });
  });

  it("MFA: the emailed code with the login's cookie within 5 minutes; 5 wrong codes or the 5 minutes end the sign-in", async () => {
    const first = await loginAs(GARMIN_SANDBOX_EMAILS.mfa);
    expect(first.body).toMatchObject({
      serviceTicketId: null,
      responseStatus: { type: "MFA_REQUIRED" },
      customerMfaInfo: { mfaLastMethodUsed: "email" },
    });
    expect(first.cookie).toMatch(/^SESSIONID=/);
    expect((await verify(undefined, GARMIN_SANDBOX_MFA_CODE)).status).toBe(403);
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
    await advanceSandboxClock("garmin", 5 * 60_000 + 1_000);
    const late = await verify(third.cookie, GARMIN_SANDBOX_MFA_CODE);
    expect(((await late.json()) as { responseStatus: { type: string } }).responseStatus.type).toBe("MFA_CODE_EXPIRED");
    const db = await getDb();
    const open = await db
      .select()
      .from(sandboxSessions)
      .where(and(eq(sandboxSessions.kind, "sso_mfa"), eq(sandboxSessions.consumed, false)));
    // No half-finished sign-in stores the password.
    expect(JSON.stringify(open)).not.toContain(GARMIN_SANDBOX_PASSWORD);
  });
});

describe("Garmin sandbox DI OAuth2", () => {
  it("exchanges a ticket once, for its service, with the public client's Basic header", async () => {
    const { body } = await loginAs(GARMIN_SANDBOX_EMAILS.plain);
    const ticket = body.serviceTicketId!;
    const noBasic = await call("POST", "/diauth/di-oauth2-service/oauth/token", {
      form: {
        client_id: GARMIN_DI_CLIENT_ID,
        grant_type: GARMIN_DI_TICKET_GRANT,
        service_ticket: ticket,
        service_url: SERVICE,
      },
    });
    expect(noBasic.status).toBe(401);
    expect(await errorOf(noBasic)).toBe("invalid_client");
    const otherClient = await diToken(
      { grant_type: GARMIN_DI_TICKET_GRANT, service_ticket: ticket, service_url: SERVICE },
      "GARMIN_CONNECT_MOBILE_ANDROID_DI",
    );
    expect(otherClient.status).toBe(401);
    expect((await diToken({ grant_type: "password", username: "x" })).status).toBe(400);

    const first = await ticketGrant(ticket);
    expect(first.status).toBe(200);
    const tokens = (await first.json()) as DiTokens & Record<string, unknown>;
    expect(tokens).toMatchObject({
      access_token: expect.any(String),
      refresh_token: expect.any(String),
      token_type: "bearer",
      expires_in: GARMIN_DI_ACCESS_LIFETIME_S,
      refresh_token_expires_in: GARMIN_DI_REFRESH_LIFETIME_S,
    });
    expect(GARMIN_DI_ACCESS_LIFETIME_S).toBe(86_400);
    expect(GARMIN_DI_REFRESH_LIFETIME_S).toBe(90 * 86_400);
    const again = await ticketGrant(ticket);
    expect(again.status).toBe(400);
    expect(await errorOf(again)).toBe("invalid_grant");

    // A ticket is for the service it was issued to; a failed try burns it.
    const second = (await loginAs(GARMIN_SANDBOX_EMAILS.plain)).body.serviceTicketId!;
    expect(await errorOf(await ticketGrant(second, "https://mobile.integration.garmin.com/gcm/android"))).toBe(
      "invalid_grant",
    );
    expect((await ticketGrant(second)).status).toBe(400);
    // Tickets live 2 minutes on the sandbox clock.
    const third = (await loginAs(GARMIN_SANDBOX_EMAILS.plain)).body.serviceTicketId!;
    await advanceSandboxClock("garmin", 2 * 60_000 + 1_000);
    expect((await ticketGrant(third)).status).toBe(400);
  });

  it("the access token lasts a day, the refresh token is single-use and lasts 90 days, all on the sandbox clock", async () => {
    const tokens = await tokensFor(GARMIN_SANDBOX_EMAILS.plain);
    const profile = () => call("GET", "/connectapi/userprofile-service/socialProfile", { token: tokens.access_token });
    expect((await profile()).status).toBe(200);
    await advanceSandboxClock("garmin", 86_400_000 + 1_000);
    const expired = await profile();
    expect(expired.status).toBe(401);
    expect(await expired.json()).toEqual({ message: "Token expired", error: "UnauthorizedException" });

    const refreshed = await diToken({ grant_type: "refresh_token", refresh_token: tokens.refresh_token });
    expect(refreshed.status).toBe(200);
    const next = (await refreshed.json()) as DiTokens;
    expect(next.refresh_token).not.toBe(tokens.refresh_token);
    expect(
      (await call("GET", "/connectapi/userprofile-service/socialProfile", { token: next.access_token })).status,
    ).toBe(200);
    const reused = await diToken({ grant_type: "refresh_token", refresh_token: tokens.refresh_token });
    expect(reused.status).toBe(400);
    expect(await errorOf(reused)).toBe("invalid_grant");

    await advanceSandboxClock("garmin", 90 * 86_400_000);
    const tooOld = await diToken({ grant_type: "refresh_token", refresh_token: next.refresh_token });
    expect(tooOld.status).toBe(400);
    expect(await errorOf(tooOld)).toBe("invalid_grant");
  });

  it("MFA sign-ins get the same tokens, and the retired OAuth1 routes answer 403", async () => {
    const { cookie } = await loginAs(GARMIN_SANDBOX_EMAILS.mfa);
    const verified = (await (await verify(cookie, GARMIN_SANDBOX_MFA_CODE)).json()) as { serviceTicketId: string };
    expect((await ticketGrant(verified.serviceTicketId)).status).toBe(200);
    expect((await call("GET", "/connectapi/oauth-service/oauth/preauthorized?ticket=ST-1-x-sso")).status).toBe(403);
    expect((await call("POST", "/connectapi/oauth-service/oauth/exchange/user/2.0")).status).toBe(403);
  });
});

describe("Garmin sandbox data API", () => {
  const account = GARMIN_SANDBOX_ACCOUNTS.find((a) => a.id === "alex")!;

  async function bearer(): Promise<string> {
    return (await tokensFor(GARMIN_SANDBOX_EMAILS.plain)).access_token;
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

    // The HRV range: one summary per night, at most 28 days per request.
    const start = days.at(-28)!;
    const end = days.at(-1)!;
    const range = await get(`/connectapi/hrv-service/hrv/daily/${start}/${end}`, token);
    expect(range.status).toBe(200);
    const { hrvSummaries } = (await range.json()) as {
      hrvSummaries: Array<{ calendarDate: string; lastNightAvg: number }>;
    };
    const nights = days.slice(-28).filter((d) => gen.nightOf(d));
    expect(hrvSummaries.map((s) => s.calendarDate)).toEqual(nights);
    expect(hrvSummaries.find((s) => s.calendarDate === withNight)?.lastNightAvg ?? null).toBe(
      nights.includes(withNight) ? Math.round(gen.nightOf(withNight)!.averageHrv) : null,
    );
    const tooLong = await get(`/connectapi/hrv-service/hrv/daily/${days.at(-29)!}/${end}`, token);
    expect(tooLong.status).toBe(400);
    expect((await get(`/connectapi/hrv-service/hrv/daily/${end}/${start}`, token)).status).toBe(400);

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
