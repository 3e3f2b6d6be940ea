import crypto from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { sql } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { resetConfig } from "@/lib/config";
import { getDb } from "@/lib/db/client";
import { sandboxWebhookDeliveries, sandboxWebhookSubscriptions } from "@/lib/db/schema";
import { advanceSandboxClock, resetSandboxControls, revokeSandboxGrant } from "../controls";
import { OURA_SANDBOX_CLIENT_ID, OURA_SANDBOX_CLIENT_SECRET } from "../oura";
import { sandboxOAuthFlow } from "../testing";
import { WHOOP_SANDBOX_CLIENT_ID, WHOOP_SANDBOX_CLIENT_SECRET } from "../whoop";
import { WITHINGS_SANDBOX_CLIENT_ID, WITHINGS_SANDBOX_CLIENT_SECRET } from "../withings";
import { deliverDueSandboxWebhooks } from "./deliveries";
import { uploadSandboxDay } from "./new-day";
import { deliverServedSandboxWebhooks, scheduledUploadsEnabled, uploadScheduledSandboxDays } from "./schedule";

/**
 * The sandboxes' webhook side: Oura's subscription API, Withings' notify, the "upload a new day"
 * control and the signed deliveries it queues, with each provider's retries. Notifications go to
 * a small HTTP server standing in for the app (APP_URL points at it, so WHOOP's dashboard URL does too).
 */

interface Received {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  body: string;
}

type Answer = { status: number; json?: unknown };
let received: Received[] = [];
let answer: (r: Received) => Answer = () => ({ status: 200 });
let server: http.Server;
let origin = "";

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const url = new URL(req.url ?? "/", "http://receiver");
      const r: Received = {
        method: req.method ?? "",
        path: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        body: Buffer.concat(chunks).toString("utf8"),
      };
      received.push(r);
      const a = answer(r);
      res.writeHead(a.status, a.json === undefined ? {} : { "content-type": "application/json" });
      res.end(a.json === undefined ? "" : JSON.stringify(a.json));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  for (const p of ["OURA", "WHOOP", "WITHINGS"]) {
    delete process.env[`${p}_CLIENT_ID`];
    delete process.env[`${p}_CLIENT_SECRET`];
  }
  process.env.APP_URL = origin;
  process.env.SANDBOX_NOW = new Date(Date.now() - 60_000).toISOString();
  resetConfig();
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  delete process.env.SANDBOX_NOW;
});

afterEach(async () => {
  received = [];
  answer = () => ({ status: 200 });
  for (const p of ["oura", "whoop", "withings"]) await resetSandboxControls(p);
  const db = await getDb();
  await db.delete(sandboxWebhookSubscriptions).where(sql`true`);
  await db.delete(sandboxWebhookDeliveries).where(sql`true`);
});

/** Answers Oura's verification GET with the challenge when the token is `token`. */
function echoChallenge(token: string, r: Received): Answer {
  if (r.method === "GET" && r.query.get("verification_token") === token)
    return { status: 200, json: { challenge: r.query.get("challenge") } };
  return r.method === "GET" ? { status: 403 } : { status: 200 };
}

/* ---------- Oura ---------- */

const oura = sandboxOAuthFlow<{ access_token: string }>({
  providerId: "oura",
  clientId: OURA_SANDBOX_CLIENT_ID,
  clientSecret: OURA_SANDBOX_CLIENT_SECRET,
  account: "ava",
  scope: "personal daily heartrate stress",
  tokenPath: "/oauth/token",
});
const appHeaders = { "x-client-id": OURA_SANDBOX_CLIENT_ID, "x-client-secret": OURA_SANDBOX_CLIENT_SECRET };

