import crypto from "node:crypto";
import { and, eq, isNull } from "drizzle-orm";
import { z } from "zod";
import { getDb } from "@/lib/db/client";
import { OURA_WEBHOOK_DATA_TYPES } from "@/lib/providers/oura-webhooks";
import { sandboxWebhookSubscriptions } from "@/lib/db/schema";
import { sandboxMayCallBack } from "../callbacks";
import { sandboxClock, sandboxOAuthSettings } from "../controls";
import type { SandboxRouteHandler } from "../types";

/**
 * Oura's webhook subscription API (provider-apis.md §1.4), app-level: the app's credentials in
 * `x-client-id` / `x-client-secret` (never a user's token). Creating a subscription first checks
 * the callback with `GET callback_url?verification_token=…&challenge=…`, which must answer 200
 * `{"challenge": <the same value>}`; otherwise nothing is stored. Subscriptions expire (by the
 * sandbox clock) and are renewed with `PUT /v2/webhook/subscription/renew/{id}`.
 *
 * Documented choices where Oura's documentation is silent: one subscription per (event_type,
 * data_type) for an app, so a second one answers 409 (as clients treat it: "exists"); a
 * subscription lives 30 days from creation or renewal; expired subscriptions are still listed
 * (so they can be renewed) but receive nothing; an unknown id answers 404, except renew (403, as
 * documented).
 */

export const OURA_PROVIDER = "oura";
export const OURA_SUBSCRIPTION_LIFETIME_MS = 30 * 86_400_000;
const VERIFICATION_TIMEOUT_MS = 10_000;

export const OURA_WEBHOOK_EVENT_TYPES = ["create", "update", "delete"] as const;

const json = (status: number, body: unknown) =>
  Response.json(body, { status, headers: { "cache-control": "no-store" } });

function problem(status: number, title: string, detail: string): Response {
  return Response.json(
    { status, title, detail },
    { status, headers: { "content-type": "application/problem+json", "cache-control": "no-store" } },
  );
}

/** FastAPI's 422 for a body that does not validate. */
function unprocessable(error: z.ZodError): Response {
  return json(422, {
    detail: error.issues.map((issue) => ({
      type: issue.code,
      loc: ["body", ...issue.path.map(String)],
      msg: issue.message,
    })),
  });
}

type Subscription = typeof sandboxWebhookSubscriptions.$inferSelect;

export function subscriptionBody(row: Subscription) {
  const [dataType, eventType] = row.topic.split(":") as [string, string];
  return {
    id: row.id,
    callback_url: row.callbackUrl,
    event_type: eventType,
    data_type: dataType,
    expiration_time: row.expiresAt?.toISOString() ?? null,
  };
}

/** The app's credentials from the headers: 401 without them, 403 when they are not this app's. */
async function authenticateApp(request: Request, clientId: string, clientSecret: string) {
  const id = request.headers.get("x-client-id");
  const secret = request.headers.get("x-client-secret");
  if (!id || !secret)
    return problem(
      401,
      "Unauthorized",
      "x-client-id and x-client-secret headers with the app's credentials are required.",
    );
  const expected = Buffer.from(`${clientId}\u0000${clientSecret}`);
  const given = Buffer.from(`${id}\u0000${secret}`);
  const matches = expected.length === given.length && crypto.timingSafeEqual(expected, given);
  if (!matches || (await sandboxOAuthSettings(OURA_PROVIDER)).rejectClientCredentials)
    return problem(403, "Forbidden", "The client credentials are not valid.");
  return undefined;
}

async function readJson(request: Request): Promise<{ ok: true; value: unknown } | { ok: false; response: Response }> {
  if (!(request.headers.get("content-type") ?? "").includes("application/json"))
    return { ok: false, response: problem(415, "Unsupported Media Type", "Send application/json.") };
  try {
    return { ok: true, value: await request.json() };
  } catch {
    return {
      ok: false,
      response: json(422, { detail: [{ type: "json_invalid", loc: ["body"], msg: "JSON decode error" }] }),
    };
  }
}

