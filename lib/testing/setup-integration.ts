import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, inject } from "vitest";
import { pinTestConfiguration } from "./hermetic-env";

/**
 * Setup file of the integration projects: every `*.int.test.ts` file gets its own freshly migrated
 * database (in-memory PGlite, or a new database on a real PostgreSQL server) and its own DATA_DIR.
 * Everything happens at import time, before the test file itself is imported, so module-level code
 * in the code under test already sees the test configuration and database.
 */

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "wd-int-"));
// Whatever the shell has (APP_URL, DATABASE_URL, live client credentials, Inngest keys…) is dropped first.
pinTestConfiguration({ DATA_DIR: dataDir });

// Imported only now, after the environment above is in place.
const { resetConfig } = await import("@/lib/config");
const { openDatabase, setDatabaseForTesting, closeDb } = await import("@/lib/db/client");

let dropDatabase: (() => Promise<void>) | undefined;

afterAll(async () => {
  await closeDb();
  await dropDatabase?.();
  resetConfig();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

if (inject("integrationDatabase") === "postgres") {
  const serverUrl = inject("postgresServerUrl");
  const name = `wd_test_${crypto.randomBytes(6).toString("hex")}`;
  await adminQuery(serverUrl, `CREATE DATABASE "${name}"`);
  dropDatabase = () => adminQuery(serverUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  process.env.DATABASE_URL = url.toString();
} else {
  process.env.DATABASE_URL = "pglite:memory";
}
resetConfig();
setDatabaseForTesting(await openDatabase(process.env.DATABASE_URL, { migrate: true }));
// As at server startup: events the services send are delivered to the jobs (lib/jobs).
const { connectEventsToJobs } = await import("@/lib/jobs/send");
connectEventsToJobs();

async function adminQuery(serverUrl: string, statement: string): Promise<void> {
  const { default: postgres } = await import("postgres");
  const sql = postgres(serverUrl, { max: 1, onnotice: () => {} });
  try {
    await sql.unsafe(statement);
  } finally {
    await sql.end({ timeout: 5 });
  }
}
