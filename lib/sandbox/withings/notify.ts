import { and, eq } from "drizzle-orm";
import { z } from "zod";
import { getDb } from "@/lib/db/client";
import { sandboxWebhookSubscriptions } from "@/lib/db/schema";
import { sandboxMayCallBack } from "../callbacks";
import type { SandboxRouteHandler } from "../types";

/**
 * Withings' notification subscriptions (`POST /notify`, provider-apis.md §3.4), per user with the
 * user's bearer token: `action=subscribe|get|list|revoke|update`. Subscribing probes the callback
 * with `HEAD` and refuses it (status 293) unless it answers 2xx; notifications are then posted to
 * it, form-encoded and unsigned, and a callback that keeps failing loses its subscription (see
 * `lib/sandbox/webhooks`).
 *
 * Documented choices where Withings' documentation is silent: subscribing twice to the same
 * (callbackurl, appli) succeeds without a second subscription; an unknown subscription in get,
 * revoke or update answers status 343; subscriptions do not expire (`expires` 2147483647); the
 * sandbox does not keep `comment`.
 */

export const WITHINGS_NOTIFY_SCOPES: Record<number, string[]> = {
  1: ["user.metrics"],
  4: ["user.metrics"],
  16: ["user.activity"],
  44: ["user.activity", "user.sleepevents"],
  46: ["user.info"],
  50: ["user.sleepevents"],
  51: ["user.sleepevents"],
};

const PROBE_TIMEOUT_MS = 5_000;
const NEVER_EXPIRES = 2_147_483_647;

type Envelope = (payload: { status: number; body?: unknown; error?: string }) => Response;

export interface NotifyDependencies {
  provider: string;
  clientId: string;
  /** Bearer token → account (with the per-application limit); a Response when refused. */
  authenticate(request: Request): Promise<{ accountId: string; scopes: string[] } | Response>;
  readParams(request: Request): Promise<URLSearchParams>;
  envelope: Envelope;
}

/** Withings' HEAD probe of a callback URL: true only for a 2xx answer in time. */
export async function probeCallback(url: string): Promise<boolean> {
  if (!sandboxMayCallBack(url)) return false;
  try {
    const response = await fetch(url, {
      method: "HEAD",
      redirect: "manual",
      signal: AbortSignal.timeout(PROBE_TIMEOUT_MS),
    });
    return response.status >= 200 && response.status < 300;
  } catch {
    return false;
  }
}

const httpUrl = z.url({ protocol: /^https?$/ }).max(2000);

