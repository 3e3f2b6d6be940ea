import { describe, expect, it } from "vitest";
import { getDb } from "@/lib/db/client";
import { connections, syncRunMonthlySummaries, syncRuns } from "@/lib/db/schema";
import { createTestClient } from "@/lib/testing/app-server";
import { serveAppForTests } from "@/lib/testing/serve-app";
import { createSignedInUser } from "@/lib/testing/users";
import type { SyncHistoryPage } from "./run-history";

/** The sync history of an Accounts card: every due run, newest first, in pages that neither skip nor repeat. */
const server = serveAppForTests();

async function seedRuns(userId: string, count: number) {
  const db = await getDb();
  const [connection] = await db.insert(connections).values({ userId, provider: "oura" }).returning();
  const base = Date.parse("2026-02-01T00:00:00Z");
  const kinds = ["backfill", "poll", "webhook", "manual"] as const;
  await db.insert(syncRuns).values(
    Array.from({ length: count }, (_, i) => ({
      connectionId: connection!.id,
      userId,
      provider: "oura",
      kind: kinds[i % 4]!,
      status: i === 1 ? ("failed" as const) : ("succeeded" as const),
      error: i === 1 ? "Oura asked us to slow down; the sync will try again later." : null,
      recordsFetched: i,
      metricsWritten: 2 * i,
      // Runs come in groups of five that share one created_at: pages must not split ties wrongly.
      createdAt: new Date(base + Math.floor(i / 5) * 60_000),
      startedAt: new Date(base + i * 1000),
      finishedAt: new Date(base + i * 1000 + 42_000),
    })),
  );
  // A poll planned for later in the window is not history yet.
  await db.insert(syncRuns).values({
    connectionId: connection!.id,
    userId,
    provider: "oura",
    kind: "poll",
    scheduledFor: new Date(Date.now() + 3_600_000),
  });
  await db.insert(syncRunMonthlySummaries).values({
    connectionId: connection!.id,
    userId,
    provider: "oura",
    month: "2025-10-01",
    kind: "poll",
    runs: 312,
    succeeded: 310,
    failed: 2,
  });
}

function clientOf(user: { cookie: string }) {
  const client = createTestClient(server.url);
  client.setCookie("next-auth.session-token", user.cookie.slice(user.cookie.indexOf("=") + 1));
  return client;
}

describe("sync history", () => {
  it("pages through every due run newest first, with durations, errors and the monthly counts", async () => {
    const me = await createSignedInUser();
    const other = await createSignedInUser();
    await seedRuns(me.id, 45);
    await seedRuns(other.id, 7);
    const client = clientOf(me);

    const pages: SyncHistoryPage[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor ? `?limit=20&cursor=${cursor}` : "?limit=20";
      const response = await client.get(`/api/v1/connections/oura/history${query}`);
      expect(response.status).toBe(200);
      const page = (await response.json()) as SyncHistoryPage;
      pages.push(page);
      cursor = page.nextCursor;
    } while (cursor);

    expect(pages.map((p) => p.runs.length)).toEqual([20, 20, 5]);
    const runs = pages.flatMap((p) => p.runs);
    expect(new Set(runs.map((r) => r.id)).size).toBe(45);
    expect(runs.map((r) => r.recordsFetched).sort((a, b) => a - b)).toEqual(Array.from({ length: 45 }, (_, i) => i));
    const created = runs.map((r) => Date.parse(r.createdAt));
    expect(created).toEqual([...created].sort((a, b) => b - a));
    expect(runs.every((r) => r.durationSeconds === 42)).toBe(true);
    expect(runs.find((r) => r.status === "failed")).toMatchObject({
      recordsFetched: 1,
      error: expect.stringMatching(/slow down/),
    });
    expect(pages[0]!.monthly).toEqual([
      { month: "2025-10-01", kind: "poll", runs: 312, succeeded: 310, failed: 2, recordsFetched: 0, metricsWritten: 0 },
    ]);
    expect(pages[1]!.monthly).toEqual([]);
  });

  it("refuses a forged cursor and a bad limit; a provider without a connection is a 404", async () => {
    const me = await createSignedInUser();
    await seedRuns(me.id, 3);
    const client = clientOf(me);
    expect((await client.get("/api/v1/connections/oura/history?cursor=bm90LWpzb24")).status).toBe(400);
    expect((await client.get("/api/v1/connections/oura/history?cursor=%27%3B--")).status).toBe(422);
    expect((await client.get("/api/v1/connections/oura/history?limit=0")).status).toBe(422);
    expect((await client.get("/api/v1/connections/oura/history?limit=abc")).status).toBe(422);
    expect((await client.get("/api/v1/connections/whoop/history")).status).toBe(404);
    expect((await createTestClient(server.url).get("/api/v1/connections/oura/history")).status).toBe(401);
  });
});
