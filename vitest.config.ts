import path from "node:path";
import { defineConfig, type TestProjectInlineConfiguration, type ViteUserConfig } from "vitest/config";
import type { Reporter } from "vitest/node";
import { locatePostgres, postgresMissingBanner } from "./lib/testing/postgres-server.js";

/**
 * Three projects:
 * - unit: `*.test.ts`, no database.
 * - int-pglite: `*.int.test.ts`, each file on a fresh in-memory PGlite.
 * - int-postgres: the same files, each on a fresh database on a real PostgreSQL server
 *   (TEST_DATABASE_URL, or a throw-away server started by lib/testing/postgres-global-setup.ts).
 * Without any PostgreSQL the last project is left out with a loud warning, or fails the run under CI.
 * Every project's setup file pins the app's configuration (lib/testing/hermetic-env.ts), so the shell's
 * APP_URL, DATABASE_URL, client credentials… never change a result. TEST_DATABASE_URL is the one
 * outer setting the suite reads.
 */

const root = import.meta.dirname;
const isCI = Boolean(process.env.CI) && process.env.CI !== "false";
const postgres = locatePostgres();
const runPostgresPass = postgres.kind !== "missing" || isCI;

const integrationFiles = ["**/*.int.test.ts"];
const ignored = ["**/node_modules/**", "**/.next/**", "e2e/**", ".data/**"];

const integration = (name: string, database: "pglite" | "postgres"): TestProjectInlineConfiguration => ({
  extends: true,
  test: {
    name,
    include: integrationFiles,
    exclude: ignored,
    setupFiles: ["./lib/testing/setup-integration.ts"],
    provide: { integrationDatabase: database },
    // Backfills through the sandboxes take 5–25 s when both cores are busy (two files run at once).
    testTimeout: 90_000,
    hookTimeout: 60_000,
    ...(database === "postgres" ? { globalSetup: ["./lib/testing/postgres-global-setup.ts"] } : {}),
  },
});

const unit: TestProjectInlineConfiguration = {
  extends: true,
  test: {
    name: "unit",
    include: ["**/*.test.ts"],
    exclude: [...ignored, ...integrationFiles],
    setupFiles: ["./lib/testing/setup-unit.ts"],
    // CPU-bound cases (zxcvbn on a 256-character password) on a loaded 2-core machine take seconds.
    testTimeout: 30_000,
  },
};

/** Repeats the warning at the start and the end of the run, where nobody can miss it. */
function missingPostgresReporter(reason: string): Reporter {
  let integrationSelected = false;
  return {
    onInit(vitest) {
      integrationSelected = vitest.projects.some((project) => project.name === "int-pglite");
      if (integrationSelected) console.warn(postgresMissingBanner(reason));
    },
    onTestRunEnd() {
      if (integrationSelected) console.warn(postgresMissingBanner(reason));
    },
  };
}

const jsonReport = process.env.VITEST_JSON_REPORT;
const reporters: NonNullable<NonNullable<ViteUserConfig["test"]>["reporters"]> = ["default"];
// scripts/test.sh reads this file for the closing "N passed, N failed" line.
if (jsonReport) reporters.push("json");
if (postgres.kind === "missing" && !isCI) reporters.push(missingPostgresReporter(postgres.reason));

export default defineConfig({
  resolve: { alias: { "@": root } },
  test: {
    environment: "node",
    pool: "forks",
    // The machines have 2 cores; integration files also start databases.
    maxWorkers: 2,
    isolate: true,
    reporters,
    ...(jsonReport ? { outputFile: { json: path.resolve(jsonReport) } } : {}),
    projects: [
      unit,
      integration("int-pglite", "pglite"),
      ...(runPostgresPass ? [integration("int-postgres", "postgres")] : []),
    ],
  },
});