export function withingsNotifyRoute(deps: NotifyDependencies): SandboxRouteHandler {
  const { provider, clientId, envelope } = deps;
  const ok = (body: unknown = {}) => envelope({ status: 0, body });
  const fail = (status: number, error: string) => envelope({ status, body: {}, error });
  const invalid = (what: string) => fail(503, `Invalid Params: ${what}`);

  return async (request) => {
    const auth = await deps.authenticate(request);
    if (auth instanceof Response) return auth;
    const params = await deps.readParams(request);
    const action = params.get("action");
    const db = await getDb();
    const mine = and(
      eq(sandboxWebhookSubscriptions.provider, provider),
      eq(sandboxWebhookSubscriptions.clientId, clientId),
      eq(sandboxWebhookSubscriptions.accountId, auth.accountId),
    );

    const appliParam = (name = "appli"): number | undefined | null => {
      const raw = params.get(name);
      if (raw === null || raw === "") return undefined;
      const value = Number(raw);
      return /^\d+$/.test(raw) && Object.hasOwn(WITHINGS_NOTIFY_SCOPES, value) ? value : null;
    };
    const urlParam = (name = "callbackurl"): string | undefined | null => {
      const raw = params.get(name);
      if (raw === null || raw === "") return undefined;
      return httpUrl.safeParse(raw).success ? raw : null;
    };
    const allowed = (appli: number) => WITHINGS_NOTIFY_SCOPES[appli]!.some((s) => auth.scopes.includes(s));
    const find = async (url: string, appli: number) => {
      const [row] = await db
        .select()
        .from(sandboxWebhookSubscriptions)
        .where(
          and(
            mine,
            eq(sandboxWebhookSubscriptions.callbackUrl, url),
            eq(sandboxWebhookSubscriptions.topic, String(appli)),
          ),
        );
      return row;
    };
    const profile = (row: typeof sandboxWebhookSubscriptions.$inferSelect) => ({
      appli: Number(row.topic),
      callbackurl: row.callbackUrl,
      expires: NEVER_EXPIRES,
    });

    switch (action) {
      case "subscribe": {
        const url = urlParam();
        const appli = appliParam();
        if (!url) return fail(293, "The callback URL is either absent or incorrect");
        if (!appli) return invalid("appli");
        if (!allowed(appli))
          return fail(214, `Unauthorized: appli ${appli} needs the ${WITHINGS_NOTIFY_SCOPES[appli]![0]} scope`);
        if (await find(url, appli)) return ok();
        if (!(await probeCallback(url))) return fail(293, "The callback URL is either absent or incorrect");
        await db
          .insert(sandboxWebhookSubscriptions)
          .values({
            id: crypto.randomUUID(),
            provider,
            clientId,
            accountId: auth.accountId,
            callbackUrl: url,
            topic: String(appli),
          })
          .onConflictDoNothing();
        return ok();
      }
      case "get": {
        const url = urlParam();
        const appli = appliParam();
        if (!url) return fail(293, "The callback URL is either absent or incorrect");
        if (!appli) return invalid("appli");
        const row = await find(url, appli);
        return row ? ok(profile(row)) : fail(343, "No notification matching the criteria was found");
      }
      case "list": {
        const appli = appliParam();
        if (appli === null) return invalid("appli");
        const rows = await db
          .select()
          .from(sandboxWebhookSubscriptions)
          .where(appli === undefined ? mine : and(mine, eq(sandboxWebhookSubscriptions.topic, String(appli))))
          .orderBy(sandboxWebhookSubscriptions.createdAt);
        return ok({ profiles: rows.map(profile) });
      }
      case "revoke": {
        const url = urlParam();
        const appli = appliParam();
        if (!url) return fail(293, "The callback URL is either absent or incorrect");
        if (!appli) return invalid("appli");
        const removed = await db
          .delete(sandboxWebhookSubscriptions)
          .where(
            and(
              mine,
              eq(sandboxWebhookSubscriptions.callbackUrl, url),
              eq(sandboxWebhookSubscriptions.topic, String(appli)),
            ),
          )
          .returning({ id: sandboxWebhookSubscriptions.id });
        return removed.length ? ok() : fail(343, "No notification matching the criteria was found");
      }
      case "update": {
        const url = urlParam();
        const appli = appliParam();
        const newUrl = urlParam("new_callbackurl");
        const newAppli = appliParam("new_appli");
        if (!url || newUrl === null) return fail(293, "The callback URL is either absent or incorrect");
        if (!appli || newAppli === null) return invalid("appli");
        const row = await find(url, appli);
        if (!row) return fail(343, "No notification matching the criteria was found");
        const targetAppli = newAppli ?? appli;
        if (!allowed(targetAppli)) return fail(214, `Unauthorized: appli ${targetAppli} needs another scope`);
        const targetUrl = newUrl ?? url;
        if (targetUrl !== url && !(await probeCallback(targetUrl)))
          return fail(293, "The callback URL is either absent or incorrect");
        await db
          .update(sandboxWebhookSubscriptions)
          .set({ callbackUrl: targetUrl, topic: String(targetAppli) })
          .where(eq(sandboxWebhookSubscriptions.id, row.id));
        return ok();
      }
      default:
        return fail(2554, "Unknown action");
    }
  };
}
