import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { listProviders } from "@/lib/providers";
import {
  CONFIGURATION_VARIABLE_PATTERNS,
  TEST_CONFIGURATION,
  clearConfiguration,
  isConfigurationVariable,
  pinTestConfiguration,
} from "./hermetic-env";

const root = path.resolve(import.meta.dirname, "../..");
const providerIds = listProviders().map((p) => p.id.toUpperCase());

/** Every variable name the README's Configuration table mentions, `<PROVIDER>` expanded for each provider. */
function readmeConfigurationVariables(): string[] {
  const readme = fs.readFileSync(path.join(root, "README.md"), "utf8");
  const section = readme.split(/^## Configuration\s*$/m)[1]?.split(/^#{2,3} /m)[0];
  if (!section) throw new Error("README.md has no '## Configuration' section");
  const rows = section.split("\n").filter((line) => line.startsWith("| `"));
  const names = new Set<string>();
  for (const row of rows) {
    for (const [, code] of row.matchAll(/`([^`]+)`/g)) {
      const name = /^([A-Z][A-Z0-9_]*(?:<[A-Z]+>[A-Z0-9_]*)*)(?:=.*)?$/.exec(code!)?.[1];
      if (!name) continue;
      const expanded = name.includes("<") ? providerIds.map((id) => name.replace(/<[A-Z]+>/g, id)) : [name];
      for (const n of expanded) names.add(n);
    }
  }
  return [...names];
}

/** The variables lib/config.ts's schema reads. */
function configSchemaVariables(): string[] {
  const source = fs.readFileSync(path.join(root, "lib/config.ts"), "utf8");
  const schema = /const envSchema = z\.object\(\{([\s\S]*?)\n\}\)/.exec(source)?.[1];
  if (!schema) throw new Error("lib/config.ts has no envSchema = z.object({...})");
  return [...schema.matchAll(/^\s+([A-Z][A-Z0-9_]*):/gm)].map((m) => m[1]!);
}

describe("hermetic test environment", () => {
  it("covers every variable of the README's Configuration table", () => {
    const names = readmeConfigurationVariables();
    // The table itself: a parse that found nothing would make this test pass vacuously.
    expect(names).toEqual(expect.arrayContaining(["APP_URL", "DATABASE_URL", "SANDBOX_NOW", "OURA_CLIENT_ID"]));
    expect(names.filter((name) => !isConfigurationVariable(name))).toEqual([]);
  });

  it("covers every variable lib/config.ts reads (NODE_ENV is pinned rather than cleared)", () => {
    const names = configSchemaVariables();
    expect(names).toContain("APP_URL");
    expect(names.filter((name) => !isConfigurationVariable(name) && !(name in TEST_CONFIGURATION))).toEqual([]);
  });

  it("covers each provider's live credentials and sandbox rate limit", () => {
    for (const id of providerIds) {
      for (const name of [`${id}_CLIENT_ID`, `${id}_CLIENT_SECRET`, `SANDBOX_${id}_RATE_LIMIT`]) {
        expect(isConfigurationVariable(name), name).toBe(true);
      }
    }
  });

  it("leaves the suite's own and unrelated variables alone", () => {
    for (const name of ["TEST_DATABASE_URL", "CI", "PATH", "HOME", "CHROMIUM_PATH", "E2E_PORT", "NEXT_DIST_DIR"]) {
      expect(isConfigurationVariable(name), name).toBe(false);
    }
    expect(CONFIGURATION_VARIABLE_PATTERNS.length).toBeGreaterThan(0);
  });

  it("replaces a hostile outer environment with the test configuration", () => {
    const env: Record<string, string | undefined> = {
      PATH: "/usr/bin",
      TEST_DATABASE_URL: "postgres://example.invalid/x",
      APP_URL: "http://example.invalid:4321",
      DATABASE_URL: "postgres://example.invalid/nothing",
      DATA_DIR: "/nonexistent",
      TOKEN_ENCRYPTION_KEYS: "broken",
      NEXTAUTH_SECRET: "outer",
      NEXTAUTH_URL: "http://example.invalid",
      ENABLE_SANDBOX: "false",
      JOB_RUNNER: "inngest",
      INNGEST_EVENT_KEY: "k",
      INNGEST_SIGNING_KEY: "signkey-prod-00",
      INNGEST_DEV: "1",
      INNGEST_BASE_URL: "http://example.invalid:8288",
      SANDBOX_NOW: "2001-01-01T00:00:00Z",
      SANDBOX_OURA_RATE_LIMIT: "3",
      OURA_CLIENT_ID: "live",
      GARMIN_CLIENT_SECRET: "live",
    };
    pinTestConfiguration({ DATA_DIR: "/tmp/wd-test" }, env);
    expect(env).toEqual({
      ...TEST_CONFIGURATION,
      DATA_DIR: "/tmp/wd-test",
      PATH: "/usr/bin",
      TEST_DATABASE_URL: "postgres://example.invalid/x",
    });
  });

  it("was applied to this very process by the unit setup file", () => {
    const outer = Object.keys(process.env).filter(isConfigurationVariable);
    expect(outer.sort()).toEqual(
      Object.keys(TEST_CONFIGURATION).filter(isConfigurationVariable).concat("DATA_DIR").sort(),
    );
    for (const [name, value] of Object.entries(TEST_CONFIGURATION)) expect(process.env[name], name).toBe(value);
    expect(clearConfiguration({ PATH: "/bin" })).toEqual([]);
  });
});
