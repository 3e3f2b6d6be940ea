import crypto from "node:crypto";
import { and, eq, gt, isNull, or } from "drizzle-orm";
import { appUrl } from "@/lib/config";
import { getDb } from "@/lib/db/client";
import { sandboxTokens, sandboxWebhookSubscriptions } from "@/lib/db/schema";
import { sandboxClock } from "../controls";
import { createGenerator, localDay, localInstant, shiftDay, type GeneratorAccount } from "../data-generator";
import { OURA_SANDBOX_ACCOUNTS, OURA_SANDBOX_CLIENT_ID, OURA_SANDBOX_CLIENT_SECRET, ouraUserId } from "../oura";
import { documentsForDay, OURA_DAILY_COLLECTIONS } from "../oura/payloads";
import { WHOOP_SANDBOX_ACCOUNTS, WHOOP_SANDBOX_CLIENT_ID, WHOOP_SANDBOX_CLIENT_SECRET } from "../whoop";
import { whoopRecordsBetween, whoopWorkoutsBetween, type IndexedRecord } from "../whoop/payloads";
import { WITHINGS_SANDBOX_ACCOUNTS, WITHINGS_SANDBOX_CLIENT_ID } from "../withings";
import { activityForDay, measureGroupsBetween, sleepSeriesForDay } from "../withings/payloads";

/**
 * How each provider's sandbox pushes notifications (provider-apis.md, webhook sections): what a
 * newly uploaded day notifies and to where, how a delivery is signed at send time, and the
 * provider's retry behaviour. Garmin (session flow) has no webhooks.
 */

export interface OwedNotification {
  url: string;
  body: string;
}

export interface RetryPolicy {
  /** How long the provider waits for an answer. */
  timeoutMs: number;
  /** Delays (seconds) before the 2nd, 3rd, … attempt; after the last one fails the delivery is dropped. */
  backoffSeconds: number[];
  /** Whether an answer is a success (Oura: 2xx/3xx; WHOOP: 2xx; Withings: below 400). */
  succeeded(status: number): boolean;
}

export interface SandboxWebhookProvider {
  provider: string;
  contentType: string;
  retry: RetryPolicy;
  /** Headers computed when a delivery is sent (signatures over the wall-clock timestamp). */
  sign(body: string, sentAt: Date): Record<string, string>;
  /** Whether anything would receive this account's notifications (a live grant and a subscription, or a registered URL). */
  hasReceivers(accountId: string): Promise<boolean>;
  /** The notifications owed because the account's data moved from `previousNow` to `now`. */
  notificationsFor(accountId: string, previousNow: Date, now: Date): Promise<OwedNotification[]>;
  /**
   * A delivery was given up (or answered "gone"): Oura cancels a subscription answered 410;
   * Withings removes a subscription whose callback keeps failing.
   */
  onGivenUp?(delivery: { url: string; body: string }, reason: "gone" | "failed"): Promise<void>;
}

const hmac = (secret: string, message: string) => crypto.createHmac("sha256", secret).update(message);

/** Whether the account has a grant to the sandbox client that still works (a provider notifies only those users). */
async function hasLiveGrant(provider: string, clientId: string, accountId: string): Promise<boolean> {
  const db = await getDb();
  const now = await sandboxClock(provider);
  const [row] = await db
    .select({ hash: sandboxTokens.tokenHash })
    .from(sandboxTokens)
    .where(
      and(
        eq(sandboxTokens.provider, provider),
        eq(sandboxTokens.clientId, clientId),
        eq(sandboxTokens.accountId, accountId),
        isNull(sandboxTokens.revokedAt),
        or(isNull(sandboxTokens.expiresAt), gt(sandboxTokens.expiresAt, now)),
      ),
    )
    .limit(1);
  return Boolean(row);
}

function generatorAccountOf(
  provider: string,
  account: { id: string; historyDays: number; timeZone: string },
): GeneratorAccount {
  return { provider, accountId: account.id, historyDays: account.historyDays, timeZone: account.timeZone };
}

/** The local days whose data may differ between two instants. */
function daysBetweenInstants(previousNow: Date, now: Date, timeZone: string): string[] {
  const days: string[] = [];
  for (let day = localDay(previousNow, timeZone); day <= localDay(now, timeZone); day = shiftDay(day, 1))
    days.push(day);
  return days;
}

