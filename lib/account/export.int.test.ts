import { eq } from "drizzle-orm";
import { strFromU8, unzipSync } from "fflate";
import { beforeAll, describe, expect, it } from "vitest";
import { getDb } from "@/lib/db/client";
import { connections, dailyMetrics, syncRunMonthlySummaries, syncRuns } from "@/lib/db/schema";
import { createTestClient } from "@/lib/testing/app-server";
import { serveAppForTests } from "@/lib/testing/serve-app";
import { createSignedInUser } from "@/lib/testing/users";
import { csvZipChunks, jsonChunks } from "./export";

/**
 * Download my data: the CSV files and the JSON document hold exactly the seeded user's rows (checked
 * against the database), never a token, never another user's row; batches are crossed (batch 7).
 */
const server = serveAppForTests();
const NOW = new Date("2026-03-04T10:00:00Z");
const SECRET = "plain-access-token-never-exported";

type User = Awaited<ReturnType<typeof createSignedInUser>>;
let me: User;
let other: User;

async function seed(userId: string, days: number) {
  const db = await getDb();
  const rows = [];
  for (const provider of ["oura", "whoop"])
    for (const metric of ["sleep_score", "hrv_overnight_trend", "steps"])
      for (let i = 0; i < days; i++)
        rows.push({
          userId,
          provider,
          metric,
          day: new Date(Date.UTC(2025, 0, 1 + i)).toISOString().slice(0, 10),
          value: metric === "hrv_overnight_trend" ? -1.5 - i : i * 10.25,
          unit: metric === "steps" ? "steps" : metric === "sleep_score" ? "score" : "ms",
        });
  for (let i = 0; i < rows.length; i += 500) await db.insert(dailyMetrics).values(rows.slice(i, i + 500));
  const [oura] = await db
    .insert(connections)
    .values([
      {
        userId,
        provider: "oura",
        scopes: ["daily", "heartrate"],
        accessToken: SECRET,
        refreshToken: SECRET,
        lastSyncedAt: NOW,
      },
      { userId, provider: "whoop", status: "revoked", scopes: ["read:sleep"] },
    ])
    .returning();
  const created = new Date("2026-02-01T00:00:00Z");
  // 20 runs share one created_at (keyset ties), the rest differ by microseconds-precision defaults.
  await db.insert(syncRuns).values(
    Array.from({ length: 20 }, (_, i) => ({
      connectionId: oura!.id,
      userId,
      provider: "oura",
      kind: (["backfill", "poll", "webhook", "manual"] as const)[i % 4]!,
      status: i === 3 ? ("failed" as const) : ("succeeded" as const),
      recordsFetched: i,
      metricsWritten: i * 2,
      error: i === 3 ? '=HYPERLINK("x"), "quoted"\nsecond line' : null,
      startedAt: created,
      finishedAt: new Date(created.getTime() + 1000 * i),
      createdAt: created,
    })),
  );
  for (let i = 0; i < 9; i++)
    await db
      .insert(syncRuns)
      .values({ connectionId: oura!.id, userId, provider: "oura", kind: "poll", status: "queued" });
  await db.insert(syncRunMonthlySummaries).values({
    connectionId: oura!.id,
    userId,
    provider: "oura",
    month: "2025-10-01",
    kind: "poll",
    runs: 312,
    succeeded: 310,
    failed: 2,
    recordsFetched: 5000,
    metricsWritten: 1200,
  });
}

/** RFC 4180 records of a CSV text (the exporter writes CRLF line ends). */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let field = "";
  let record: string[] = [];
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted && c === '"' && text[i + 1] === '"') {
      field += '"';
      i++;
    } else if (c === '"') {
      quoted = !quoted;
    } else if (!quoted && c === ",") {
      record.push(field);
      field = "";
    } else if (!quoted && c === "\r" && text[i + 1] === "\n") {
      record.push(field);
      records.push(record);
      record = [];
      field = "";
      i++;
    } else {
      field += c;
    }
  }
  return records;
}

function csvObjects(text: string): Record<string, string>[] {
  const [header, ...rows] = parseCsv(text);
  return rows.map((r) => Object.fromEntries(header!.map((h, i) => [h, r[i]!])));
}

async function collect(chunks: AsyncGenerator<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const chunk of chunks) parts.push(chunk);
  return Buffer.concat(parts);
}

async function expected(userId: string) {
  const db = await getDb();
  return {
    metrics: await db.select().from(dailyMetrics).where(eq(dailyMetrics.userId, userId)),
    connections: await db.select().from(connections).where(eq(connections.userId, userId)),
    runs: await db.select().from(syncRuns).where(eq(syncRuns.userId, userId)),
  };
}

const metricKey = (m: { day?: string; metric?: string; value?: number | string; unit?: string; provider?: string }) =>
  `${m.provider}|${m.metric}|${m.day}|${Number(m.value)}|${m.unit}`;

beforeAll(async () => {
  me = await createSignedInUser();
  other = await createSignedInUser();
  await seed(me.id, 40);
  await seed(other.id, 5);
}, 120_000);

