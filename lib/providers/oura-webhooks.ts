import { z } from "zod";
import { ProviderError, ProviderPayloadError, WebhookObjectNotReadyError } from "./errors";
import { isDay } from "./paging";
import { hmacSha256, parseJsonBody, timestampedHmacVerifier } from "./webhook-signatures";
import type {
  AppSubscription,
  AppSubscriptionContext,
  ClientCredentials,
  Collection,
  ProviderWebhooks,
  WebhookNotification,
} from "./types";

/**
 * Oura webhooks (cloud.ouraring.com/v2/docs#tag/Webhook-Subscription-Routes): app-level
 * subscriptions per data type × event type, managed with the app's client credentials in
 * `x-client-id` / `x-client-secret`; they expire and are renewed. A notification is
 * `{event_type, data_type, object_id, event_time, user_id}`, signed with `x-oura-signature`
 * (upper-case hex HMAC-SHA256 over `x-oura-timestamp` + raw body, keyed by the client secret).
 */

/** The data types Oura notifies about (its documented list); a module reads a subset of them. */
export const OURA_WEBHOOK_DATA_TYPES: ReadonlySet<string> = new Set([
  "tag",
  "enhanced_tag",
  "workout",
  "session",
  "sleep",
  "daily_sleep",
  "daily_readiness",
  "daily_activity",
  "daily_spo2",
  "sleep_time",
  "rest_mode_period",
  "ring_configuration",
  "daily_stress",
  "daily_cycle_phases",
  "daily_resilience",
  "daily_cardiovascular_age",
  "vo2_max",
]);

/**
 * We subscribe to create and update. Our rows are daily values, not Oura's documents: a deleted
 * document does not say which day it belonged to, so delete events would only ever be ignored.
 */
export const OURA_WEBHOOK_EVENT_TYPES = ["create", "update"] as const;

const notificationSchema = z.object({
  event_type: z.enum(["create", "update", "delete"]),
  data_type: z.string().regex(/^[a-zA-Z0-9_]{1,64}$/),
  object_id: z.string().min(1).max(200),
  event_time: z.iso.datetime({ offset: true }),
  user_id: z.string().min(1).max(200),
});

export function parseOuraNotification(rawBody: string): WebhookNotification | undefined {
  const n = parseJsonBody(rawBody, notificationSchema);
  if (!n) return undefined;
  return {
    eventKey: `${n.event_type}:${n.data_type}:${n.object_id}:${n.event_time}`,
    providerUserId: n.user_id,
    topic: n.data_type,
    action: n.event_type === "delete" ? "delete" : "upsert",
    objectId: n.object_id,
  };
}

/** Derived from the client secret, so every instance of the app answers Oura's check the same way. */
export function ouraVerificationToken(client: ClientCredentials): string {
  return hmacSha256(client.clientSecret, "oura-webhook-verification-token").toString("hex").slice(0, 40);
}

interface OuraSubscriptionBody {
  id?: unknown;
  callback_url?: unknown;
  event_type?: unknown;
  data_type?: unknown;
  expiration_time?: unknown;
}

function toSubscription(body: OuraSubscriptionBody): AppSubscription {
  if (typeof body?.id !== "string" || typeof body.data_type !== "string" || typeof body.event_type !== "string")
    throw new ProviderPayloadError("Oura answered a subscription without id, data_type or event_type");
  const expires = typeof body.expiration_time === "string" ? new Date(body.expiration_time) : null;
  return {
    id: body.id,
    topic: `${body.data_type}:${body.event_type}`,
    callbackUrl: typeof body.callback_url === "string" ? body.callback_url : "",
    expiresAt: expires && !Number.isNaN(expires.getTime()) ? expires : null,
  };
}

async function subscriptionCall(
  ctx: AppSubscriptionContext,
  method: string,
  path: string,
  body?: unknown,
): Promise<unknown> {
  const url = ctx.apiBaseUrl.replace(/\/$/, "") + path;
  let response: Response;
  try {
    response = await (ctx.fetchImpl ?? fetch)(url, {
      method,
      headers: {
        "x-client-id": ctx.client.clientId,
        "x-client-secret": ctx.client.clientSecret,
        accept: "application/json",
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
      redirect: "error",
    });
  } catch (error) {
    throw new ProviderError(`Oura could not be reached (${(error as Error).name})`);
  }
  const text = await response.text();
  if (!response.ok)
    throw new ProviderError(`Oura answered HTTP ${response.status} to ${method} ${path}`, response.status);
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    throw new ProviderPayloadError("Oura answered a subscription call with a body that is not JSON", response.status);
  }
}

export function ouraWebhooks(collections: Collection[]): ProviderWebhooks {
  const dataTypes = collections.map((c) => c.id).filter((id) => OURA_WEBHOOK_DATA_TYPES.has(id));
  return {
    authentication: "signature",
    contentType: "application/json",
    verify: timestampedHmacVerifier({
      timestampHeader: "x-oura-timestamp",
      signatureHeader: "x-oura-signature",
      unit: "s",
      encoding: "hex",
    }),
    parse: parseOuraNotification,
    async resolve(api, notification) {
      if (!dataTypes.includes(notification.topic))
        return { kind: "ignored", reason: `${notification.topic} is not read by this app` };
      if (notification.action === "delete")
        return { kind: "ignored", reason: "deleted documents do not say which day they belonged to" };
      let doc: { day?: unknown } | undefined;
      try {
        doc = (await api.get(
          `/v2/usercollection/${notification.topic}/${encodeURIComponent(notification.objectId ?? "")}`,
        )) as { day?: unknown } | undefined;
      } catch (error) {
        // Oura sometimes notifies before the document can be read: try again later.
        if (error instanceof ProviderError && error.status === 404)
          throw new WebhookObjectNotReadyError(
            `Oura has no ${notification.topic} document for the notification yet`,
            404,
          );
        throw error;
      }
      if (!isDay(doc?.day)) throw new ProviderPayloadError(`Oura ${notification.topic} document has no day`);
      // The sleep collection speaks for a day through its main period: re-read that day's periods.
      return { kind: "sync", collections: [notification.topic], startDay: doc.day, endDay: doc.day };
    },
    // The ring uploads at least once a day when it is worn and synced with the app.
    usualGapHours: 26,
    appSubscriptions: {
      topics: dataTypes.flatMap((d) => OURA_WEBHOOK_EVENT_TYPES.map((e) => `${d}:${e}`)),
      verificationToken: ouraVerificationToken,
      async list(ctx) {
        const body = await subscriptionCall(ctx, "GET", "/v2/webhook/subscription");
        const items = Array.isArray(body) ? body : ((body as { data?: unknown })?.data ?? []);
        if (!Array.isArray(items))
          throw new ProviderPayloadError("Oura answered a subscription list that is not a list");
        return items.map((item) => toSubscription(item as OuraSubscriptionBody));
      },
      async create(ctx, topic, callbackUrl) {
        const [dataType, eventType] = topic.split(":");
        const body = await subscriptionCall(ctx, "POST", "/v2/webhook/subscription", {
          callback_url: callbackUrl,
          verification_token: ouraVerificationToken(ctx.client),
          event_type: eventType,
          data_type: dataType,
        });
        return toSubscription(body as OuraSubscriptionBody);
      },
      async renew(ctx, id) {
        const body = await subscriptionCall(ctx, "PUT", `/v2/webhook/subscription/renew/${encodeURIComponent(id)}`);
        return toSubscription(body as OuraSubscriptionBody);
      },
    },
  };
}
