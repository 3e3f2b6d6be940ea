import { createHmac } from "node:crypto";
import { and, count, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getDb } from "@/lib/db/client";
import { connections, webhookCounters, webhookInbox } from "@/lib/db/schema";
import { configureEventSender, type AppEvent } from "@/lib/events";
import { connectEventsToJobs } from "@/lib/jobs/send";
import { ouraSandboxTarget } from "@/lib/providers/oura";
import { ouraVerificationToken } from "@/lib/providers/oura-webhooks";
import { whoopSandboxTarget } from "@/lib/providers/whoop";
import { serveAppForTests } from "@/lib/testing/serve-app";
import { createSignedInUser } from "@/lib/testing/users";
import { flushWebhookCounters } from "./counters";
import { generateWebhookToken, hashWebhookToken } from "./tokens";

/**
 * Hostile requests against the webhook routes, from a table: every one gets a 4xx and leaves no
 * inbox row (only a counter); the valid ones are accepted once however often they are delivered;
 * unknown users and disconnected connections are acknowledged and change nothing.
 */

const server = serveAppForTests({ sandboxFor: ["oura", "whoop", "withings"] });

const OURA_SECRET = ouraSandboxTarget.clientSecret;
const WHOOP_SECRET = whoopSandboxTarget.clientSecret;
const OURA_USER = "oura-user-hostile-1";
const WHOOP_USER = 4242;
const WITHINGS_USER = "9001";
const OTHER_WITHINGS_USER = "9002";

const sent: AppEvent[] = [];
let withingsToken = "";
let otherWithingsToken = "";

beforeAll(async () => {
  // Only what the route hands on is checked here; processing has its own tests.
  configureEventSender(async (event) => void sent.push(event));
  const db = await getDb();
  const a = await createSignedInUser();
  const b = await createSignedInUser();
  withingsToken = generateWebhookToken();
  otherWithingsToken = generateWebhookToken();
  await db.insert(connections).values([
    { userId: a.id, provider: "oura", providerUserId: OURA_USER, accessToken: "x", backfilledAt: new Date() },
    { userId: a.id, provider: "whoop", providerUserId: String(WHOOP_USER), accessToken: "x", backfilledAt: new Date() },
    {
      userId: a.id,
      provider: "withings",
      providerUserId: WITHINGS_USER,
      accessToken: "x",
      webhookTokenHash: hashWebhookToken(withingsToken),
    },
    {
      userId: b.id,
      provider: "withings",
      providerUserId: OTHER_WITHINGS_USER,
      accessToken: "x",
      webhookTokenHash: hashWebhookToken(otherWithingsToken),
    },
    { userId: b.id, provider: "oura", providerUserId: "oura-user-revoked", status: "revoked" },
    { userId: b.id, provider: "whoop", providerUserId: "777", status: "disconnected" },
  ]);
});

afterAll(() => connectEventsToJobs());

async function inboxRows(): Promise<number> {
  const db = await getDb();
  const [row] = await db.select({ n: count() }).from(webhookInbox);
  return row!.n;
}

interface Case {
  name: string;
  method?: string;
  path: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array<ArrayBuffer> | ReadableStream<Uint8Array>;
  status: number | "4xx";
}

async function send(c: Case): Promise<Response> {
  const init: RequestInit & { duplex?: "half" } = { method: c.method ?? "POST", headers: c.headers, body: c.body };
  if (c.body instanceof ReadableStream) init.duplex = "half";
  return fetch(`${server.url}${c.path}`, init);
}

const nowSeconds = () => Math.floor(Date.now() / 1000);
const hmac = (key: string, message: string) => createHmac("sha256", key).update(message).digest();

/* ---------- Oura ---------- */

function ouraBody(overrides: Record<string, unknown> = {}): string {
  return JSON.stringify({
    event_type: "create",
    data_type: "daily_sleep",
    object_id: "doc-1",
    event_time: "2026-11-30T07:00:00+00:00",
    user_id: OURA_USER,
    ...overrides,
  });
}