describe("download my data", () => {
  it("CSV: a ZIP with one dated file per table holding exactly the user's rows", async () => {
    const files = unzipSync(await collect(csvZipChunks(me.id, NOW, 7)));
    expect(Object.keys(files).sort()).toEqual([
      "connections-2026-03-04.csv",
      "metrics-2026-03-04.csv",
      "sync-history-2026-03-04.csv",
      "sync-history-monthly-2026-03-04.csv",
    ]);
    const db = expected(me.id);
    const { metrics, connections: conns, runs } = await db;
    const text = (name: string) => strFromU8(files[`${name}-2026-03-04.csv`]!);

    const metricRows = csvObjects(text("metrics"));
    expect(Object.keys(metricRows[0]!)).toEqual(["day", "metric", "value", "unit", "provider"]);
    expect(metricRows.map(metricKey).sort()).toEqual(metrics.map(metricKey).sort());
    expect(new Set(metricRows.map(metricKey)).size).toBe(metricRows.length);

    const connectionRows = csvObjects(text("connections"));
    expect(connectionRows).toEqual(
      conns
        .sort((a, b) => a.provider.localeCompare(b.provider))
        .map((c) => ({
          provider: c.provider,
          status: c.status,
          scopes: c.scopes.join(" "),
          connected_at: c.connectedAt.toISOString(),
          last_synced_at: c.lastSyncedAt?.toISOString() ?? "",
          backfilled_at: "",
          created_at: c.createdAt.toISOString(),
          updated_at: c.updatedAt.toISOString(),
        })),
    );

    const runRows = csvObjects(text("sync-history"));
    expect(runRows).toHaveLength(runs.length);
    expect(runRows.map((r) => `${r.kind}|${r.status}|${r.records_fetched}|${r.metrics_written}`).sort()).toEqual(
      runs.map((r) => `${r.kind}|${r.status}|${r.recordsFetched}|${r.metricsWritten}`).sort(),
    );
    // A text that a spreadsheet would run is defused, and quotes and line breaks survive.
    expect(runRows.find((r) => r.status === "failed")!.error).toBe('\'=HYPERLINK("x"), "quoted"\nsecond line');

    expect(csvObjects(text("sync-history-monthly"))).toEqual([
      {
        provider: "oura",
        month: "2025-10-01",
        kind: "poll",
        runs: "312",
        succeeded: "310",
        failed: "2",
        records_fetched: "5000",
        metrics_written: "1200",
      },
    ]);
    const all = Object.values(files)
      .map((f) => strFromU8(f))
      .join("\n");
    expect(all).not.toContain(SECRET);
    expect(all).not.toContain(other.id);
    expect(all).not.toContain(me.id);
  });

  it("JSON: the same rows, with scopes as lists", async () => {
    const doc = JSON.parse(strFromU8(await collect(jsonChunks(me.id, NOW, 7)))) as {
      exportedAt: string;
      metrics: Array<{ day: string; metric: string; value: number; unit: string; provider: string }>;
      connections: Array<{ provider: string; scopes: string[] }>;
      syncHistory: Array<{ kind: string; error: string | null }>;
      syncHistoryMonthly: Array<{ runs: number }>;
    };
    const { metrics, connections: conns, runs } = await expected(me.id);
    expect(doc.exportedAt).toBe(NOW.toISOString());
    expect(doc.metrics.map(metricKey).sort()).toEqual(metrics.map(metricKey).sort());
    expect(doc.metrics.length).toBe(metrics.length);
    expect(doc.connections.map((c) => [c.provider, c.scopes])).toEqual(
      conns.sort((a, b) => a.provider.localeCompare(b.provider)).map((c) => [c.provider, c.scopes]),
    );
    expect(doc.syncHistory).toHaveLength(runs.length);
    expect(doc.syncHistory.some((r) => r.error === '=HYPERLINK("x"), "quoted"\nsecond line')).toBe(true);
    expect(doc.syncHistoryMonthly).toEqual([expect.objectContaining({ runs: 312, failed: 2 })]);
    expect(JSON.stringify(doc)).not.toContain(SECRET);
  });

  it("the route streams a dated attachment, refuses a bad format and needs a session", async () => {
    const client = createTestClient(server.url);
    client.setCookie("next-auth.session-token", me.cookie.split("=").slice(1).join("="));
    const zip = await client.get("/api/v1/account/export?format=csv");
    expect(zip.status).toBe(200);
    expect(zip.headers.get("content-type")).toBe("application/zip");
    expect(zip.headers.get("content-disposition")).toMatch(
      /^attachment; filename="wearables-data-\d{4}-\d{2}-\d{2}\.zip"$/,
    );
    const names = Object.keys(unzipSync(new Uint8Array(await zip.arrayBuffer())));
    expect(names).toHaveLength(4);
    const json = await client.get("/api/v1/account/export?format=json");
    expect(json.headers.get("content-disposition")).toMatch(/filename="wearables-data-\d{4}-\d{2}-\d{2}\.json"/);
    const doc = (await json.json()) as { metrics: unknown[] };
    expect(doc.metrics).toHaveLength((await expected(me.id)).metrics.length);
    expect((await client.get("/api/v1/account/export?format=xml")).status).toBe(422);
    expect((await createTestClient(server.url).get("/api/v1/account/export")).status).toBe(401);
  });
});
