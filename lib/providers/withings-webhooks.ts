import { shiftDay } from "./paging";
import type { ProviderWebhooks, WebhookNotification, WebhookWork } from "./types";

/**
 * Withings notifications (developer.withings.com "Data API – Notifications"): subscribed per user
 * with `POST /notify action=subscribe callbackurl appli` (Withings probes the URL with HEAD first),
 * revoked with `action=revoke`. Notifications are form-encoded and NOT signed, so each
 * connection's callback URL carries its own unguessable token (stored hashed) and the `userid`
 * must be that connection's. Withings retries failures and drops subscriptions after repeated ones.
 */

/** appli → the collections it changes (1 weight and body composition, 4 pressure/SpO2, 16 activity, 44 sleep). */
export const WITHINGS_APPLI_COLLECTIONS: Record<string, string[]> = {
  "1": ["measures"],
  "4": ["measures"],
  "16": ["activity"],
  "44": ["sleep"],
};

const DIGITS = /^\d{1,12}$/;
/** A notified range longer than this is read as its last days only (a poll covers the rest). */
const MAX_NOTIFIED_DAYS = 31;

export function parseWithingsNotification(rawBody: string): WebhookNotification | undefined {
  if (rawBody.length === 0) return undefined;
  const form = new URLSearchParams(rawBody);
  const field = (name: string) => {
    const values = form.getAll(name);
    return values.length === 1 ? values[0] : values.length === 0 ? undefined : null;
  };
  const userid = field("userid");
  const appli = field("appli");
  const startdate = field("startdate");
  const enddate = field("enddate");
  const date = field("date");
  const action = field("action");
  if (!userid || !DIGITS.test(userid) || !appli || !DIGITS.test(appli)) return undefined;
  if (startdate === null || enddate === null || date === null || action === null) return undefined;
  if ((startdate === undefined) !== (enddate === undefined)) return undefined;
  if (startdate !== undefined && (!DIGITS.test(startdate) || !DIGITS.test(enddate!))) return undefined;
  if (startdate !== undefined && Number(enddate) < Number(startdate)) return undefined;
  if (date !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(date)) return undefined;
  if (action !== undefined && !/^[a-z_]{1,32}$/i.test(action)) return undefined;
  // Every notification names a period, except appli 46 (user actions: unlink, delete).
  if (startdate === undefined && date === undefined && appli !== "46") return undefined;
  let startSeconds = startdate === undefined ? undefined : Number(startdate);
  let endSeconds = enddate === undefined ? undefined : Number(enddate);
  if (startSeconds === undefined && date !== undefined) {
    startSeconds = Date.parse(`${date}T00:00:00Z`) / 1000;
    endSeconds = startSeconds + 86_399;
    if (Number.isNaN(startSeconds)) return undefined;
  }
  return {
    eventKey: [userid, appli, startdate ?? date ?? "", enddate ?? "", action ?? ""].join(":"),
    providerUserId: userid,
    topic: appli,
    action: appli === "46" ? "other" : "upsert",
    startSeconds,
    endSeconds,
  };
}

const utcDay = (seconds: number) => new Date(seconds * 1000).toISOString().slice(0, 10);

export function withingsWork(notification: WebhookNotification): WebhookWork {
  const collections = WITHINGS_APPLI_COLLECTIONS[notification.topic];
  if (!collections) return { kind: "ignored", reason: `appli ${notification.topic} is not read by this app` };
  if (notification.startSeconds === undefined || notification.endSeconds === undefined)
    return { kind: "ignored", reason: "the notification names no period" };
  // Instants in UTC; local days run from UTC-12 to UTC+14, so one day wider on each side.
  let startDay = shiftDay(utcDay(notification.startSeconds), -1);
  const endDay = shiftDay(utcDay(notification.endSeconds), 1);
  const earliest = shiftDay(endDay, -(MAX_NOTIFIED_DAYS - 1));
  if (startDay < earliest) startDay = earliest;
  return { kind: "sync", collections, startDay, endDay };
}

export const withingsWebhooks: ProviderWebhooks = {
  authentication: "path-token",
  contentType: "application/x-www-form-urlencoded",
  parse: parseWithingsNotification,
  // The notification names the period itself: nothing to look up before re-reading it.
  resolve: (_api, notification) => Promise.resolve(withingsWork(notification)),
  // A scale is not used every day; a sleep analyzer or watch is. Two days of silence is unusual.
  usualGapHours: 50,
  connectionSubscriptions: {
    topics: WITHINGS_APPLI_COLLECTIONS,
    async subscribe(api, callbackUrl, topic) {
      await api.post("/notify", { action: "subscribe", callbackurl: callbackUrl, appli: topic });
    },
    async revoke(api, callbackUrl, topic) {
      await api.post("/notify", { action: "revoke", callbackurl: callbackUrl, appli: topic });
    },
    async list(api) {
      const body = (await api.post("/notify", { action: "list" })) as { profiles?: unknown } | undefined;
      const profiles = Array.isArray(body?.profiles) ? (body.profiles as Array<Record<string, unknown>>) : [];
      return profiles
        .filter(
          (p) => typeof p.callbackurl === "string" && (typeof p.appli === "number" || typeof p.appli === "string"),
        )
        .map((p) => ({ callbackUrl: p.callbackurl as string, topic: String(p.appli) }));
    },
  },
};