function ouraHeaders(body: string, options: { ts?: string; key?: string; sig?: string } = {}): Record<string, string> {
  const ts = options.ts ?? String(nowSeconds());
  const sig =
    options.sig ??
    hmac(options.key ?? OURA_SECRET, ts + body)
      .toString("hex")
      .toUpperCase();
  return { "content-type": "application/json", "x-oura-timestamp": ts, "x-oura-signature": sig };
}

const OURA = "/api/v1/webhooks/oura";

function ouraCases(): Case[] {
  const body = ouraBody();
  const cases: Case[] = [];
  const wrongKeys = [
    "",
    "x",
    WHOOP_SECRET,
    ouraSandboxTarget.clientId,
    OURA_SECRET.toUpperCase(),
    `${OURA_SECRET} `,
    OURA_SECRET.slice(0, -1),
    `${OURA_SECRET}0`,
    "oura-sandbox-secret",
    "a".repeat(64),
    ouraVerificationToken(ouraSandboxTarget),
  ];
  for (const key of wrongKeys)
    cases.push({
      name: `wrong key ${JSON.stringify(key.slice(0, 12))}`,
      path: OURA,
      body,
      headers: ouraHeaders(body, { key }),
      status: 401,
    });
  const otherBodies = [
    ouraBody({ object_id: "doc-2" }),
    ouraBody({ user_id: "someone-else" }),
    ouraBody({ event_type: "update" }),
    `${body}\n`,
    ` ${body}`,
    body.replace(":", ": "),
    ouraBody({ data_type: "daily_readiness" }),
    ouraBody({ event_time: "2026-11-30T07:00:01+00:00" }),
    JSON.stringify({ ...JSON.parse(body), extra: 1 }),
    "",
  ];
  for (const [i, other] of otherBodies.entries())
    cases.push({
      name: `signature of another body #${i}`,
      path: OURA,
      body: other,
      headers: ouraHeaders(body),
      status: 401,
    });
  // 310 s, not 301: the table is built before the requests go out.
  for (const offset of [-310, -600, -3600, -86_400, -nowSeconds(), 310, 900, 3600, 86_400 * 365])
    cases.push({
      name: `timestamp ${offset}s away`,
      path: OURA,
      body,
      headers: ouraHeaders(body, { ts: String(nowSeconds() + offset) }),
      status: 401,
    });
  const fresh = ouraHeaders(body, { ts: String(nowSeconds() - 400) });
  cases.push({
    name: "replayed: old signature, new timestamp",
    path: OURA,
    body,
    headers: { ...fresh, "x-oura-timestamp": String(nowSeconds()) },
    status: 401,
  });
  cases.push({ name: "replayed: captured 400 s ago", path: OURA, body, headers: fresh, status: 401 });
  cases.push({
    name: "replayed: signature of another notification",
    path: OURA,
    body,
    headers: {
      ...ouraHeaders(ouraBody({ object_id: "doc-9" })),
      "x-oura-timestamp": ouraHeaders(body)["x-oura-timestamp"]!,
    },
    status: 401,
  });
  const valid = ouraHeaders(body);
  const without = (name: string) => Object.fromEntries(Object.entries(valid).filter(([k]) => k !== name));
  cases.push({ name: "missing signature", path: OURA, body, headers: without("x-oura-signature"), status: 401 });
  cases.push({ name: "missing timestamp", path: OURA, body, headers: without("x-oura-timestamp"), status: 401 });
  cases.push({ name: "missing both", path: OURA, body, headers: { "content-type": "application/json" }, status: 401 });
  for (const sig of [
    "",
    " ",
    "0",
    valid["x-oura-signature"]!.slice(0, -2),
    `${valid["x-oura-signature"]}00`,
    hmac(OURA_SECRET, valid["x-oura-timestamp"]! + body).toString("base64"),
    "Z".repeat(64),
    `sha256=${valid["x-oura-signature"]}`,
    `${valid["x-oura-signature"]}, ${valid["x-oura-signature"]}`,
  ])
    cases.push({
      name: `signature ${JSON.stringify(sig.slice(0, 10))}…`,
      path: OURA,
      body,
      headers: { ...valid, "x-oura-signature": sig },
      status: 401,
    });
  for (const ts of [
    "",
    " ",
    "abc",
    "1.5",
    "-1",
    "1e9",
    `${nowSeconds()}000`,
    `0x${nowSeconds().toString(16)}`,
    `${nowSeconds()} `,
  ])
    cases.push({
      name: `timestamp ${JSON.stringify(ts)}`,
      path: OURA,
      body,
      headers: ouraHeaders(body, { ts }),
      status: 401,
    });
  const malformed = [
    "",
    "{",
    "[]",
    "null",
    "123",
    '"text"',
    "{}",
    "{'a':1}",
    "\u0000",
    "[" + body + "]",
    body.slice(0, -1),
  ];
  for (const m of malformed)
    cases.push({
      name: `malformed JSON ${JSON.stringify(m.slice(0, 12))}`,
      path: OURA,
      body: m,
      headers: ouraHeaders(m),
      status: 400,
    });
  const wrongTypes: Array<Record<string, unknown>> = [
    { user_id: 123 },
    { user_id: "" },
    { user_id: null },
    { event_type: "upsert" },
    { event_type: "CREATE" },
    { event_type: 1 },
    { data_type: "daily/sleep" },
    { data_type: "" },
    { data_type: ["daily_sleep"] },
    { object_id: "" },
    { object_id: 5 },
    { object_id: "x".repeat(201) },
    { event_time: "yesterday" },
    { event_time: 1_700_000_000 },
    { event_time: "2026-11-30" },
  ];
  for (const overrides of wrongTypes) {
    const b = ouraBody(overrides);
    cases.push({
      name: `wrong type ${JSON.stringify(overrides).slice(0, 40)}`,
      path: OURA,
      body: b,
      headers: ouraHeaders(b),
      status: 400,
    });
  }
  for (const field of ["event_type", "data_type", "object_id", "event_time", "user_id"]) {
    const b = JSON.stringify(Object.fromEntries(Object.entries(JSON.parse(body)).filter(([k]) => k !== field)));
    cases.push({ name: `missing ${field}`, path: OURA, body: b, headers: ouraHeaders(b), status: 400 });
  }
  cases.push(...oversizedCases(OURA, "application/json", (b) => ouraHeaders(b)));
  for (const type of [
    "text/plain",
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=x",
    "application/jsonx",
    "application/json-patch+json",
  ])
    cases.push({
      name: `content-type ${type}`,
      path: OURA,
      body,
      headers: { ...ouraHeaders(body), "content-type": type },
      status: 415,
    });
  const noType = ouraHeaders(body);
  delete (noType as Record<string, string | undefined>)["content-type"];
  cases.push({
    name: "no content-type",
    path: OURA,
    body: new TextEncoder().encode(body),
    headers: noType,
    status: 415,
  });
  const token = ouraVerificationToken(ouraSandboxTarget);
  for (const [name, query, status] of [
    ["challenge with a wrong token", `verification_token=${token}x&challenge=abc`, 401],
    ["challenge with another provider's token", `verification_token=wrong&challenge=abc`, 401],
    ["challenge with an empty token", `verification_token=&challenge=abc`, 400],
    ["challenge without a token", `challenge=abc`, 400],
    ["challenge without a challenge", `verification_token=${token}`, 400],
    ["challenge with a truncated token", `verification_token=${token.slice(0, -1)}&challenge=abc`, 401],
  ] as const)
    cases.push({ name, method: "GET", path: `${OURA}?${query}`, status });
  cases.push({ name: "PUT", method: "PUT", path: OURA, body, headers: ouraHeaders(body), status: "4xx" });
  cases.push({ name: "DELETE", method: "DELETE", path: OURA, headers: ouraHeaders(""), status: "4xx" });
  cases.push({
    name: "with a path token",
    path: `${OURA}/${withingsToken}`,
    body,
    headers: ouraHeaders(body),
    status: 404,
  });
  cases.push({
    name: "provider without webhooks",
    path: "/api/v1/webhooks/garmin",
    body,
    headers: ouraHeaders(body),
    status: 404,
  });
  cases.push({
    name: "unknown provider",
    path: "/api/v1/webhooks/fitbit",
    body,
    headers: ouraHeaders(body),
    status: 404,
  });
  return cases;
}

