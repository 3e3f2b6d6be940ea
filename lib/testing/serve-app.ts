import { afterAll, beforeAll } from "vitest";
import { drainInProcessJobs } from "@/lib/jobs/in-process";
import { startAppServer, type AppServer } from "./app-server";

/**
 * Serves the app's route handlers for the current test file (started before its tests, stopped
 * after them, once its in-process jobs have drained). Providers named in `sandboxFor` lose any
 * live credentials so they run on their sandboxes; `sandboxNow` pins the sandboxes' clock so that
 * data which grows during the day (today's steps) is the same for a backfill and its re-run.
 */
export function serveAppForTests(options: { sandboxFor?: string[]; sandboxNow?: Date } = {}): { readonly url: string } {
  let server: AppServer | undefined;
  beforeAll(async () => {
    for (const provider of options.sandboxFor ?? []) {
      delete process.env[`${provider.toUpperCase()}_CLIENT_ID`];
      delete process.env[`${provider.toUpperCase()}_CLIENT_SECRET`];
    }
    if (options.sandboxNow) process.env.SANDBOX_NOW = options.sandboxNow.toISOString();
    server = await startAppServer();
  });
  afterAll(async () => {
    await drainInProcessJobs();
    await server?.close();
    delete process.env.SANDBOX_NOW;
  });
  return {
    get url() {
      if (!server) throw new Error("The app server starts in beforeAll; use it inside tests");
      return server.url;
    },
  };
}
