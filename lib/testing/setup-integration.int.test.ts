import { sql } from "drizzle-orm";
import { describe, expect, inject, it } from "vitest";
import { config } from "@/lib/config";
import { getDb } from "@/lib/db/client";
import { users } from "@/lib/db/schema";
import { TEST_TOKEN_ENCRYPTION_KEYS } from "./test-secrets";

// Checks the integration setup itself: each file gets its own migrated database of the right kind.
describe("integration test setup", () => {
  it("configures the test environment before app code reads it", () => {
    const current = config();
    expect(current.env).toBe("test");
    expect(current.jobRunner).toBe("in-process");
    expect(current.encryptionKeys.map((k) => k.id)).toEqual(["test1"]);
    expect(process.env.TOKEN_ENCRYPTION_KEYS).toBe(TEST_TOKEN_ENCRYPTION_KEYS);
    expect(current.dataDir).toContain("wd-int-");
    // Pinned whatever the shell says (lib/testing/hermetic-env.ts).
    expect(current.appUrl.origin).toBe("http://localhost:3000");
    expect(current.sandboxEnabled).toBe(true);
    expect(process.env.SANDBOX_NOW).toBeUndefined();
    expect(process.env.INNGEST_EVENT_KEY).toBeUndefined();
  });

  it("installs a migrated database of the project's kind", async () => {
    const db = await getDb();
    const rows = await db.select().from(users);
    expect(rows).toEqual([]);
    // postgres.js returns the rows, PGlite a result object holding them.
    const raw: unknown = await db.execute(sql`select current_database() as name`);
    const result = raw as { name: string }[] | { rows: { name: string }[] };
    const name = (Array.isArray(result) ? result : result.rows)[0]?.name;
    if (inject("integrationDatabase") === "postgres") {
      expect(config().databaseUrl).toMatch(/^postgres:\/\//);
      expect(name).toMatch(/^wd_test_[0-9a-f]{12}$/);
    } else {
      expect(config().databaseUrl).toBe("pglite:memory");
      expect(name).toBe("postgres");
    }
  });
});