function oversizedCases(path: string, type: string, headers: (body: string) => Record<string, string>): Case[] {
  const big = "x".repeat(64 * 1024 + 1);
  const chunked = () =>
    new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 80; i++) controller.enqueue(new TextEncoder().encode("y".repeat(1024)));
        controller.close();
      },
    });
  return [
    { name: "oversized body", path, body: big, headers: headers(big), status: 413 },
    { name: "oversized chunked body without length", path, body: chunked(), headers: headers(""), status: 413 },
    { name: "oversized 1 MB", path, body: "z".repeat(1024 * 1024), headers: { "content-type": type }, status: 413 },
  ];
}

/* ---------- WHOOP ---------- */

const WHOOP = "/api/v1/webhooks/whoop";

function whoopBody(overrides: Record<string, unknown> = {}): string {
  return JSON.stringify({
    user_id: WHOOP_USER,
    id: "ecfc6a15-4661-442f-a9a4-f160dd7afae8",
    type: "sleep.updated",
    trace_id: "e369c784-5100-49e8-8098-75d35c47b31b",
    ...overrides,
  });
}

function whoopHeaders(body: string, options: { ts?: string; key?: string; sig?: string } = {}): Record<string, string> {
  const ts = options.ts ?? String(Date.now());
  const sig = options.sig ?? hmac(options.key ?? WHOOP_SECRET, ts + body).toString("base64");
  return { "content-type": "application/json", "x-whoop-signature-timestamp": ts, "x-whoop-signature": sig };
}

