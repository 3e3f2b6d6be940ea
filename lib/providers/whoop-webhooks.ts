import { z } from "zod";
import { ProviderError, ProviderPayloadError, WebhookObjectNotReadyError } from "./errors";
import { shiftDay } from "./paging";
import { parseJsonBody, timestampedHmacVerifier } from "./webhook-signatures";
import type { ProviderApi, ProviderWebhooks, WebhookNotification } from "./types";

/**
 * WHOOP v2 webhooks (developer.whoop.com/docs/developing/webhooks): the URL is set in the app's
 * developer dashboard (no subscription API). A notification is `{user_id, id, type, trace_id}`,
 * signed with `X-WHOOP-Signature` = base64 HMAC-SHA256 over `X-WHOOP-Signature-Timestamp`
 * (epoch milliseconds) + raw body, keyed by the client secret. A recovery event carries the
 * UUID of the sleep it belongs to, not a cycle id.
 */

const notificationSchema = z.object({
  user_id: z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
  id: z.uuid(),
  type: z.string().regex(/^[a-z_]{1,32}\.[a-z_]{1,32}$/),
  trace_id: z.string().min(1).max(200),
});

export function parseWhoopNotification(rawBody: string): WebhookNotification | undefined {
  const n = parseJsonBody(rawBody, notificationSchema);
  if (!n) return undefined;
  const [topic, verb] = n.type.split(".") as [string, string];
  return {
    eventKey: `${n.type}:${n.id}:${n.trace_id}`,
    providerUserId: String(n.user_id),
    topic,
    action: verb === "updated" ? "upsert" : verb === "deleted" ? "delete" : "other",
    objectId: n.id,
  };
}

interface WhoopRecordDoc {
  start?: unknown;
  end?: unknown;
  timezone_offset?: unknown;
}

/** The record a notification names; a 404 means WHOOP has not served it yet (retried later). */
async function fetchNamed(api: ProviderApi, what: string, path: string): Promise<WhoopRecordDoc | undefined> {
  try {
    return (await api.get(path)) as WhoopRecordDoc | undefined;
  } catch (error) {
    if (error instanceof ProviderError && error.status === 404)
      throw new WebhookObjectNotReadyError(`WHOOP has no ${what} for the notification yet`, 404);
    throw error;
  }
}

export function whoopWebhooks(
  sleepDay: (sleep: { end?: string; timezone_offset?: string }) => string | undefined,
  workoutDay: (workout: { start?: string; timezone_offset?: string }) => string | undefined,
): ProviderWebhooks {
  return {
    authentication: "signature",
    contentType: "application/json",
    verify: timestampedHmacVerifier({
      timestampHeader: "x-whoop-signature-timestamp",
      signatureHeader: "x-whoop-signature",
      unit: "ms",
      encoding: "base64",
    }),
    parse: parseWhoopNotification,
    async resolve(api, notification) {
      if (notification.topic !== "sleep" && notification.topic !== "recovery" && notification.topic !== "workout")
        return { kind: "ignored", reason: `${notification.topic} is not read by this app` };
      // Our rows are daily values, and a deleted record no longer says which day it belonged to.
      if (notification.action !== "upsert")
        return { kind: "ignored", reason: `${notification.topic} ${notification.action} carries no day to re-read` };
      if (notification.topic === "workout") {
        const workout = await fetchNamed(
          api,
          "workout",
          `/v2/activity/workout/${encodeURIComponent(notification.objectId ?? "")}`,
        );
        const day = workoutDay({
          start: typeof workout?.start === "string" ? workout.start : undefined,
          timezone_offset: typeof workout?.timezone_offset === "string" ? workout.timezone_offset : undefined,
        });
        if (!day) throw new ProviderPayloadError("WHOOP workout has no start or time zone");
        // The day's totals are re-read whole: every workout that started that day.
        return { kind: "sync", collections: ["workout"], startDay: day, endDay: day };
      }
      // Sleep and recovery events both name the sleep: its end gives the day (recovery speaks for that day too).
      const sleep = await fetchNamed(
        api,
        "sleep",
        `/v2/activity/sleep/${encodeURIComponent(notification.objectId ?? "")}`,
      );
      const day = sleepDay({
        end: typeof sleep?.end === "string" ? sleep.end : undefined,
        timezone_offset: typeof sleep?.timezone_offset === "string" ? sleep.timezone_offset : undefined,
      });
      if (!day) throw new ProviderPayloadError("WHOOP sleep has no end or time zone");
      // The night's sleep, its recovery, and the cycle that began when the user fell asleep (the day before).
      return { kind: "sync", collections: ["sleep", "recovery", "cycle"], startDay: shiftDay(day, -1), endDay: day };
    },
    // WHOOP scores a sleep every morning the strap is worn.
    usualGapHours: 26,
  };
}