function subscriptionCall(method: string, path: string, body?: unknown, headers: Record<string, string> = appHeaders) {
  return oura.call(method, `/v2/webhook/subscription${path}`, {
    headers: { ...headers, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

const subscribe = (dataType: string, eventType = "create", token = "tok-1") =>
  subscriptionCall("POST", "", {
    callback_url: `${origin}/oura`,
    verification_token: token,
    event_type: eventType,
    data_type: dataType,
  });

function control(call: typeof oura.call, body: unknown) {
  return call("POST", "/_control", { headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
}

describe("Oura webhook subscription API", () => {
  it("takes the app's credentials in x-client-id / x-client-secret, never a user's token", async () => {
    answer = (r) => echoChallenge("tok-1", r);
    const { access_token } = await oura.connect();
    expect((await subscriptionCall("GET", "", undefined, {})).status).toBe(401);
    expect((await subscriptionCall("GET", "", undefined, { authorization: `Bearer ${access_token}` })).status).toBe(
      401,
    );
    const wrong = { ...appHeaders, "x-client-secret": "not-the-secret" };
    expect((await subscriptionCall("GET", "", undefined, wrong)).status).toBe(403);
    expect((await subscriptionCall("GET", "")).status).toBe(200);
  });

  it("stores a subscription only once the callback echoed the challenge for the right token", async () => {
    answer = (r) => echoChallenge("tok-1", r);
    const created = await subscribe("daily_sleep");
    expect(created.status).toBe(201);
    const body = (await created.json()) as Record<string, string>;
    expect(body).toMatchObject({ callback_url: `${origin}/oura`, event_type: "create", data_type: "daily_sleep" });
    expect(body.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(Date.parse(body.expiration_time!)).toBeGreaterThan(Date.now() + 29 * 86_400_000);
    const probe = received.find((r) => r.method === "GET")!;
    expect(probe.query.get("verification_token")).toBe("tok-1");
    expect(probe.query.get("challenge")).toMatch(/^[0-9a-f]{32}$/);

    // The same (event_type, data_type) again: one subscription per pair.
    expect((await subscribe("daily_sleep")).status).toBe(409);
    // The callback refuses a token it does not know: nothing is stored.
    expect((await subscribe("sleep", "create", "wrong-token")).status).toBe(400);
    // A callback that answers 200 with another challenge is not verified either.
    answer = (r) => (r.method === "GET" ? { status: 200, json: { challenge: "something-else" } } : { status: 200 });
    expect((await subscribe("daily_activity")).status).toBe(400);
    // The sandbox calls back only this app's origin (APP_URL): the same receiver by another host name is refused.
    answer = (r) => echoChallenge("tok-1", r);
    const elsewhere = await subscriptionCall("POST", "", {
      callback_url: origin.replace("127.0.0.1", "localhost") + "/oura",
      verification_token: "tok-1",
      event_type: "create",
      data_type: "sleep",
    });
    expect(elsewhere.status).toBe(400);
    // Bad bodies are FastAPI 422s.
    expect((await subscriptionCall("POST", "", { callback_url: "not a url", event_type: "create" })).status).toBe(422);

    const list = (await (await subscriptionCall("GET", "")).json()) as Array<{ data_type: string }>;
    expect(list.map((s) => s.data_type)).toEqual(["daily_sleep"]);
  });

  it("reads, updates, renews and deletes by id; renewing an unknown id is 403", async () => {
    answer = (r) => echoChallenge("tok-1", r);
    const { id, expiration_time } = (await (await subscribe("daily_readiness")).json()) as Record<string, string>;
    expect((await subscriptionCall("GET", `/${id}`)).status).toBe(200);

    const updated = await subscriptionCall("PUT", `/${id}`, { verification_token: "tok-1", event_type: "update" });
    expect(updated.status).toBe(200);
    expect(await updated.json()).toMatchObject({ id, event_type: "update", data_type: "daily_readiness" });

    await advanceSandboxClock("oura", 10 * 86_400_000);
    const renewed = await subscriptionCall("PUT", `/renew/${id}`);
    expect(renewed.status).toBe(200);
    const after = ((await renewed.json()) as Record<string, string>).expiration_time!;
    expect(Date.parse(after) - Date.parse(expiration_time!)).toBeGreaterThanOrEqual(10 * 86_400_000 - 5_000);

    expect((await subscriptionCall("PUT", `/renew/${crypto.randomUUID()}`)).status).toBe(403);
    expect((await subscriptionCall("DELETE", `/${id}`)).status).toBe(204);
    expect((await subscriptionCall("GET", `/${id}`)).status).toBe(404);
    expect((await subscriptionCall("DELETE", `/${id}`)).status).toBe(404);
  });

  it("delivers nothing to an expired subscription until it is renewed", async () => {
    answer = (r) => echoChallenge("tok-1", r);
    await oura.connect();
    const { id } = (await (await subscribe("daily_sleep")).json()) as Record<string, string>;
    await advanceSandboxClock("oura", 31 * 86_400_000);
    expect((await uploadSandboxDay("oura", "ava")).queued).toBe(0);
    expect((await subscriptionCall("PUT", `/renew/${id}`)).status).toBe(200);
    expect((await uploadSandboxDay("oura", "ava")).queued).toBe(1);
  });
});

describe("an uploaded Oura day", () => {
  it("sends signed notifications whose objects the single-document routes serve to their owner only", async () => {
    answer = (r) => echoChallenge("tok-1", r);
    const { access_token } = await oura.connect();
    const { access_token: noahToken } = await oura.connect({ account: "noah" });
    const { access_token: noStress } = await oura.connect({ scope: "daily" });
    for (const type of ["daily_sleep", "sleep", "daily_resilience", "daily_stress"]) await subscribe(type);
    received = [];

    const response = await control(oura.call, { action: "upload_day", account: "ava" });
    expect(response.status).toBe(200);
    const result = (await response.json()) as { day: string; queued: number; deliveries: { delivered: number } };
    expect(result.queued).toBeGreaterThanOrEqual(4);
    expect(result.deliveries.delivered).toBe(result.queued);

    const posts = received.filter((r) => r.method === "POST");
    expect(posts).toHaveLength(result.queued);
    for (const post of posts) {
      const timestamp = post.headers["x-oura-timestamp"] as string;
      expect(Math.abs(Number(timestamp) - Date.now() / 1000)).toBeLessThan(60);
      const expected = crypto
        .createHmac("sha256", OURA_SANDBOX_CLIENT_SECRET)
        .update(timestamp + post.body)
        .digest("hex")
        .toUpperCase();
      expect(post.headers["x-oura-signature"]).toBe(expected);
    }
    const events = posts.map((p) => JSON.parse(p.body) as Record<string, string>);
    for (const event of events)
      expect(event).toMatchObject({ event_type: "create", user_id: expect.stringMatching(/^ava-/) });

    const dailySleep = events.find((e) => e.data_type === "daily_sleep")!;
    const doc = await oura.call("GET", `/v2/usercollection/daily_sleep/${dailySleep.object_id}`, {
      token: access_token,
    });
    expect(doc.status).toBe(200);
    expect(await doc.json()).toMatchObject({ id: dailySleep.object_id, day: result.day });
    // The uploaded day is in the collection too.
    const collection = await oura.call("GET", "/v2/usercollection/daily_sleep", {
      token: access_token,
      query: { start_date: result.day, end_date: result.day },
    });
    expect(((await collection.json()) as { data: Array<{ id: string }> }).data.map((d) => d.id)).toEqual([
      dailySleep.object_id,
    ]);

    const sleep = events.find((e) => e.data_type === "sleep")!;
    const sleepDoc = await oura.call("GET", `/v2/usercollection/sleep/${sleep.object_id}`, { token: access_token });
    expect(((await sleepDoc.json()) as { id: string }).id).toBe(sleep.object_id);

    const stress = events.find((e) => e.data_type === "daily_stress")!;
    const stressDoc = (await (
      await oura.call("GET", `/v2/usercollection/daily_stress/${stress.object_id}`, { token: access_token })
    ).json()) as Record<string, unknown>;
    expect(stressDoc).toMatchObject({ id: stress.object_id, day: result.day });
    expect(Object.keys(stressDoc).sort()).toEqual(["day", "day_summary", "id", "recovery_high", "stress_high"]);
    expect(["restored", "normal", "stressful"]).toContain(stressDoc.day_summary);

    const resilience = events.find((e) => e.data_type === "daily_resilience")!;
    const resilienceDoc = (await (
      await oura.call("GET", `/v2/usercollection/daily_resilience/${resilience.object_id}`, { token: access_token })
    ).json()) as { level: string; contributors: Record<string, number> };
    expect(["limited", "adequate", "solid", "strong", "exceptional"]).toContain(resilienceDoc.level);
    expect(Object.keys(resilienceDoc.contributors).sort()).toEqual(["daytime_recovery", "sleep_recovery", "stress"]);

    // Another member's id is not found; neither is an unknown one; a missing scope is 403.
    expect(
      (await oura.call("GET", `/v2/usercollection/daily_sleep/${dailySleep.object_id}`, { token: noahToken })).status,
    ).toBe(404);
    expect(
      (await oura.call("GET", `/v2/usercollection/daily_sleep/${crypto.randomUUID()}`, { token: access_token })).status,
    ).toBe(404);
    expect(
      (await oura.call("GET", `/v2/usercollection/daily_resilience/${resilience.object_id}`, { token: noStress }))
        .status,
    ).toBe(403);
    expect((await oura.call("GET", `/v2/usercollection/daily_sleep/${dailySleep.object_id}`)).status).toBe(401);
  });

  it("retries a failing callback with backoff and delivers once it answers; two loops never send a row twice", async () => {
    answer = (r) => echoChallenge("tok-1", r);
    await oura.connect();
    await subscribe("daily_sleep");
    let failures = 1;
    answer = (r) => (r.method === "POST" && failures-- > 0 ? { status: 503 } : { status: 200 });
    received = [];
    expect((await uploadSandboxDay("oura", "ava")).queued).toBe(1);
    const [first, second] = await Promise.all([
      deliverDueSandboxWebhooks({ providers: ["oura"] }),
      deliverDueSandboxWebhooks({ providers: ["oura"] }),
    ]);
    expect(first.retrying + second.retrying).toBe(1);
    expect(received).toHaveLength(1);
    // Not due before Oura's first backoff (15 s by the sandbox clock).
    expect(await deliverDueSandboxWebhooks({ providers: ["oura"] })).toEqual({ delivered: 0, retrying: 0, dropped: 0 });
    await advanceSandboxClock("oura", 15_000);
    expect((await deliverDueSandboxWebhooks({ providers: ["oura"] })).delivered).toBe(1);
    const db = await getDb();
    const [row] = await db.select().from(sandboxWebhookDeliveries);
    expect(row).toMatchObject({ attempts: 2, lastStatus: 200 });
    expect(row!.deliveredAt).not.toBeNull();
    expect(received).toHaveLength(2);
  });

  it("cancels the subscription when the callback answers 410 Gone", async () => {
    answer = (r) => echoChallenge("tok-1", r);
    await oura.connect();
    await subscribe("daily_sleep");
    answer = () => ({ status: 410 });
    await uploadSandboxDay("oura", "ava");
    expect((await deliverDueSandboxWebhooks({ providers: ["oura"] })).dropped).toBe(1);
    expect(await (await subscriptionCall("GET", "")).json()).toEqual([]);
  });
});

/* ---------- WHOOP ---------- */

const whoop = sandboxOAuthFlow<{ access_token: string }>({
  providerId: "whoop",
  clientId: WHOOP_SANDBOX_CLIENT_ID,
  clientSecret: WHOOP_SANDBOX_CLIENT_SECRET,
  account: "jordan",
  scope: "offline read:recovery read:cycles read:sleep read:workout",
  state: "state-12345",
  tokenPath: "/oauth/oauth2/token",
});

describe("an uploaded WHOOP day", () => {
  it("posts signed v2 events to the app's WHOOP URL, and their ids resolve through the single-resource routes", async () => {
    const { access_token } = await whoop.connect();
    const { access_token: rileyToken } = await whoop.connect({ account: "riley" });
    const { day, queued } = await uploadSandboxDay("whoop", "jordan");
    expect(queued).toBeGreaterThanOrEqual(2);
    expect((await deliverDueSandboxWebhooks({ providers: ["whoop"] })).delivered).toBe(queued);

    const posts = received.filter((r) => r.method === "POST");
    expect(posts.every((p) => p.path === "/api/v1/webhooks/whoop")).toBe(true);
    for (const post of posts) {
      const timestamp = post.headers["x-whoop-signature-timestamp"] as string;
      expect(Math.abs(Number(timestamp) - Date.now())).toBeLessThan(60_000);
      const expected = crypto
        .createHmac("sha256", WHOOP_SANDBOX_CLIENT_SECRET)
        .update(timestamp + post.body)
        .digest("base64");
      expect(post.headers["x-whoop-signature"]).toBe(expected);
    }
    const events = posts.map(
      (p) => JSON.parse(p.body) as { user_id: number; id: string; type: string; trace_id: string },
    );
    expect(events.every((e) => e.user_id === 10129 && /^[0-9a-f-]{36}$/.test(e.trace_id))).toBe(true);
    const sleepEvent = events.find((e) => e.type === "sleep.updated")!;
    // A v2 recovery event carries its sleep's UUID.
    expect(events.find((e) => e.type === "recovery.updated" && e.id === sleepEvent.id)).toBeDefined();

    const sleep = await whoop.call("GET", `/developer/v2/activity/sleep/${sleepEvent.id}`, { token: access_token });
    expect(sleep.status).toBe(200);
    const sleepBody = (await sleep.json()) as { id: string; cycle_id: number; score_state: string };
    expect(sleepBody.id).toBe(sleepEvent.id);
    const cycle = (await (
      await whoop.call("GET", `/developer/v2/cycle/${sleepBody.cycle_id}`, { token: access_token })
    ).json()) as { id: number; start: string };
    expect(cycle.id).toBe(sleepBody.cycle_id);
    const recovery = (await (
      await whoop.call("GET", `/developer/v2/cycle/${sleepBody.cycle_id}/recovery`, { token: access_token })
    ).json()) as { sleep_id: string; cycle_id: number };
    expect(recovery).toMatchObject({ sleep_id: sleepEvent.id, cycle_id: sleepBody.cycle_id });
    const cycleSleep = (await (
      await whoop.call("GET", `/developer/v2/cycle/${sleepBody.cycle_id}/sleep`, { token: access_token })
    ).json()) as { id: string };
    expect(cycleSleep.id).toBe(sleepEvent.id);

    // Another member's ids are 404; malformed ids 400.
    expect(
      (await whoop.call("GET", `/developer/v2/activity/sleep/${sleepEvent.id}`, { token: rileyToken })).status,
    ).toBe(404);
    expect((await whoop.call("GET", `/developer/v2/cycle/${sleepBody.cycle_id}`, { token: rileyToken })).status).toBe(
      404,
    );
    expect((await whoop.call("GET", `/developer/v2/cycle/abc`, { token: access_token })).status).toBe(400);
    expect((await whoop.call("GET", `/developer/v2/activity/sleep/not-a-uuid`, { token: access_token })).status).toBe(
      400,
    );

    // Workouts: a collection paged like the others, and each by id; the uploaded day's sleep ends that morning.
    expect(sleepBody.score_state).toBe("SCORED");
    const workouts = await whoop.call("GET", "/developer/v2/activity/workout", {
      token: access_token,
      query: { limit: "25", start: new Date(Date.parse(`${day}T00:00:00Z`) - 20 * 86_400_000).toISOString() },
    });
    expect(workouts.status).toBe(200);
    const page = (await workouts.json()) as { records: Array<Record<string, unknown>>; next_token?: string };
    expect(page.records.length).toBeGreaterThan(3);
    const scored = page.records.find((w) => w.score_state === "SCORED")!;
    expect(scored.score).toMatchObject({
      strain: expect.any(Number),
      kilojoule: expect.any(Number),
      average_heart_rate: expect.any(Number),
      max_heart_rate: expect.any(Number),
    });
    const zones = (scored.score as { zone_durations: Record<string, number> }).zone_durations;
    const total = Object.values(zones).reduce((a, b) => a + b, 0);
    expect(total).toBe(Date.parse(scored.end as string) - Date.parse(scored.start as string));
    const one = await whoop.call("GET", `/developer/v2/activity/workout/${scored.id as string}`, {
      token: access_token,
    });
    expect(await one.json()).toEqual(scored);
    const { access_token: noWorkout } = await whoop.connect({ scope: "offline read:sleep" });
    expect((await whoop.call("GET", "/developer/v2/activity/workout", { token: noWorkout })).status).toBe(401);
  });

  it("notifies only members who granted the app", async () => {
    await whoop.connect({ account: "riley" });
    expect((await uploadSandboxDay("whoop", "riley")).queued).toBeGreaterThan(0);
    await revokeSandboxGrant("whoop", "riley");
    expect((await uploadSandboxDay("whoop", "riley")).queued).toBe(0);
  });
});

/* ---------- Withings ---------- */

const withings = sandboxOAuthFlow({
  providerId: "withings",
  clientId: WITHINGS_SANDBOX_CLIENT_ID,
  clientSecret: WITHINGS_SANDBOX_CLIENT_SECRET,
  account: "sam",
  scope: "user.info,user.metrics,user.activity,user.sleepevents",
});

async function withingsToken(overrides: Record<string, string> = {}): Promise<string> {
  const code = await withings.authorize(overrides);
  const response = await withings.call("POST", "/v2/oauth2", {
    form: { action: "requesttoken", ...withings.tokenForm(code) },
  });
  return ((await response.json()) as { body: { access_token: string } }).body.access_token;
}

async function notify(token: string, form: Record<string, string>) {
  const response = await withings.call("POST", "/notify", { token, form });
  expect(response.status).toBe(200);
  return (await response.json()) as { status: number; body: Record<string, unknown>; error?: string };
}

describe("Withings notify", () => {
  it("subscribes after a HEAD probe that answers 2xx, lists and revokes", async () => {
    const token = await withingsToken();
    const callbackurl = `${origin}/withings/secret-token`;
    expect(await notify(token, { action: "subscribe", callbackurl, appli: "44", comment: "sleep" })).toMatchObject({
      status: 0,
    });
    expect(received.map((r) => `${r.method} ${r.path}`)).toEqual(["HEAD /withings/secret-token"]);
    expect((await notify(token, { action: "subscribe", callbackurl, appli: "16" })).status).toBe(0);

    answer = () => ({ status: 404 });
    expect((await notify(token, { action: "subscribe", callbackurl: `${origin}/gone`, appli: "1" })).status).toBe(293);
    expect((await notify(token, { action: "subscribe", callbackurl: "not a url", appli: "1" })).status).toBe(293);
    answer = () => ({ status: 200 });
    const probes = received.length;
    expect(
      (
        await notify(token, {
          action: "subscribe",
          callbackurl: `${origin.replace("127.0.0.1", "localhost")}/x`,
          appli: "1",
        })
      ).status,
    ).toBe(293);
    expect(received).toHaveLength(probes);
    expect((await notify(token, { action: "subscribe", callbackurl, appli: "999" })).status).toBe(503);

    const listed = await notify(token, { action: "list" });
    expect(listed.body.profiles).toEqual([
      { appli: 44, callbackurl, expires: 2_147_483_647 },
      { appli: 16, callbackurl, expires: 2_147_483_647 },
    ]);
    expect((await notify(token, { action: "get", callbackurl, appli: "44" })).body).toMatchObject({ appli: 44 });
    expect((await notify(token, { action: "revoke", callbackurl, appli: "44" })).status).toBe(0);
    expect((await notify(token, { action: "revoke", callbackurl, appli: "44" })).status).toBe(343);
    expect(((await notify(token, { action: "list" })).body.profiles as unknown[]).length).toBe(1);

    // Another user's list does not show sam's subscriptions; a missing scope is refused.
    const lee = await withingsToken({ account: "lee", scope: "user.metrics" });
    expect((await notify(lee, { action: "list" })).body.profiles).toEqual([]);
    expect((await notify(lee, { action: "subscribe", callbackurl, appli: "44" })).status).toBe(214);
    expect((await withings.call("POST", "/notify", { form: { action: "list" } })).status).toBe(200);
  });

  it("posts unsigned form notifications for an uploaded day, retries a failing callback and drops it after ten attempts", async () => {
    const token = await withingsToken();
    const callbackurl = `${origin}/withings/failing`;
    await notify(token, { action: "subscribe", callbackurl, appli: "44" });
    answer = (r) => (r.method === "POST" ? { status: 500 } : { status: 200 });
    received = [];
    const { day, queued } = await uploadSandboxDay("withings", "sam");
    expect(queued).toBe(1);

    const delays = [2, 10, 2, 60, 2, 3600, 2, 14_400, 2];
    for (const delay of delays) {
      expect((await deliverDueSandboxWebhooks({ providers: ["withings"] })).retrying).toBe(1);
      // Not due again before the backoff.
      expect((await deliverDueSandboxWebhooks({ providers: ["withings"] })).retrying).toBe(0);
      await advanceSandboxClock("withings", delay * 1000);
    }
    expect((await deliverDueSandboxWebhooks({ providers: ["withings"] })).dropped).toBe(1);
    expect(received).toHaveLength(10);

    const form = new URLSearchParams(received[0]!.body);
    expect(received[0]!.headers["content-type"]).toBe("application/x-www-form-urlencoded");
    expect(received[0]!.headers["x-oura-signature"]).toBeUndefined();
    expect(form.get("userid")).toBe("36820517");
    expect(form.get("appli")).toBe("44");
    const start = Number(form.get("startdate"));
    const end = Number(form.get("enddate"));
    expect(end).toBeGreaterThan(start);
    // The night that ended on the uploaded day's morning.
    expect(new Date(end * 1000).toISOString().slice(0, 10) <= day).toBe(true);
    expect(day.localeCompare(new Date(end * 1000 - 86_400_000).toISOString().slice(0, 10))).toBeGreaterThanOrEqual(0);

    // Withings removes a subscription whose callback keeps failing (the clock has moved past the token's 3 h).
    expect((await notify(await withingsToken(), { action: "list" })).body.profiles).toEqual([]);
  });
});

/* ---------- scopes ---------- */

describe("scope lists are split exactly as each provider splits them", () => {
  async function authorizeError(flow: typeof oura | typeof withings, scope: string): Promise<string | null> {
    const response = await flow.call("POST", "/oauth/authorize", { form: flow.authorizeForm({ scope }) });
    expect(response.status).toBe(302);
    return new URL(response.headers.get("location")!).searchParams.get("error");
  }

  it("Oura: spaces only — a comma list is one unknown scope", async () => {
    expect(await authorizeError(oura, "daily heartrate")).toBeNull();
    expect(await authorizeError(oura, "daily,heartrate")).toBe("invalid_scope");
    expect(await authorizeError(oura, "daily, heartrate")).toBe("invalid_scope");
  });

  it("Withings: commas only — a space-separated list is refused", async () => {
    expect(await authorizeError(withings, "user.info,user.metrics")).toBeNull();
    expect(await authorizeError(withings, "user.info user.metrics")).toBe("invalid_scope");
    expect(await authorizeError(withings, "user.info, user.metrics")).toBe("invalid_scope");
  });
});

/* ---------- the schedule ---------- */

describe("the delivery loop and the development schedule", () => {
  it("uploads days by themselves only in development, never in tests or production", () => {
    expect(scheduledUploadsEnabled({ env: "development", sandboxEnabled: true })).toBe(true);
    expect(scheduledUploadsEnabled({ env: "test", sandboxEnabled: true })).toBe(false);
    expect(scheduledUploadsEnabled({ env: "production", sandboxEnabled: true })).toBe(false);
    expect(scheduledUploadsEnabled({ env: "development", sandboxEnabled: false })).toBe(false);
  });

  it("uploads for accounts something listens to, at most two days ahead of the clock", async () => {
    const token = await withingsToken({ account: "lee", scope: "user.activity" });
    await notify(token, { action: "subscribe", callbackurl: `${origin}/withings/lee`, appli: "16" });
    const uploadedLee = async () =>
      (await uploadScheduledSandboxDays()).filter((u) => u.provider === "withings" && u.account === "lee");
    // Accounts uploaded by earlier tests may already be ahead; lee is not.
    const first = await uploadedLee();
    expect(first).toHaveLength(1);
    const second = await uploadedLee();
    expect(second).toHaveLength(1);
    expect(await uploadedLee()).toEqual([]);
    expect(second[0]!.queued).toBe(1);
    // Nobody listens to sam's activity: sam is never uploaded on schedule for withings.
    expect((await uploadScheduledSandboxDays()).some((u) => u.provider === "withings" && u.account === "sam")).toBe(
      false,
    );
  });

  it("sends only for sandboxes that are served, and counts deliveries for /_control", async () => {
    const token = await withingsToken({ account: "lee", scope: "user.activity" });
    await notify(token, { action: "subscribe", callbackurl: `${origin}/withings/lee`, appli: "16" });
    await uploadSandboxDay("withings", "lee");
    process.env.WITHINGS_CLIENT_ID = "live-id";
    process.env.WITHINGS_CLIENT_SECRET = "live-secret";
    resetConfig();
    try {
      expect((await deliverServedSandboxWebhooks()).delivered).toBe(0);
    } finally {
      delete process.env.WITHINGS_CLIENT_ID;
      delete process.env.WITHINGS_CLIENT_SECRET;
      resetConfig();
    }
    const state = async () =>
      ((await (await withings.call("GET", "/_control")).json()) as { webhook_deliveries: Record<string, number> })
        .webhook_deliveries;
    expect(await state()).toEqual({ pending: 1, delivered: 0, dropped: 0 });
    expect((await deliverServedSandboxWebhooks()).delivered).toBe(1);
    expect(await state()).toEqual({ pending: 0, delivered: 1, dropped: 0 });
  });
});
