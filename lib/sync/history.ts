import { and, desc, eq, isNull, lte, or } from "drizzle-orm";
import { getDb } from "@/lib/db/client";
import { syncRuns } from "@/lib/db/schema";

export type SyncRunRow = typeof syncRuns.$inferSelect;

/**
 * The newest run of each connection that is due (a poll planned for later in the window does not
 * count yet), one index probe per connection on (connection_id, created_at): the cost is the
 * number of connections, whatever the length of their history.
 */
export async function latestDueSyncRuns(connectionIds: string[], now = new Date()): Promise<Map<string, SyncRunRow>> {
  const db = await getDb();
  const latest = await Promise.all(
    connectionIds.map(async (connectionId) => {
      const [run] = await db
        .select()
        .from(syncRuns)
        .where(
          and(
            eq(syncRuns.connectionId, connectionId),
            or(isNull(syncRuns.scheduledFor), lte(syncRuns.scheduledFor, now)),
          ),
        )
        .orderBy(desc(syncRuns.createdAt))
        .limit(1);
      return run;
    }),
  );
  return new Map(latest.flatMap((run) => (run ? [[run.connectionId, run] as const] : [])));
}