/** Documents that are new (`create`) or changed (`update`) between two generations, by id. */
function changes<T extends { id: unknown }>(before: T[], after: T[]): Array<{ doc: T; event: "create" | "update" }> {
  const old = new Map(before.map((d) => [d.id, JSON.stringify(d)]));
  return after.flatMap((doc): Array<{ doc: T; event: "create" | "update" }> => {
    const previous = old.get(doc.id);
    if (previous === undefined) return [{ doc, event: "create" }];
    return previous === JSON.stringify(doc) ? [] : [{ doc, event: "update" }];
  });
}

/* ---------- Oura ---------- */

/** The app-level subscriptions that have not expired (by the Oura sandbox's clock). */
async function activeOuraSubscriptions(clock: Date) {
  const db = await getDb();
  return db
    .select()
    .from(sandboxWebhookSubscriptions)
    .where(
      and(
        eq(sandboxWebhookSubscriptions.provider, "oura"),
        eq(sandboxWebhookSubscriptions.clientId, OURA_SANDBOX_CLIENT_ID),
        isNull(sandboxWebhookSubscriptions.accountId),
        gt(sandboxWebhookSubscriptions.expiresAt, clock),
      ),
    );
}

async function withingsSubscriptions(accountId: string) {
  const db = await getDb();
  return db
    .select()
    .from(sandboxWebhookSubscriptions)
    .where(
      and(
        eq(sandboxWebhookSubscriptions.provider, "withings"),
        eq(sandboxWebhookSubscriptions.clientId, WITHINGS_SANDBOX_CLIENT_ID),
        eq(sandboxWebhookSubscriptions.accountId, accountId),
      ),
    );
}

const oura: SandboxWebhookProvider = {
  provider: "oura",
  contentType: "application/json",
  // "10 retries for 4xx/5xx/timeouts over about an hour"; a 2xx or 3xx within 10 s is success.
  retry: {
    timeoutMs: 10_000,
    backoffSeconds: [15, 30, 60, 120, 240, 360, 600, 600, 900, 900],
    succeeded: (status) => status >= 200 && status < 400,
  },
  sign(body, sentAt) {
    const timestamp = String(Math.floor(sentAt.getTime() / 1000));
    return {
      "x-oura-timestamp": timestamp,
      "x-oura-signature": hmac(OURA_SANDBOX_CLIENT_SECRET, timestamp + body)
        .digest("hex")
        .toUpperCase(),
    };
  },
  async hasReceivers(accountId) {
    if (!(await hasLiveGrant("oura", OURA_SANDBOX_CLIENT_ID, accountId))) return false;
    return (await activeOuraSubscriptions(await sandboxClock("oura"))).length > 0;
  },
  async notificationsFor(accountId, previousNow, now) {
    const account = OURA_SANDBOX_ACCOUNTS.find((a) => a.id === accountId);
    if (!account || !(await hasLiveGrant("oura", OURA_SANDBOX_CLIENT_ID, accountId))) return [];
    const clock = await sandboxClock("oura");
    const subscriptions = await activeOuraSubscriptions(clock);
    if (subscriptions.length === 0) return [];
    const generatorAccount = generatorAccountOf("oura", account);
    const before = createGenerator(generatorAccount, previousNow);
    const after = createGenerator(generatorAccount, now);
    const owed: OwedNotification[] = [];
    for (const day of daysBetweenInstants(previousNow, now, account.timeZone)) {
      for (const collection of OURA_DAILY_COLLECTIONS) {
        const changed = changes(documentsForDay(before, collection, day), documentsForDay(after, collection, day));
        for (const { doc, event } of changed) {
          for (const sub of subscriptions.filter((s) => s.topic === `${collection}:${event}`)) {
            owed.push({
              url: sub.callbackUrl,
              body: JSON.stringify({
                event_type: event,
                data_type: collection,
                object_id: doc.id,
                event_time: clock.toISOString().replace(/\.\d{3}Z$/, "+00:00"),
                user_id: ouraUserId(account),
              }),
            });
          }
        }
      }
    }
    return owed;
  },
  async onGivenUp(delivery, reason) {
    // Oura cancels a subscription whose callback answers 410 Gone; plain failures only drop the notification.
    if (reason !== "gone") return;
    const { data_type, event_type } = JSON.parse(delivery.body) as { data_type: string; event_type: string };
    const db = await getDb();
    await db
      .delete(sandboxWebhookSubscriptions)
      .where(
        and(
          eq(sandboxWebhookSubscriptions.provider, "oura"),
          eq(sandboxWebhookSubscriptions.callbackUrl, delivery.url),
          eq(sandboxWebhookSubscriptions.topic, `${data_type}:${event_type}`),
        ),
      );
  },
};

