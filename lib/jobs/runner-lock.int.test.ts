import { describe, expect, it } from "vitest";
import { config } from "@/lib/config";
import { acquireRunnerLock } from "./runner-lock";

/**
 * One in-process job runner per database. On PostgreSQL a second instance finds the advisory lock
 * taken and is told why; on PGlite there is nothing to lock (one process per data folder).
 */
describe("in-process runner lock", () => {
  const url = () => config().databaseUrl;

  it("lets one instance run jobs and refuses a second one, saying why, until the first lets go", async () => {
    const first = await acquireRunnerLock(url());
    expect(first.acquired).toBe(true);
    try {
      const second = await acquireRunnerLock(url());
      if (url().startsWith("pglite:")) {
        // PGlite: the data folder itself admits one process, so the runner takes no lock.
        expect(second.acquired).toBe(true);
        await second.release();
        return;
      }
      expect(second.acquired).toBe(false);
      expect(!second.acquired && second.reason).toMatch(/Another app instance already runs the in-process job runner/);
      expect(!second.acquired && second.reason).toMatch(/Inngest/);
    } finally {
      await first.release();
    }
    // The lock goes with the session that held it: the next instance may run jobs.
    const third = await acquireRunnerLock(url());
    expect(third.acquired).toBe(true);
    await third.release();
  });
});
