import { and, eq, sql } from "drizzle-orm";
import { getDb } from "@/lib/db/client";
import { connections, webhookInbox } from "@/lib/db/schema";
import { sendEvent, webhookReceived } from "@/lib/events";
import { json } from "@/lib/http/handlers";
import { mediaType } from "@/lib/http/csrf";
import { getProvider } from "@/lib/providers";
import { resolveProvider } from "@/lib/providers/runtime";
import { sameBytes } from "@/lib/providers/webhook-signatures";
import type { Provider, ProviderWebhooks, WebhookRefusal } from "@/lib/providers/types";
import { countWebhook, type WebhookCounterReason } from "./counters";
import { hashWebhookToken } from "./tokens";

/**
 * The receiving half of webhook ingestion: read the raw body under a cap, verify it before
 * parsing, write the notification durably to the inbox (its provider event identity is the unique
 * key, so redeliveries collapse), answer at once and leave the fetching to `process-webhook`.
 * Refusals leave a counter and a log line, never the body.
 */

/** Notifications are a few hundred bytes; anything over this is refused unread. */
export const WEBHOOK_BODY_LIMIT = 64 * 1024;
/** A row still pending this long after receipt is queued again when the provider redelivers it. */
const REQUEUE_PENDING_AFTER_MS = 10 * 60 * 1000;
/** lastWebhookAt is written at most this often per connection (it feeds the silence fallback). */
const LAST_WEBHOOK_RESOLUTION = "1 minute";

const STATUS: Record<WebhookRefusal, number> = {
  forged: 401,
  stale: 401,
  malformed: 400,
  oversized: 413,
  unsupported_media_type: 415,
};

const MESSAGE: Record<WebhookRefusal, string> = {
  forged: "Signature or token not valid",
  stale: "Timestamp outside the accepted window",
  malformed: "Not a notification",
  oversized: "Body too large",
  unsupported_media_type: "Unsupported content type",
};

function refuse(provider: string, reason: WebhookRefusal | "wrong_user", now: Date): Response {
  const counted: WebhookCounterReason = reason === "wrong_user" ? "forged" : reason;
  countWebhook(provider, counted, now);
  console.warn(`[webhooks] ${provider}: refused (${reason})`);
  if (reason === "wrong_user") return json({ detail: "Notification is not for this connection" }, { status: 403 });
  return json({ detail: MESSAGE[reason] }, { status: STATUS[reason] });
}

const notFound = () => json({ detail: "Not found" }, { status: 404 });

function webhookProvider(providerId: string): (Provider & { webhooks: ProviderWebhooks }) | undefined {
  const provider = getProvider(providerId);
  return provider?.webhooks ? (provider as Provider & { webhooks: ProviderWebhooks }) : undefined;
}

const OVERSIZED = Symbol("oversized");

/** The body as text, or OVERSIZED as soon as it passes the cap (the rest is never read). */
export async function readCappedBody(request: Request, limit = WEBHOOK_BODY_LIMIT): Promise<string | typeof OVERSIZED> {
  const declared = request.headers.get("content-length");
  if (declared !== null && (!/^\d+$/.test(declared) || Number(declared) > limit)) return OVERSIZED;
  if (!request.body) return "";
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => undefined);
      return OVERSIZED;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}

async function connectionByToken(providerId: string, token: string) {
  if (!/^[A-Za-z0-9_-]{20,100}$/.test(token)) return undefined;
  const db = await getDb();
  const [row] = await db
    .select({
      id: connections.id,
      status: connections.status,
      providerUserId: connections.providerUserId,
    })
    .from(connections)
    .where(and(eq(connections.webhookTokenHash, hashWebhookToken(token)), eq(connections.provider, providerId)));
  return row;
}

async function connectionByProviderUser(providerId: string, providerUserId: string) {
  const db = await getDb();
  const rows = await db
    .select({ id: connections.id, status: connections.status, providerUserId: connections.providerUserId })
    .from(connections)
    .where(and(eq(connections.provider, providerId), eq(connections.providerUserId, providerUserId)));
  // Two app users may have linked the same provider account: the active link is the one we serve.
  return rows.find((r) => r.status === "active") ?? rows[0];
}