/* ---------- WHOOP ---------- */

/** WHOOP posts to the one URL set in the app's developer dashboard; the sandbox's dashboard says the app's route. */
export function whoopWebhookUrl(): string {
  return appUrl("/api/v1/webhooks/whoop");
}

const whoop: SandboxWebhookProvider = {
  provider: "whoop",
  contentType: "application/json",
  // WHOOP retries non-2xx answers with backoff (count undocumented): five retries over about two hours.
  retry: {
    timeoutMs: 10_000,
    backoffSeconds: [60, 300, 900, 1800, 3600],
    succeeded: (status) => status >= 200 && status < 300,
  },
  sign(body, sentAt) {
    const timestamp = String(sentAt.getTime());
    return {
      "x-whoop-signature-timestamp": timestamp,
      "x-whoop-signature": hmac(WHOOP_SANDBOX_CLIENT_SECRET, timestamp + body).digest("base64"),
    };
  },
  hasReceivers: (accountId) => hasLiveGrant("whoop", WHOOP_SANDBOX_CLIENT_ID, accountId),
  async notificationsFor(accountId, previousNow, now) {
    const account = WHOOP_SANDBOX_ACCOUNTS.find((a) => a.id === accountId);
    if (!account || !(await hasLiveGrant("whoop", WHOOP_SANDBOX_CLIENT_ID, accountId))) return [];
    const generatorAccount = generatorAccountOf("whoop", account);
    const from = localInstant(shiftDay(localDay(previousNow, account.timeZone), -2), 0, account.timeZone);
    const window = (at: Date) => {
      const gen = createGenerator(generatorAccount, at);
      const to = new Date(now.getTime() + 1);
      return { ...whoopRecordsBetween(gen, account, from, to), workouts: whoopWorkoutsBetween(gen, account, from, to) };
    };
    const before = window(previousNow);
    const after = window(now);
    const records = (items: IndexedRecord[]) => items.map((i) => i.record as { id: unknown });
    const recoveriesById = (items: IndexedRecord[]) =>
      items.map((i) => ({ ...i.record, id: (i.record as { sleep_id: string }).sleep_id }));
    const events = [
      ...changes(records(before.sleeps), records(after.sleeps)).map((c) => ({ type: "sleep.updated", id: c.doc.id })),
      // A v2 recovery event carries its sleep's UUID.
      ...changes(recoveriesById(before.recoveries), recoveriesById(after.recoveries)).map((c) => ({
        type: "recovery.updated",
        id: c.doc.id,
      })),
      ...changes(records(before.workouts), records(after.workouts)).map((c) => ({
        type: "workout.updated",
        id: c.doc.id,
      })),
    ];
    const url = whoopWebhookUrl();
    return events.map((e) => ({
      url,
      body: JSON.stringify({ user_id: account.userId, id: e.id, type: e.type, trace_id: crypto.randomUUID() }),
    }));
  },
};

/* ---------- Withings ---------- */

/** Measure types each measurement appli notifies. */
const MEASURE_APPLIS: Record<number, number[]> = {
  1: [1, 4, 5, 6, 8, 76, 77, 88, 91, 123],
  4: [9, 10, 11],
};

