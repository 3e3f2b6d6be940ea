import { serveAppForTests } from "@/lib/testing/serve-app";
import { eq } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { getDb } from "@/lib/db/client";
import { connections } from "@/lib/db/schema";
import { tokenRefreshRequested } from "@/lib/events/definitions";
import { dispatchInProcess, drainInProcessJobs, registerInProcessJobs } from "@/lib/jobs/in-process";
import { jobs } from "@/lib/jobs";
import { ProviderRateLimitError } from "@/lib/providers/errors";
import { advanceSandboxClock, injectSandboxFault, resetSandboxControls } from "@/lib/sandbox/controls";
import { connectThroughSandbox, signedInClient } from "@/lib/testing/oauth-journey";
import { refreshConnectionTokens } from "./tokens";

/**
 * A throttled token endpoint at Oura and WHOOP (HTTP 429 with Retry-After) and Withings (HTTP 200,
 * status 601 with `wait_seconds`): the wait the provider names is the one kept, the refresh
 * succeeds once it is over, and nobody is disconnected.
 */
const PROVIDERS = ["oura", "whoop", "withings"] as const;
const server = serveAppForTests({ sandboxFor: [...PROVIDERS] });

afterEach(async () => {
  for (const provider of PROVIDERS) await resetSandboxControls(provider);
});

async function rowOf(userId: string) {
  const db = await getDb();
  const [row] = await db.select().from(connections).where(eq(connections.userId, userId));
  return row!;
}

/** A new user connected to `provider` through its sandbox (consent, callback, backfill). */
async function connectedUser(provider: string): Promise<string> {
  const { client, userId } = await signedInClient(server.url);
  await connectThroughSandbox(client, provider);
  return userId;
}

const JOURNEY_TIMEOUT_MS = 120_000;

describe.each(PROVIDERS)("%s token endpoint rate limit", (provider) => {
  it(
    "the refresh reports the provider's wait and leaves the connection as it was",
    async () => {
      const userId = await connectedUser(provider);
      const before = await rowOf(userId);
      await injectSandboxFault(provider, {
        kind: "rate_limit",
        retryAfterSeconds: 42,
        forSeconds: 600,
        target: "token",
      });

      const limited = await refreshConnectionTokens(before.id).catch((error: unknown) => error);
      expect(limited).toBeInstanceOf(ProviderRateLimitError);
      expect((limited as ProviderRateLimitError).retryAfterSeconds).toBe(42);
      expect(await rowOf(userId)).toMatchObject({
        status: "active",
        refreshLeaseHolder: null,
        tokenVersion: before.tokenVersion,
        accessToken: before.accessToken,
        refreshToken: before.refreshToken,
      });
    },
    JOURNEY_TIMEOUT_MS,
  );

  it(
    "the refresh job waits as long as the provider asked, then refreshes; never disconnects",
    async () => {
      const userId = await connectedUser(provider);
      const db = await getDb();
      // Due for the refresh cron: the token expires within the hour.
      await db
        .update(connections)
        .set({ tokenExpiresAt: new Date(Date.now() + 5 * 60_000) })
        .where(eq(connections.userId, userId));
      const before = await rowOf(userId);
      // Throttled for 30 s of sandbox time, answering "wait 42 s": one wait is enough.
      await injectSandboxFault(provider, {
        kind: "rate_limit",
        retryAfterSeconds: 42,
        forSeconds: 30,
        target: "token",
      });

      const waits: number[] = [];
      registerInProcessJobs(jobs.map((j) => j.definition));
      dispatchInProcess(
        { name: tokenRefreshRequested.name, data: { connectionId: before.id, provider } },
        {
          sleep: async (ms) => {
            waits.push(ms);
            await advanceSandboxClock(provider, ms);
          },
        },
      );
      await drainInProcessJobs();

      expect(waits).toEqual([42_000]);
      const after = await rowOf(userId);
      expect(after.status).toBe("active");
      expect(after.tokenVersion).toBe(before.tokenVersion + 1);
      expect(after.accessToken).not.toBe(before.accessToken);
      expect(after.tokenExpiresAt!.getTime()).toBeGreaterThan(Date.now() + 30 * 60_000);
    },
    JOURNEY_TIMEOUT_MS,
  );
});
