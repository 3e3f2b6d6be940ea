import { TEST_NEXTAUTH_SECRET, TEST_TOKEN_ENCRYPTION_KEYS } from "./test-secrets";

/**
 * The test suite pins every setting it depends on, so it behaves the same whatever a developer or
 * CI has in the shell. Every variable of the README's Configuration table (and those the libraries
 * we configure read on their own: next-auth's NEXTAUTH_*, the Inngest SDK's INNGEST_*) is removed,
 * then the test values below are set. `hermetic-env.test.ts` fails when the README names a variable
 * that these patterns miss.
 *
 * Imported by vitest.config.ts's setup files and playwright.config.ts: no `@/` alias, no app modules.
 * TEST_DATABASE_URL is the suite's own setting (where the int-postgres pass gets its server) and is
 * kept; DATABASE_URL is always ignored (each integration file gets its own database).
 */
export const CONFIGURATION_VARIABLE_PATTERNS: readonly RegExp[] = [
  /^APP_URL$/,
  /^DATABASE_URL$/,
  /^DATA_DIR$/,
  /^TOKEN_ENCRYPTION_KEYS$/,
  /^NEXTAUTH_[A-Z0-9_]+$/,
  /^ENABLE_SANDBOX$/,
  /^JOB_RUNNER$/,
  /^TRUST_PROXY$/,
  /^INNGEST_[A-Z0-9_]+$/,
  // SANDBOX_NOW, SANDBOX_<PROVIDER>_RATE_LIMIT and any sandbox setting added later.
  /^SANDBOX_[A-Z0-9_]+$/,
  // <PROVIDER>_CLIENT_ID / <PROVIDER>_CLIENT_SECRET: live credentials switch a provider off its sandbox.
  /^[A-Z0-9]+_CLIENT_(ID|SECRET)$/,
];

export function isConfigurationVariable(name: string): boolean {
  return CONFIGURATION_VARIABLE_PATTERNS.some((pattern) => pattern.test(name));
}

/** What the app sees in every test: development-like defaults with fixed secrets, sandboxes on, jobs in-process. */
export const TEST_CONFIGURATION = {
  NODE_ENV: "test",
  APP_URL: "http://localhost:3000",
  TOKEN_ENCRYPTION_KEYS: TEST_TOKEN_ENCRYPTION_KEYS,
  NEXTAUTH_SECRET: TEST_NEXTAUTH_SECRET,
  ENABLE_SANDBOX: "true",
  JOB_RUNNER: "in-process",
} as const;

/** Deletes every configuration variable from `env` (in place) and returns the names it removed. */
export function clearConfiguration(env: Record<string, string | undefined> = process.env): string[] {
  const removed = Object.keys(env).filter(isConfigurationVariable);
  for (const name of removed) delete env[name];
  return removed;
}

/** Clears the outer configuration, then sets the test configuration plus `overrides`. */
export function pinTestConfiguration(
  overrides: Record<string, string> = {},
  env: Record<string, string | undefined> = process.env,
): void {
  clearConfiguration(env);
  Object.assign(env, TEST_CONFIGURATION, overrides);
}