const withings: SandboxWebhookProvider = {
  provider: "withings",
  contentType: "application/x-www-form-urlencoded",
  // Answer within 2 s; up to 10 attempts, two per cycle: now, +10 s, +1 min, +1 h, +4 h.
  retry: {
    timeoutMs: 2_000,
    backoffSeconds: [2, 10, 2, 60, 2, 3600, 2, 14_400, 2],
    succeeded: (status) => status >= 200 && status < 400,
  },
  sign: () => ({}),
  hasReceivers: async (accountId) => (await withingsSubscriptions(accountId)).length > 0,
  async notificationsFor(accountId, previousNow, now) {
    const account = WITHINGS_SANDBOX_ACCOUNTS.find((a) => a.id === accountId);
    if (!account) return [];
    const subscriptions = await withingsSubscriptions(accountId);
    if (subscriptions.length === 0) return [];
    const generatorAccount = generatorAccountOf("withings", account);
    const before = createGenerator(generatorAccount, previousNow);
    const after = createGenerator(generatorAccount, now);
    const days = daysBetweenInstants(previousNow, now, account.timeZone);
    const seconds = (d: Date) => Math.floor(d.getTime() / 1000);
    const ranges = new Map<number, { startdate: number; enddate: number }>();
    const widen = (appli: number, startdate: number, enddate: number) => {
      const current = ranges.get(appli);
      ranges.set(appli, {
        startdate: Math.min(current?.startdate ?? startdate, startdate),
        enddate: Math.max(current?.enddate ?? enddate, enddate),
      });
    };
    for (const group of measureGroupsBetween(after, account, seconds(previousNow) + 1, seconds(now))) {
      for (const [appli, types] of Object.entries(MEASURE_APPLIS))
        if (group.measures.some((m) => types.includes(m.type))) widen(Number(appli), group.date, group.date);
    }
    const keyed = <T extends Record<string, unknown>>(docs: T[], key: (d: T) => unknown) =>
      docs.map((d) => ({ ...d, id: key(d) }));
    for (const day of days) {
      const activity = changes(
        keyed(activityForDay(before, account, day), (d) => d.date),
        keyed(activityForDay(after, account, day), (d) => d.date),
      );
      if (activity.length)
        widen(
          16,
          seconds(localInstant(day, 0, account.timeZone)),
          seconds(localInstant(day, 24 * 60, account.timeZone)) - 1,
        );
      const sleep = changes(
        keyed(sleepSeriesForDay(before, account, day), (d) => d.startdate),
        keyed(sleepSeriesForDay(after, account, day), (d) => d.startdate),
      );
      for (const { doc } of sleep) widen(44, Number(doc.startdate), Number(doc.enddate));
    }
    return subscriptions.flatMap((sub) => {
      const range = ranges.get(Number(sub.topic));
      if (!range) return [];
      const form = new URLSearchParams({
        userid: String(account.userid),
        appli: sub.topic,
        startdate: String(range.startdate),
        enddate: String(range.enddate),
      });
      return [{ url: sub.callbackUrl, body: form.toString() }];
    });
  },
  async onGivenUp(delivery) {
    // Withings removes a subscription whose callback keeps failing.
    const form = new URLSearchParams(delivery.body);
    const account = WITHINGS_SANDBOX_ACCOUNTS.find((a) => String(a.userid) === form.get("userid"));
    if (!account) return;
    const db = await getDb();
    await db
      .delete(sandboxWebhookSubscriptions)
      .where(
        and(
          eq(sandboxWebhookSubscriptions.provider, "withings"),
          eq(sandboxWebhookSubscriptions.accountId, account.id),
          eq(sandboxWebhookSubscriptions.callbackUrl, delivery.url),
          eq(sandboxWebhookSubscriptions.topic, form.get("appli") ?? ""),
        ),
      );
  },
};

/** The sandboxes that push notifications, by provider id. */
export const webhookProviders: Record<string, SandboxWebhookProvider> = { oura, whoop, withings };

/** Accounts of a provider's sandbox that can upload a day. */
export function webhookAccounts(provider: string): Array<{ id: string; timeZone: string }> {
  const accounts: Record<string, Array<{ id: string; timeZone: string }>> = {
    oura: OURA_SANDBOX_ACCOUNTS,
    whoop: WHOOP_SANDBOX_ACCOUNTS,
    withings: WITHINGS_SANDBOX_ACCOUNTS,
  };
  return accounts[provider] ?? [];
}
