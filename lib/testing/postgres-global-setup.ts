import type { TestProject } from "vitest/node";
import { locatePostgres, postgresMissingBanner, startThrowawayPostgres } from "./postgres-server";

/**
 * globalSetup of the `int-postgres` project: provides the server URL that each test file creates
 * its own database on. Uses TEST_DATABASE_URL when set, otherwise starts a throw-away server.
 */
export default async function setup(project: TestProject) {
  const source = locatePostgres();
  if (source.kind === "missing") {
    // vitest.config.ts leaves this project out when PostgreSQL is missing outside CI; reaching
    // here means CI, where an untested PostgreSQL path must fail the run.
    throw new Error(postgresMissingBanner(source.reason));
  }
  if (source.kind === "url") {
    project.provide("postgresServerUrl", source.url);
    return;
  }
  const server = await startThrowawayPostgres(source.binDir);
  project.provide("postgresServerUrl", server.url);
  return async () => {
    await server.stop();
  };
}
