import { is, sql } from "drizzle-orm";
import { getTableConfig, PgTable } from "drizzle-orm/pg-core";
import * as schema from "@/lib/db/schema";
import { queryRows } from "./query-rows";

/**
 * Every table of the schema, found generically (each PgTable the schema exports), so that a test
 * that walks them all covers a table added later without being edited.
 */
export function schemaTables(): Array<{ name: string; columns: string[] }> {
  return (Object.values(schema) as unknown[])
    .filter((value): value is PgTable => is(value, PgTable))
    .map((table) => {
      const tableConfig = getTableConfig(table);
      return { name: tableConfig.name, columns: tableConfig.columns.map((c) => c.name) };
    });
}

/** Every row of a table, each as its JSON text (PostgreSQL's row_to_json), in a stable order. */
export async function tableRows(name: string): Promise<string[]> {
  const rows = await queryRows<{ row: string }>(sql`select row_to_json(t)::text as row from ${sql.identifier(name)} t`);
  return rows.map((r) => r.row).sort();
}

/** Every row of every table, by table name. */
export async function snapshotTables(): Promise<Map<string, string[]>> {
  const snapshot = new Map<string, string[]>();
  for (const { name } of schemaTables()) snapshot.set(name, await tableRows(name));
  return snapshot;
}

/**
 * Whether a row (its JSON text) mentions one of the identifiers: a string anywhere in it equal to
 * one of `exact`, or containing one of `contained` (long values such as ids, emails and hashes).
 */
export function rowMentions(row: string, identifiers: { exact?: string[]; contained?: string[] }): boolean {
  const strings: string[] = [];
  const walk = (value: unknown): void => {
    if (typeof value === "string") strings.push(value);
    else if (Array.isArray(value)) value.forEach(walk);
    else if (value && typeof value === "object") Object.values(value).forEach(walk);
  };
  walk(JSON.parse(row));
  return strings.some(
    (s) =>
      (identifiers.exact ?? []).includes(s) ||
      (identifiers.contained ?? []).some((needle) => s.toLowerCase().includes(needle.toLowerCase())),
  );
}