// Oura's documented data types, as the provider module lists them.
const dataType = z.string().refine((value) => OURA_WEBHOOK_DATA_TYPES.has(value), "Input should be a known data type");
const callbackUrl = z.url({ protocol: /^https?$/ }).max(2000);
const createBody = z.object({
  callback_url: callbackUrl,
  verification_token: z.string().min(1).max(500),
  event_type: z.enum(OURA_WEBHOOK_EVENT_TYPES),
  data_type: dataType,
});
const updateBody = z.object({
  verification_token: z.string().min(1).max(500),
  callback_url: callbackUrl.optional(),
  event_type: z.enum(OURA_WEBHOOK_EVENT_TYPES).optional(),
  data_type: dataType.optional(),
});

/** Oura's verification request: true only for a 200 whose JSON echoes the challenge. */
export async function verifyCallback(url: string, verificationToken: string): Promise<boolean> {
  if (!sandboxMayCallBack(url)) return false;
  const challenge = crypto.randomBytes(16).toString("hex");
  const target = new URL(url);
  target.searchParams.set("verification_token", verificationToken);
  target.searchParams.set("challenge", challenge);
  try {
    const response = await fetch(target, {
      method: "GET",
      redirect: "manual",
      signal: AbortSignal.timeout(VERIFICATION_TIMEOUT_MS),
    });
    if (response.status !== 200) return false;
    const body = (await response.json()) as unknown;
    return typeof body === "object" && body !== null && (body as { challenge?: unknown }).challenge === challenge;
  } catch {
    return false;
  }
}

const notVerified = () =>
  problem(400, "Bad Request", "The callback URL did not answer the verification challenge with the challenge.");

async function findSubscription(clientId: string, id: string): Promise<Subscription | undefined> {
  if (!z.uuid().safeParse(id).success) return undefined;
  const db = await getDb();
  const [row] = await db
    .select()
    .from(sandboxWebhookSubscriptions)
    .where(
      and(
        eq(sandboxWebhookSubscriptions.id, id),
        eq(sandboxWebhookSubscriptions.provider, OURA_PROVIDER),
        eq(sandboxWebhookSubscriptions.clientId, clientId),
      ),
    );
  return row;
}

async function topicTaken(clientId: string, topic: string, exceptId?: string): Promise<boolean> {
  const db = await getDb();
  const rows = await db
    .select({ id: sandboxWebhookSubscriptions.id })
    .from(sandboxWebhookSubscriptions)
    .where(
      and(
        eq(sandboxWebhookSubscriptions.provider, OURA_PROVIDER),
        eq(sandboxWebhookSubscriptions.clientId, clientId),
        isNull(sandboxWebhookSubscriptions.accountId),
        eq(sandboxWebhookSubscriptions.topic, topic),
      ),
    );
  return rows.some((row) => row.id !== exceptId);
}

const conflict = (topic: string) =>
  problem(409, "Conflict", `A subscription for ${topic.replace(":", " ")} events already exists for this application.`);