function whoopCases(): Case[] {
  const body = whoopBody();
  const cases: Case[] = [];
  for (const key of [
    "",
    "x",
    OURA_SECRET,
    whoopSandboxTarget.clientId,
    WHOOP_SECRET.toUpperCase(),
    `${WHOOP_SECRET} `,
    WHOOP_SECRET.slice(0, -1),
    `${WHOOP_SECRET}0`,
    "whoop-sandbox-secret",
    "b".repeat(64),
    "\u00e9",
  ])
    cases.push({
      name: `wrong key ${JSON.stringify(key.slice(0, 12))}`,
      path: WHOOP,
      body,
      headers: whoopHeaders(body, { key }),
      status: 401,
    });
  const others = [
    whoopBody({ id: "ecfc6a15-4661-442f-a9a4-f160dd7afae9" }),
    whoopBody({ user_id: 4243 }),
    whoopBody({ type: "recovery.updated" }),
    `${body}\n`,
    ` ${body}`,
    body.replace(":", ": "),
    whoopBody({ trace_id: "other" }),
    JSON.stringify({ ...JSON.parse(body), extra: true }),
    "",
    body.toUpperCase(),
  ];
  for (const [i, other] of others.entries())
    cases.push({
      name: `signature of another body #${i}`,
      path: WHOOP,
      body: other,
      headers: whoopHeaders(body),
      status: 401,
    });
  for (const offset of [
    -310_000,
    -600_000,
    -3_600_000,
    -86_400_000,
    -Date.now(),
    310_000,
    900_000,
    3_600_000,
    31_536_000_000,
  ])
    cases.push({
      name: `timestamp ${offset} ms away`,
      path: WHOOP,
      body,
      headers: whoopHeaders(body, { ts: String(Date.now() + offset) }),
      status: 401,
    });
  // Seconds where WHOOP sends milliseconds: 1970 as far as we can tell.
  cases.push({
    name: "timestamp in seconds",
    path: WHOOP,
    body,
    headers: whoopHeaders(body, { ts: String(nowSeconds()) }),
    status: 401,
  });
  const old = whoopHeaders(body, { ts: String(Date.now() - 400_000) });
  cases.push({
    name: "replayed: old signature, new timestamp",
    path: WHOOP,
    body,
    headers: { ...old, "x-whoop-signature-timestamp": String(Date.now()) },
    status: 401,
  });
  cases.push({ name: "replayed: captured 400 s ago", path: WHOOP, body, headers: old, status: 401 });
  const valid = whoopHeaders(body);
  const without = (name: string) => Object.fromEntries(Object.entries(valid).filter(([k]) => k !== name));
  cases.push({ name: "missing signature", path: WHOOP, body, headers: without("x-whoop-signature"), status: 401 });
  cases.push({
    name: "missing timestamp",
    path: WHOOP,
    body,
    headers: without("x-whoop-signature-timestamp"),
    status: 401,
  });
  cases.push({ name: "missing both", path: WHOOP, body, headers: { "content-type": "application/json" }, status: 401 });
  const digest = hmac(WHOOP_SECRET, valid["x-whoop-signature-timestamp"]! + body);
  for (const sig of [
    "",
    " ",
    "=",
    digest.toString("hex"),
    digest.toString("base64url"),
    digest.toString("base64").slice(0, -2),
    `${digest.toString("base64")}AA==`,
    `v1=${digest.toString("base64")}`,
    digest.subarray(0, 16).toString("base64"),
    "!!!!",
  ])
    cases.push({
      name: `signature ${JSON.stringify(sig.slice(0, 10))}…`,
      path: WHOOP,
      body,
      headers: { ...valid, "x-whoop-signature": sig },
      status: 401,
    });
  for (const ts of ["", " ", "abc", "1.5", "-1", "1e12", `${Date.now()}.0`, `0x${Date.now().toString(16)}`])
    cases.push({
      name: `timestamp ${JSON.stringify(ts)}`,
      path: WHOOP,
      body,
      headers: whoopHeaders(body, { ts }),
      status: 401,
    });
  for (const m of ["", "{", "[]", "null", "123", '"text"', "{}", "{'a':1}", "[" + body + "]", body.slice(0, -1)])
    cases.push({
      name: `malformed JSON ${JSON.stringify(m.slice(0, 12))}`,
      path: WHOOP,
      body: m,
      headers: whoopHeaders(m),
      status: 400,
    });
  const wrongTypes: Array<Record<string, unknown>> = [
    { user_id: "4242" },
    { user_id: 4242.5 },
    { user_id: -1 },
    { user_id: 0 },
    { user_id: null },
    { id: "not-a-uuid" },
    { id: 12345 },
    { id: "" },
    { type: "sleep" },
    { type: "SLEEP.UPDATED" },
    { type: "sleep.updated.now" },
    { type: 7 },
    { trace_id: "" },
    { trace_id: 5 },
    { trace_id: "t".repeat(201) },
  ];
  for (const overrides of wrongTypes) {
    const b = whoopBody(overrides);
    cases.push({
      name: `wrong type ${JSON.stringify(overrides).slice(0, 40)}`,
      path: WHOOP,
      body: b,
      headers: whoopHeaders(b),
      status: 400,
    });
  }
  for (const field of ["user_id", "id", "type", "trace_id"]) {
    const b = JSON.stringify(Object.fromEntries(Object.entries(JSON.parse(body)).filter(([k]) => k !== field)));
    cases.push({ name: `missing ${field}`, path: WHOOP, body: b, headers: whoopHeaders(b), status: 400 });
  }
  cases.push(...oversizedCases(WHOOP, "application/json", (b) => whoopHeaders(b)));
  for (const type of [
    "text/plain",
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=x",
    "application/jsonx",
    "text/json",
  ])
    cases.push({
      name: `content-type ${type}`,
      path: WHOOP,
      body,
      headers: { ...whoopHeaders(body), "content-type": type },
      status: 415,
    });
  cases.push({
    name: "unknown provider",
    path: "/api/v1/webhooks/fitbit",
    body,
    headers: whoopHeaders(body),
    status: 404,
  });
  cases.push({
    name: "provider without webhooks",
    path: "/api/v1/webhooks/garmin",
    body,
    headers: whoopHeaders(body),
    status: 404,
  });
  cases.push({
    name: "verification GET (WHOOP has none)",
    method: "GET",
    path: `${WHOOP}?verification_token=a&challenge=b`,
    status: 404,
  });
  for (const method of ["PUT", "PATCH", "DELETE"])
    cases.push({
      name: method,
      method,
      path: WHOOP,
      body: method === "DELETE" ? undefined : body,
      headers: whoopHeaders(body),
      status: "4xx",
    });
  for (const type of ["recovery.updated", "workout.updated", "sleep.deleted"]) {
    const b = whoopBody({ type });
    cases.push({
      name: `${type} signed with the wrong key`,
      path: WHOOP,
      body: b,
      headers: whoopHeaders(b, { key: OURA_SECRET }),
      status: 401,
    });
  }
  cases.push({
    name: "with a path token",
    path: `${WHOOP}/${withingsToken}`,
    body,
    headers: whoopHeaders(body),
    status: 404,
  });
  return cases;
}

