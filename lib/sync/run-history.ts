import { and, asc, desc, eq, isNull, lte, or, sql } from "drizzle-orm";
import { z } from "zod";
import { getDb } from "@/lib/db/client";
import { connections, syncRunMonthlySummaries, syncRuns, type SyncKind, type SyncStatus } from "@/lib/db/schema";

/**
 * A connection's sync history for its Accounts card: the runs that are due (a poll planned for
 * later in the window is not shown yet), newest first, in keyset pages on the (connection_id,
 * created_at) index, plus the monthly counts of runs already pruned by the retention rule
 * ("312 polls in October, 2 failed").
 */

export const HISTORY_PAGE_SIZE = 20;

export interface SyncRunEntry {
  id: string;
  kind: SyncKind;
  status: SyncStatus;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  /** Finished runs: whole seconds from start to finish. */
  durationSeconds: number | null;
  progress: number;
  recordsFetched: number;
  metricsWritten: number;
  error: string | null;
}

export interface MonthlySyncSummary {
  month: string;
  kind: SyncKind;
  runs: number;
  succeeded: number;
  failed: number;
  recordsFetched: number;
  metricsWritten: number;
}

export interface SyncHistoryPage {
  runs: SyncRunEntry[];
  /** Pass as `cursor` for the next (older) page; null on the last page. */
  nextCursor: string | null;
  /** Pruned runs by month and kind, newest month first (on the first page only). */
  monthly: MonthlySyncSummary[];
}

export const historyQuery = z.object({
  cursor: z
    .string()
    .max(200)
    .regex(/^[A-Za-z0-9_-]+$/, "Invalid cursor")
    .optional(),
  limit: z.coerce.number().int().min(1).max(100).default(HISTORY_PAGE_SIZE),
});

const cursorShape = z.tuple([z.string().regex(/^\d{4}-\d{2}-\d{2} [\d:.+-]+$/), z.uuid()]);

/** The position after a run: its exact created_at (as PostgreSQL prints it, microseconds kept) and id. */
function encodeCursor(createdAt: string, id: string): string {
  return Buffer.from(JSON.stringify([createdAt, id])).toString("base64url");
}

export class InvalidCursorError extends Error {
  override name = "InvalidCursorError";
  constructor() {
    super("Invalid cursor");
  }
}

function decodeCursor(cursor: string): [string, string] {
  try {
    return cursorShape.parse(JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")));
  } catch {
    throw new InvalidCursorError();
  }
}

/** Undefined when the user has no connection to the provider. Throws InvalidCursorError for a forged cursor. */
export async function syncHistoryPage(
  userId: string,
  provider: string,
  options: z.infer<typeof historyQuery>,
  now = new Date(),
): Promise<SyncHistoryPage | undefined> {
  const after = options.cursor ? decodeCursor(options.cursor) : undefined;
  const db = await getDb();
  const [connection] = await db
    .select({ id: connections.id })
    .from(connections)
    .where(and(eq(connections.userId, userId), eq(connections.provider, provider)));
  if (!connection) return undefined;
  const rows = await db
    .select({ run: syncRuns, cursor: sql<string>`${syncRuns.createdAt}::text` })
    .from(syncRuns)
    .where(
      and(
        eq(syncRuns.connectionId, connection.id),
        or(isNull(syncRuns.scheduledFor), lte(syncRuns.scheduledFor, now)),
        after
          ? sql`(${syncRuns.createdAt}, ${syncRuns.id}) < (${after[0]}::timestamptz, ${after[1]}::uuid)`
          : undefined,
      ),
    )
    .orderBy(desc(syncRuns.createdAt), desc(syncRuns.id))
    .limit(options.limit + 1);
  const page = rows.slice(0, options.limit);
  const last = page[page.length - 1];
  const monthly = after
    ? []
    : await db
        .select()
        .from(syncRunMonthlySummaries)
        .where(eq(syncRunMonthlySummaries.connectionId, connection.id))
        .orderBy(desc(syncRunMonthlySummaries.month), asc(syncRunMonthlySummaries.kind));
  return {
    runs: page.map(({ run }) => ({
      id: run.id,
      kind: run.kind,
      status: run.status,
      createdAt: run.createdAt.toISOString(),
      startedAt: run.startedAt?.toISOString() ?? null,
      finishedAt: run.finishedAt?.toISOString() ?? null,
      durationSeconds:
        run.startedAt && run.finishedAt
          ? Math.max(0, Math.round((run.finishedAt.getTime() - run.startedAt.getTime()) / 1000))
          : null,
      progress: run.progress,
      recordsFetched: run.recordsFetched,
      metricsWritten: run.metricsWritten,
      error: run.error,
    })),
    nextCursor: rows.length > options.limit && last ? encodeCursor(last.cursor, last.run.id) : null,
    monthly: monthly.map((m) => ({
      month: m.month,
      kind: m.kind,
      runs: m.runs,
      succeeded: m.succeeded,
      failed: m.failed,
      recordsFetched: m.recordsFetched,
      metricsWritten: m.metricsWritten,
    })),
  };
}