/** The subscription API's routes, for the Oura sandbox's client. */
export function ouraSubscriptionRoutes(clientId: string, clientSecret: string): Record<string, SandboxRouteHandler> {
  const guarded =
    (handler: (request: Request, id: string | undefined) => Promise<Response>): SandboxRouteHandler =>
    async (request, ctx) => {
      const refused = await authenticateApp(request, clientId, clientSecret);
      if (refused) return refused;
      return handler(request, ctx.path.at(-1) === "subscription" ? undefined : ctx.path.at(-1));
    };

  const create = guarded(async (request) => {
    const read = await readJson(request);
    if (!read.ok) return read.response;
    const parsed = createBody.safeParse(read.value);
    if (!parsed.success) return unprocessable(parsed.error);
    const input = parsed.data;
    const topic = `${input.data_type}:${input.event_type}`;
    if (await topicTaken(clientId, topic)) return conflict(topic);
    if (!(await verifyCallback(input.callback_url, input.verification_token))) return notVerified();
    const now = await sandboxClock(OURA_PROVIDER);
    const db = await getDb();
    const [row] = await db
      .insert(sandboxWebhookSubscriptions)
      .values({
        id: crypto.randomUUID(),
        provider: OURA_PROVIDER,
        clientId,
        accountId: null,
        callbackUrl: input.callback_url,
        topic,
        verificationToken: input.verification_token,
        expiresAt: new Date(now.getTime() + OURA_SUBSCRIPTION_LIFETIME_MS),
      })
      .onConflictDoNothing()
      .returning();
    if (!row) return conflict(topic);
    return json(201, subscriptionBody(row));
  });

  const list = guarded(async () => {
    const db = await getDb();
    const rows = await db
      .select()
      .from(sandboxWebhookSubscriptions)
      .where(
        and(
          eq(sandboxWebhookSubscriptions.provider, OURA_PROVIDER),
          eq(sandboxWebhookSubscriptions.clientId, clientId),
        ),
      )
      .orderBy(sandboxWebhookSubscriptions.createdAt);
    return json(200, rows.map(subscriptionBody));
  });

  const notFound = () => problem(404, "Not Found", "No such subscription.");

  const get = guarded(async (_request, id) => {
    const row = await findSubscription(clientId, id ?? "");
    return row ? json(200, subscriptionBody(row)) : notFound();
  });

  const update = guarded(async (request, id) => {
    const row = await findSubscription(clientId, id ?? "");
    if (!row) return notFound();
    const read = await readJson(request);
    if (!read.ok) return read.response;
    const parsed = updateBody.safeParse(read.value);
    if (!parsed.success) return unprocessable(parsed.error);
    const input = parsed.data;
    const current = subscriptionBody(row);
    const topic = `${input.data_type ?? current.data_type}:${input.event_type ?? current.event_type}`;
    if (topic !== row.topic && (await topicTaken(clientId, topic, row.id))) return conflict(topic);
    const url = input.callback_url ?? row.callbackUrl;
    // A new callback or a new token is verified again, as on creation.
    if (!(await verifyCallback(url, input.verification_token))) return notVerified();
    const db = await getDb();
    const [updated] = await db
      .update(sandboxWebhookSubscriptions)
      .set({ callbackUrl: url, topic, verificationToken: input.verification_token })
      .where(eq(sandboxWebhookSubscriptions.id, row.id))
      .returning();
    return json(200, subscriptionBody(updated!));
  });

  const remove = guarded(async (_request, id) => {
    const row = await findSubscription(clientId, id ?? "");
    if (!row) return notFound();
    const db = await getDb();
    await db.delete(sandboxWebhookSubscriptions).where(eq(sandboxWebhookSubscriptions.id, row.id));
    return new Response(null, { status: 204, headers: { "cache-control": "no-store" } });
  });

  const renew = guarded(async (_request, id) => {
    const row = await findSubscription(clientId, id ?? "");
    if (!row) return problem(403, "Forbidden", "No subscription with this id belongs to this application.");
    const now = await sandboxClock(OURA_PROVIDER);
    const db = await getDb();
    const [renewed] = await db
      .update(sandboxWebhookSubscriptions)
      .set({ expiresAt: new Date(now.getTime() + OURA_SUBSCRIPTION_LIFETIME_MS) })
      .where(eq(sandboxWebhookSubscriptions.id, row.id))
      .returning();
    return json(200, subscriptionBody(renewed!));
  });

  return {
    "POST /v2/webhook/subscription": create,
    "GET /v2/webhook/subscription": list,
    "GET /v2/webhook/subscription/:id": get,
    "PUT /v2/webhook/subscription/:id": update,
    "DELETE /v2/webhook/subscription/:id": remove,
    "PUT /v2/webhook/subscription/renew/:id": renew,
  };
}