/** POST /api/v1/webhooks/{provider}[/{token}]: one notification. */
export async function receiveWebhook(input: {
  request: Request;
  providerId: string;
  pathToken?: string;
  now?: Date;
}): Promise<Response> {
  const now = input.now ?? new Date();
  const provider = webhookProvider(input.providerId);
  if (!provider) return notFound();
  const hooks = provider.webhooks;
  const id = provider.id;
  if ((hooks.authentication === "path-token") !== (input.pathToken !== undefined)) return notFound();
  const runtime = resolveProvider(id);
  if (!runtime) return notFound();

  const { request } = input;
  const declared = request.headers.get("content-length");
  if (declared !== null && (!/^\d+$/.test(declared) || Number(declared) > WEBHOOK_BODY_LIMIT))
    return refuse(id, "oversized", now);
  if (mediaType(request.headers.get("content-type")) !== hooks.contentType)
    return refuse(id, "unsupported_media_type", now);
  const rawBody = await readCappedBody(request);
  if (rawBody === OVERSIZED) return refuse(id, "oversized", now);

  let tokenConnection: Awaited<ReturnType<typeof connectionByToken>>;
  if (hooks.authentication === "path-token") {
    tokenConnection = await connectionByToken(id, input.pathToken!);
    if (!tokenConnection) return refuse(id, "forged", now);
  } else {
    const refusal = hooks.verify!({ headers: request.headers, rawBody, now }, runtime.clientSecret);
    if (refusal) return refuse(id, refusal, now);
  }

  const notification = hooks.parse(rawBody);
  if (!notification) return refuse(id, "malformed", now);

  let connection;
  if (tokenConnection) {
    if (tokenConnection.providerUserId !== notification.providerUserId) return refuse(id, "wrong_user", now);
    connection = tokenConnection;
  } else {
    connection = await connectionByProviderUser(id, notification.providerUserId);
  }
  if (!connection) {
    countWebhook(id, "unknown_user", now);
    return json({ status: "ignored" });
  }
  if (connection.status !== "active") {
    countWebhook(id, "disconnected", now);
    return json({ status: "ignored" });
  }

  const db = await getDb();
  const [row] = await db
    .insert(webhookInbox)
    .values({
      provider: id,
      eventKey: notification.eventKey,
      providerUserId: notification.providerUserId,
      connectionId: connection.id,
      notification,
      receivedAt: now,
    })
    .onConflictDoUpdate({
      target: [webhookInbox.provider, webhookInbox.eventKey],
      set: { duplicates: sql`${webhookInbox.duplicates} + 1` },
    })
    .returning({
      id: webhookInbox.id,
      status: webhookInbox.status,
      error: webhookInbox.error,
      receivedAt: webhookInbox.receivedAt,
      inserted: sql<boolean>`(xmax = 0)`,
    });
  await db
    .update(connections)
    .set({ lastWebhookAt: now })
    .where(
      and(
        eq(connections.id, connection.id),
        sql`(${connections.lastWebhookAt} is null or ${connections.lastWebhookAt} < ${now.toISOString()}::timestamptz - ${LAST_WEBHOOK_RESOLUTION}::interval)`,
      ),
    );

  const inserted = row!.inserted;
  countWebhook(id, inserted ? "accepted" : "duplicate", now);
  const stuck =
    !inserted &&
    row!.status === "pending" &&
    (row!.error === QUEUE_FAILED || now.getTime() - row!.receivedAt.getTime() > REQUEUE_PENDING_AFTER_MS);
  if (inserted || stuck) {
    try {
      await sendEvent({
        name: webhookReceived.name,
        id: `webhook-${row!.id}`,
        data: { inboxId: row!.id, connectionId: connection.id, provider: id },
      });
    } catch (error) {
      // The row is durable; ask the provider to redeliver, which queues it again.
      console.error(`[webhooks] ${id}: could not queue inbox row ${row!.id}: ${(error as Error).name}`);
      await db.update(webhookInbox).set({ error: QUEUE_FAILED }).where(eq(webhookInbox.id, row!.id));
      return json({ detail: "Try again later" }, { status: 503 });
    }
  }
  return json({ status: inserted ? "accepted" : "duplicate" });
}

const QUEUE_FAILED = "queue_failed";

/**
 * GET /api/v1/webhooks/{provider}?verification_token=…&challenge=…: the provider checks that the
 * callback is ours before it creates a subscription (Oura). The challenge is echoed only when the
 * token is the one we gave.
 */
export function answerVerification(input: { providerId: string; url: URL; now?: Date }): Response {
  const provider = webhookProvider(input.providerId);
  const subscriptions = provider?.webhooks.appSubscriptions;
  const runtime = provider && resolveProvider(provider.id);
  if (!provider || !subscriptions || !runtime) return notFound();
  const token = input.url.searchParams.get("verification_token");
  const challenge = input.url.searchParams.get("challenge");
  if (!token || !challenge || challenge.length > 512)
    return json({ detail: "Missing verification_token or challenge" }, { status: 400 });
  const expected = Buffer.from(subscriptions.verificationToken(runtime));
  if (!sameBytes(Buffer.from(token), expected)) {
    countWebhook(provider.id, "forged", input.now);
    console.warn(`[webhooks] ${provider.id}: verification with a wrong token`);
    return json({ detail: "Verification token not valid" }, { status: 401 });
  }
  return json({ challenge });
}

/** HEAD|GET /api/v1/webhooks/{provider}/{token}: the provider's probe of a per-connection callback. */
export async function answerProbe(input: { providerId: string; pathToken: string; now?: Date }): Promise<Response> {
  const provider = webhookProvider(input.providerId);
  if (!provider || provider.webhooks.authentication !== "path-token" || !resolveProvider(provider.id))
    return notFound();
  const connection = await connectionByToken(provider.id, input.pathToken);
  if (!connection) {
    countWebhook(provider.id, "forged", input.now);
    return notFound();
  }
  return new Response(null, { status: 200, headers: { "cache-control": "no-store" } });
}