/* ---------- Withings ---------- */

function withingsForm(overrides: Record<string, string | undefined> = {}): string {
  const now = nowSeconds();
  const fields: Record<string, string | undefined> = {
    userid: WITHINGS_USER,
    appli: "44",
    startdate: String(now - 8 * 3600),
    enddate: String(now - 3600),
    ...overrides,
  };
  return new URLSearchParams(
    Object.entries(fields).filter((e): e is [string, string] => e[1] !== undefined),
  ).toString();
}

const FORM = { "content-type": "application/x-www-form-urlencoded" };

function withingsCases(): Case[] {
  const withings = (token: string) => `/api/v1/webhooks/withings/${token}`;
  const body = withingsForm();
  const cases: Case[] = [];
  const wrongTokens = [
    generateWebhookToken(),
    generateWebhookToken(),
    withingsToken.slice(0, -1),
    `${withingsToken}A`,
    withingsToken.toUpperCase(),
    withingsToken.toLowerCase(),
    hashWebhookToken(withingsToken),
    "a".repeat(43),
    "short",
    "x".repeat(200),
    `${withingsToken.slice(0, 20)}%2F${withingsToken.slice(20)}`,
    encodeURIComponent("токен-токен-токен-токен-токен"),
    "0".repeat(43),
  ];
  for (const [i, token] of wrongTokens.entries()) {
    cases.push({ name: `wrong path token #${i}`, path: withings(token), body, headers: FORM, status: "4xx" });
    cases.push({ name: `HEAD with wrong path token #${i}`, method: "HEAD", path: withings(token), status: 404 });
  }
  cases.push({ name: "no path token", path: "/api/v1/webhooks/withings", body, headers: FORM, status: 404 });
  for (const userid of [OTHER_WITHINGS_USER, "1", "90010", "9001 ", "09001"])
    cases.push({
      name: `userid ${JSON.stringify(userid)} on this connection's token`,
      path: withings(withingsToken),
      body: withingsForm({ userid }),
      headers: FORM,
      status: "4xx",
    });
  cases.push({
    name: "this userid on another connection's token",
    path: withings(otherWithingsToken),
    body,
    headers: FORM,
    status: 403,
  });
  const malformed: Array<Record<string, string | undefined>> = [
    { userid: undefined },
    { userid: "" },
    { userid: "abc" },
    { userid: "-5" },
    { appli: undefined },
    { appli: "" },
    { appli: "sleep" },
    { appli: "4.4" },
    { startdate: "abc" },
    { enddate: "abc" },
    { startdate: undefined },
    { enddate: undefined },
    { startdate: "200", enddate: "100" },
    { startdate: "-1" },
    { startdate: "1".repeat(20) },
    { startdate: undefined, enddate: undefined },
    { startdate: undefined, enddate: undefined, date: "2026-13" },
    { startdate: undefined, enddate: undefined, date: "yesterday" },
    { action: "<script>" },
    { action: "x".repeat(40) },
  ];
  for (const overrides of malformed)
    cases.push({
      name: `malformed form ${JSON.stringify(overrides).slice(0, 40)}`,
      path: withings(withingsToken),
      body: withingsForm(overrides),
      headers: FORM,
      status: 400,
    });
  for (const raw of [
    "",
    "&&&",
    "userid",
    "userid=9001&userid=9002&appli=44&startdate=1&enddate=2",
    "appli=44&appli=16&userid=9001&startdate=1&enddate=2",
    "%%%",
    "userid=9001&appli=44&startdate=1&enddate=2&startdate=3",
  ])
    cases.push({
      name: `malformed form ${JSON.stringify(raw.slice(0, 30))}`,
      path: withings(withingsToken),
      body: raw,
      headers: FORM,
      status: 400,
    });
  cases.push(...oversizedCases(withings(withingsToken), FORM["content-type"], () => FORM));
  for (const type of [
    "application/json",
    "text/plain",
    "multipart/form-data; boundary=x",
    "application/x-www-form-urlencodedx",
  ])
    cases.push({
      name: `content-type ${type}`,
      path: withings(withingsToken),
      body,
      headers: { "content-type": type },
      status: 415,
    });
  cases.push({
    name: "JSON notification",
    path: withings(withingsToken),
    body: JSON.stringify({ userid: WITHINGS_USER, appli: 44 }),
    headers: { "content-type": "application/json" },
    status: 415,
  });
  cases.push({
    name: "no content-type",
    path: withings(withingsToken),
    body: new TextEncoder().encode(body),
    headers: {},
    status: 415,
  });
  cases.push({ name: "PUT", method: "PUT", path: withings(withingsToken), body, headers: FORM, status: "4xx" });
  cases.push({ name: "DELETE", method: "DELETE", path: withings(withingsToken), status: "4xx" });
  cases.push({
    name: "token on the signed route of another provider",
    path: `/api/v1/webhooks/oura/${withingsToken}`,
    body,
    headers: FORM,
    status: 404,
  });
  for (let i = 0; i < 10; i++) {
    const token = generateWebhookToken();
    cases.push({ name: `random token #${i}`, path: withings(token), body, headers: FORM, status: "4xx" });
    cases.push({ name: `GET probe with random token #${i}`, method: "GET", path: withings(token), status: 404 });
  }
  // Wrong tokens for each appli.
  for (const appli of ["1", "4", "16", "44", "46", "2", "54", "62"])
    cases.push({
      name: `appli ${appli} with a random token`,
      path: withings(generateWebhookToken()),
      body: withingsForm({ appli }),
      headers: FORM,
      status: "4xx",
    });
  return cases;
}

