import { sql } from "drizzle-orm";
import { getDb } from "@/lib/db/client";
import { syncRuns } from "@/lib/db/schema";

export type SyncRunRow = typeof syncRuns.$inferSelect;

/**
 * The newest run of each connection that is due (a poll planned for later in the window does not
 * count yet), in one statement: a lateral probe per connection on the (connection_id, created_at)
 * index, so the cost is the number of connections, whatever the length of their history.
 */
export async function latestDueSyncRuns(connectionIds: string[], now = new Date()): Promise<Map<string, SyncRunRow>> {
  if (connectionIds.length === 0) return new Map();
  const db = await getDb();
  const ids = sql.join(
    connectionIds.map((id) => sql`(${id}::uuid)`),
    sql`, `,
  );
  const rows = await db
    .select()
    .from(syncRuns)
    .where(
      sql`${syncRuns.id} in (
        select latest.id from (values ${ids}) as wanted(connection_id)
        cross join lateral (
          select r.id from sync_runs r
          where r.connection_id = wanted.connection_id
            and (r.scheduled_for is null or r.scheduled_for <= ${now.toISOString()}::timestamptz)
          order by r.created_at desc
          limit 1
        ) latest)`,
    );
  return new Map(rows.map((run) => [run.connectionId, run]));
}
