import fs from "node:fs";
import path from "node:path";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { config } from "@/lib/config";
import * as schema from "./schema";

export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;

interface OpenDatabase {
  db: Db;
  close: () => Promise<void>;
}

export const MIGRATIONS_FOLDER = path.join(process.cwd(), "drizzle");

/**
 * Opens a database from a URL: `postgres://…` (postgres.js), `pglite:memory` or `pglite:<dir>`.
 * `migrate` applies the committed drizzle migrations before returning.
 */
export async function openDatabase(url: string, options: { migrate: boolean }): Promise<OpenDatabase> {
  if (url.startsWith("pglite:")) {
    const { PGlite } = await import("@electric-sql/pglite");
    const { drizzle } = await import("drizzle-orm/pglite");
    const target = url.slice("pglite:".length);
    if (target !== "memory") fs.mkdirSync(target, { recursive: true });
    const client = target === "memory" ? new PGlite() : new PGlite(target);
    const db = drizzle({ client, schema, casing: "snake_case" }) as unknown as Db;
    if (options.migrate) {
      const { migrate } = await import("drizzle-orm/pglite/migrator");
      await migrate(db as never, { migrationsFolder: MIGRATIONS_FOLDER });
    }
    return { db, close: () => client.close() };
  }
  if (url.startsWith("postgres://") || url.startsWith("postgresql://")) {
    const { default: postgres } = await import("postgres");
    const { drizzle } = await import("drizzle-orm/postgres-js");
    const client = postgres(url, { max: 10, onnotice: () => {} });
    const db = drizzle({ client, schema, casing: "snake_case" }) as unknown as Db;
    if (options.migrate) {
      const { migrate } = await import("drizzle-orm/postgres-js/migrator");
      await migrate(db as never, { migrationsFolder: MIGRATIONS_FOLDER });
    }
    return { db, close: () => client.end({ timeout: 5 }) };
  }
  throw new Error("DATABASE_URL must start with postgres://, postgresql:// or pglite:");
}

// Kept on globalThis: Next.js may load this module once per bundle layer, and two PGlite
// instances on one folder silently lose data.
const DB = Symbol.for("wearables.db");
type GlobalWithDb = typeof globalThis & { [DB]?: Promise<OpenDatabase> };

/**
 * The process's database. PGlite (the embedded default) is migrated in this process on first use,
 * since it is the only process that may open its folder; PostgreSQL is migrated by `npm start`
 * (or `npm run db:migrate`) before the app serves, except in development where it is done here.
 */
export function getDb(): Promise<Db> {
  const g = globalThis as GlobalWithDb;
  if (!g[DB]) {
    const { databaseUrl, env } = config();
    const migrate = databaseUrl.startsWith("pglite:") || env !== "production";
    g[DB] = openDatabase(databaseUrl, { migrate });
    g[DB].catch(() => delete g[DB]);
  }
  return g[DB].then((open) => open.db);
}

/** Tests install their own database (a fresh PGlite or a throw-away PostgreSQL database). */
export function setDatabaseForTesting(open: OpenDatabase | undefined): void {
  const g = globalThis as GlobalWithDb;
  if (open) g[DB] = Promise.resolve(open);
  else delete g[DB];
}

export async function closeDb(): Promise<void> {
  const g = globalThis as GlobalWithDb;
  const open = g[DB];
  delete g[DB];
  if (open) await (await open).close();
}