describe.each([
  ["oura", ouraCases],
  ["whoop", whoopCases],
  ["withings", withingsCases],
] as const)("%s hostile requests", (provider, table) => {
  it("has at least 100 cases, each a 4xx that leaves no inbox row", async () => {
    const cases = table();
    expect(cases.length).toBeGreaterThanOrEqual(100);
    const before = await inboxRows();
    const eventsBefore = sent.length;
    const failures: string[] = [];
    for (const c of cases) {
      const response = await send(c);
      await response.arrayBuffer().catch(() => undefined);
      const ok = c.status === "4xx" ? response.status >= 400 && response.status < 500 : response.status === c.status;
      if (!ok) failures.push(`${c.name}: expected ${c.status}, got ${response.status}`);
    }
    expect(failures).toEqual([]);
    expect(await inboxRows()).toBe(before);
    expect(sent.length).toBe(eventsBefore);
    await flushWebhookCounters();
    const db = await getDb();
    const counters = await db.select().from(webhookCounters).where(eq(webhookCounters.provider, provider));
    const refused = counters
      .filter((c) => c.reason !== "accepted" && c.reason !== "duplicate")
      .reduce((n, c) => n + c.count, 0);
    expect(refused).toBeGreaterThan(50);
  });
});

describe("valid notifications", () => {
  it("Oura: the challenge is echoed for the right verification token only", async () => {
    const token = ouraVerificationToken(ouraSandboxTarget);
    const right = await fetch(`${server.url}${OURA}?verification_token=${token}&challenge=c-123`);
    expect(right.status).toBe(200);
    expect(await right.json()).toEqual({ challenge: "c-123" });
    const wrong = await fetch(`${server.url}${OURA}?verification_token=nope&challenge=c-123`);
    expect(wrong.status).toBe(401);
    expect(JSON.stringify(await wrong.json())).not.toContain("c-123");
  });

  it("Oura: delivered three times → one inbox row, one event; lower-case hex signatures pass", async () => {
    const body = ouraBody({ object_id: "doc-three-times" });
    const eventsBefore = sent.length;
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) {
      const headers = ouraHeaders(body);
      if (i === 2) headers["x-oura-signature"] = headers["x-oura-signature"]!.toLowerCase();
      statuses.push((await send({ name: "valid", path: OURA, body, headers, status: 200 })).status);
    }
    expect(statuses).toEqual([200, 200, 200]);
    const db = await getDb();
    const rows = await db.select().from(webhookInbox).where(eq(webhookInbox.provider, "oura"));
    const mine = rows.filter((r) => r.eventKey.includes("doc-three-times"));
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ status: "pending", duplicates: 2, providerUserId: OURA_USER });
    expect(mine[0]!.notification).toMatchObject({
      topic: "daily_sleep",
      objectId: "doc-three-times",
      action: "upsert",
    });
    expect(sent.slice(eventsBefore)).toEqual([
      expect.objectContaining({
        name: "wearables/webhook.received",
        data: expect.objectContaining({ inboxId: mine[0]!.id }),
      }),
    ]);
    const [conn] = await db
      .select({ lastWebhookAt: connections.lastWebhookAt })
      .from(connections)
      .where(and(eq(connections.provider, "oura"), eq(connections.providerUserId, OURA_USER)));
    expect(conn!.lastWebhookAt).not.toBeNull();
  });

  it("WHOOP: a valid notification is accepted; unknown users and disconnected connections are acknowledged and change nothing", async () => {
    const before = await inboxRows();
    const eventsBefore = sent.length;
    const ok = whoopBody({ type: "recovery.updated" });
    expect((await send({ name: "valid", path: WHOOP, body: ok, headers: whoopHeaders(ok), status: 200 })).status).toBe(
      200,
    );
    expect(await inboxRows()).toBe(before + 1);
    for (const body of [whoopBody({ user_id: 999_999 }), whoopBody({ user_id: 777 })]) {
      const response = await send({ name: "ack", path: WHOOP, body, headers: whoopHeaders(body), status: 200 });
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ status: "ignored" });
    }
    const revoked = ouraBody({ user_id: "oura-user-revoked" });
    expect(
      (await send({ name: "ack", path: OURA, body: revoked, headers: ouraHeaders(revoked), status: 200 })).status,
    ).toBe(200);
    expect(await inboxRows()).toBe(before + 1);
    expect(sent.length).toBe(eventsBefore + 1);
    await flushWebhookCounters();
    const db = await getDb();
    const counters = await db.select().from(webhookCounters);
    const n = (provider: string, reason: string) =>
      counters.find((c) => c.provider === provider && c.reason === reason)?.count ?? 0;
    expect(n("whoop", "unknown_user")).toBe(1);
    expect(n("whoop", "disconnected")).toBe(1);
    expect(n("oura", "disconnected")).toBe(1);
  });

  it("Withings: the HEAD and GET probes answer 200 for the connection's token; a notification is accepted once", async () => {
    const path = `/api/v1/webhooks/withings/${withingsToken}`;
    expect((await fetch(`${server.url}${path}`, { method: "HEAD" })).status).toBe(200);
    expect((await fetch(`${server.url}${path}`)).status).toBe(200);
    const body = withingsForm({ startdate: "1764000000", enddate: "1764030000" });
    const first = await send({ name: "valid", path, body, headers: FORM, status: 200 });
    const second = await send({ name: "valid", path, body, headers: FORM, status: 200 });
    expect([first.status, second.status]).toEqual([200, 200]);
    expect(await second.json()).toEqual({ status: "duplicate" });
    const db = await getDb();
    const rows = await db.select().from(webhookInbox).where(eq(webhookInbox.provider, "withings"));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ eventKey: `${WITHINGS_USER}:44:1764000000:1764030000:`, duplicates: 1 });
  });
});
