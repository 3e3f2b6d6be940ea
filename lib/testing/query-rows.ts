import type { SQL } from "drizzle-orm";
import { getDb } from "@/lib/db/client";

/**
 * The rows of a raw SQL query in a test, on either driver: postgres.js answers `db.execute` with
 * the rows, PGlite with an object holding them.
 */
export async function queryRows<T>(query: SQL): Promise<T[]> {
  const db = await getDb();
  const result: unknown = await db.execute(query);
  return Array.isArray(result) ? (result as T[]) : (result as { rows: T[] }).rows;
}
