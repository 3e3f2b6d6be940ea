import { and, asc, eq, sql } from "drizzle-orm";
import { strToU8, Zip, ZipDeflate } from "fflate";
import { getDb } from "@/lib/db/client";
import { connections, dailyMetrics, syncRunMonthlySummaries, syncRuns } from "@/lib/db/schema";

/**
 * "Download my data": the user's metric days, connections (never a token or secret), sync runs and
 * the monthly summaries of pruned runs, as CSV files in a ZIP or as one JSON document. Both are
 * streamed: rows are read in keyset batches (`EXPORT_BATCH` at a time, on the tables' indexes) and
 * written out as the response is read, so memory stays flat whatever the history holds.
 */

export const EXPORT_BATCH = 1000;
export const EXPORT_FORMATS = ["csv", "json"] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

type Value = string | number | null;
type Row = Record<string, Value | string[]>;

/** One exported table: its file stem, CSV columns and its rows, read lazily. */
interface ExportTable {
  name: string;
  columns: string[];
  rows: () => AsyncIterable<Row>;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** Keyset pages of a query: `page(after)` returns up to `batch` rows after the last one given. */
async function* paged<T>(page: (after: T | undefined) => Promise<T[]>, batch: number): AsyncGenerator<T> {
  let after: T | undefined;
  for (;;) {
    const rows = await page(after);
    yield* rows;
    if (rows.length < batch) return;
    after = rows[rows.length - 1];
  }
}

function metricsTable(userId: string, batch: number): ExportTable {
  return {
    name: "metrics",
    columns: ["day", "metric", "value", "unit", "provider"],
    async *rows() {
      const db = await getDb();
      type M = { day: string; metric: string; value: number; unit: string; provider: string };
      // Ordered along the (user, provider, metric, day) unique index, so each batch is an index range.
      const rows = paged<M>(
        (after) =>
          db
            .select({
              day: dailyMetrics.day,
              metric: dailyMetrics.metric,
              value: dailyMetrics.value,
              unit: dailyMetrics.unit,
              provider: dailyMetrics.provider,
            })
            .from(dailyMetrics)
            .where(
              and(
                eq(dailyMetrics.userId, userId),
                after
                  ? sql`(${dailyMetrics.provider}, ${dailyMetrics.metric}, ${dailyMetrics.day}) > (${after.provider}, ${after.metric}, ${after.day})`
                  : undefined,
              ),
            )
            .orderBy(asc(dailyMetrics.provider), asc(dailyMetrics.metric), asc(dailyMetrics.day))
            .limit(batch),
        batch,
      );
      for await (const r of rows)
        yield { day: r.day, metric: r.metric, value: r.value, unit: r.unit, provider: r.provider };
    },
  };
}

function connectionsTable(userId: string): ExportTable {
  return {
    name: "connections",
    columns: [
      "provider",
      "status",
      "scopes",
      "connected_at",
      "last_synced_at",
      "backfilled_at",
      "created_at",
      "updated_at",
    ],
    async *rows() {
      const db = await getDb();
      // Named columns only: tokens, session secrets and webhook token hashes never leave the database.
      const rows = await db
        .select({
          provider: connections.provider,
          status: connections.status,
          scopes: connections.scopes,
          connectedAt: connections.connectedAt,
          lastSyncedAt: connections.lastSyncedAt,
          backfilledAt: connections.backfilledAt,
          createdAt: connections.createdAt,
          updatedAt: connections.updatedAt,
        })
        .from(connections)
        .where(eq(connections.userId, userId))
        .orderBy(asc(connections.provider));
      for (const r of rows)
        yield {
          provider: r.provider,
          status: r.status,
          scopes: r.scopes,
          connected_at: iso(r.connectedAt),
          last_synced_at: iso(r.lastSyncedAt),
          backfilled_at: iso(r.backfilledAt),
          created_at: iso(r.createdAt),
          updated_at: iso(r.updatedAt),
        };
    },
  };
}

function syncRunsTable(userId: string, batch: number): ExportTable {
  return {
    name: "sync-history",
    columns: [
      "provider",
      "kind",
      "status",
      "created_at",
      "started_at",
      "finished_at",
      "range_start",
      "range_end",
      "records_fetched",
      "metrics_written",
      "error",
    ],
    async *rows() {
      const db = await getDb();
      // The cursor is the exact created_at as text: a JavaScript Date would drop its microseconds.
      const rows = paged(
        (after: { cursor: string; id: string } | undefined) =>
          db
            .select({ run: syncRuns, cursor: sql<string>`${syncRuns.createdAt}::text` })
            .from(syncRuns)
            .where(
              and(
                eq(syncRuns.userId, userId),
                after
                  ? sql`(${syncRuns.createdAt}, ${syncRuns.id}) > (${after.cursor}::timestamptz, ${after.id}::uuid)`
                  : undefined,
              ),
            )
            .orderBy(asc(syncRuns.createdAt), asc(syncRuns.id))
            .limit(batch)
            .then((page) => page.map(({ run, cursor }) => ({ ...run, cursor }))),
        batch,
      );
      for await (const r of rows)
        yield {
          provider: r.provider,
          kind: r.kind,
          status: r.status,
          created_at: iso(r.createdAt),
          started_at: iso(r.startedAt),
          finished_at: iso(r.finishedAt),
          range_start: r.rangeStart,
          range_end: r.rangeEnd,
          records_fetched: r.recordsFetched,
          metrics_written: r.metricsWritten,
          error: r.error,
        };
    },
  };
}

function monthlySummariesTable(userId: string): ExportTable {
  return {
    name: "sync-history-monthly",
    columns: ["provider", "month", "kind", "runs", "succeeded", "failed", "records_fetched", "metrics_written"],
    async *rows() {
      const db = await getDb();
      // At most one row per connection, month and kind: small.
      const rows = await db
        .select()
        .from(syncRunMonthlySummaries)
        .where(eq(syncRunMonthlySummaries.userId, userId))
        .orderBy(
          asc(syncRunMonthlySummaries.month),
          asc(syncRunMonthlySummaries.provider),
          asc(syncRunMonthlySummaries.kind),
        );
      for (const r of rows)
        yield {
          provider: r.provider,
          month: r.month,
          kind: r.kind,
          runs: r.runs,
          succeeded: r.succeeded,
          failed: r.failed,
          records_fetched: r.recordsFetched,
          metrics_written: r.metricsWritten,
        };
    },
  };
}

function exportTables(userId: string, batch: number): ExportTable[] {
  return [
    metricsTable(userId, batch),
    connectionsTable(userId),
    syncRunsTable(userId, batch),
    monthlySummariesTable(userId),
  ];
}

/**
 * One CSV field (RFC 4180): quoted when it holds a comma, quote or line break. A text starting with
 * `=`, `+`, `-`, `@`, tab or CR gets a leading `'` so a spreadsheet shows it instead of running it.
 */
export function csvField(value: Value | string[]): string {
  if (value === null) return "";
  if (Array.isArray(value)) return csvField(value.join(" "));
  if (typeof value === "number") return String(value);
  const text = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

async function* csvLines(table: ExportTable): AsyncGenerator<string> {
  yield `${table.columns.join(",")}\r\n`;
  for await (const row of table.rows()) yield `${table.columns.map((c) => csvField(row[c] ?? null)).join(",")}\r\n`;
}

/** The date in export file names (UTC). */
export const exportDate = (now: Date) => now.toISOString().slice(0, 10);

export function exportFileName(format: ExportFormat, now: Date): string {
  return `wearables-data-${exportDate(now)}.${format === "csv" ? "zip" : "json"}`;
}

/** The ZIP of one CSV file per table, produced as it is read (deflated; fflate's streaming Zip). */
export async function* csvZipChunks(userId: string, now: Date, batch = EXPORT_BATCH): AsyncGenerator<Uint8Array> {
  const out: Uint8Array[] = [];
  let failure: Error | null = null;
  const zip = new Zip((error, chunk) => {
    if (error) failure = error;
    else out.push(chunk);
  });
  const drain = function* () {
    if (failure) throw failure;
    yield* out.splice(0);
  };
  for (const table of exportTables(userId, batch)) {
    const file = new ZipDeflate(`${table.name}-${exportDate(now)}.csv`, { level: 6 });
    zip.add(file);
    let pending = "";
    for await (const line of csvLines(table)) {
      pending += line;
      if (pending.length >= 64 * 1024) {
        file.push(strToU8(pending));
        pending = "";
        yield* drain();
      }
    }
    file.push(strToU8(pending), true);
    yield* drain();
  }
  zip.end();
  yield* drain();
}

/** One JSON document: `{exportedAt, metrics: [...], connections: [...], syncHistory: [...], syncHistoryMonthly: [...]}`. */
export async function* jsonChunks(userId: string, now: Date, batch = EXPORT_BATCH): AsyncGenerator<Uint8Array> {
  const keys: Record<string, string> = {
    metrics: "metrics",
    connections: "connections",
    "sync-history": "syncHistory",
    "sync-history-monthly": "syncHistoryMonthly",
  };
  const encoder = new TextEncoder();
  yield encoder.encode(`{"exportedAt":${JSON.stringify(now.toISOString())}`);
  for (const table of exportTables(userId, batch)) {
    let text = `,${JSON.stringify(keys[table.name])}:[`;
    let first = true;
    for await (const row of table.rows()) {
      text += (first ? "" : ",") + JSON.stringify(row);
      first = false;
      if (text.length >= 64 * 1024) {
        yield encoder.encode(text);
        text = "";
      }
    }
    yield encoder.encode(`${text}]`);
  }
  yield encoder.encode("}\n");
}

/** A web stream that pulls the generator one chunk at a time (the client's reading paces the database reads). */
export function streamOf(chunks: AsyncGenerator<Uint8Array>): ReadableStream<Uint8Array> {
  return new ReadableStream({
    async pull(controller) {
      const next: IteratorResult<Uint8Array> = await chunks.next();
      if (next.done) controller.close();
      else controller.enqueue(next.value);
    },
    async cancel() {
      await chunks.return(undefined);
    },
  });
}
