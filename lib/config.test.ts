import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig, parseEncryptionKeys } from "./config";

const b64 = (byte: number) => Buffer.alloc(32, byte).toString("base64");
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), "wd-config-"));

describe("configuration", () => {
  it("parses comma-separated id:base64 keys, first one first", () => {
    const keys = parseEncryptionKeys(`new:${b64(2)}, old:${b64(1)}`);
    expect(keys.map((k) => k.id)).toEqual(["new", "old"]);
    expect(keys[0]!.key.equals(Buffer.alloc(32, 2))).toBe(true);
  });

  it.each([["k1:short"], [`:${b64(1)}`], [`bad id:${b64(1)}`], [`a:${b64(1)},a:${b64(2)}`], [""]])(
    "rejects %s",
    (raw) => {
      expect(() => parseEncryptionKeys(raw)).toThrow(ConfigError);
    },
  );

  it("refuses to start in production without the token key and the next-auth secret, saying why", () => {
    expect(() => loadConfig({ NODE_ENV: "production", DATA_DIR: tmp() })).toThrow(
      /TOKEN_ENCRYPTION_KEYS.*NEXTAUTH_SECRET/s,
    );
    expect(() => loadConfig({ NODE_ENV: "production", DATA_DIR: tmp(), NEXTAUTH_SECRET: "x" })).toThrow(
      /TOKEN_ENCRYPTION_KEYS/,
    );
    expect(() => loadConfig({ NODE_ENV: "production", DATA_DIR: tmp(), TOKEN_ENCRYPTION_KEYS: `k:${b64(1)}` })).toThrow(
      /NEXTAUTH_SECRET/,
    );
  });

  it("generates development secrets once into the data folder, with a warning", () => {
    const dir = tmp();
    const first = loadConfig({ NODE_ENV: "development", DATA_DIR: dir });
    expect(first.warnings.join(" ")).toMatch(/Generated a development token-encryption key/);
    const second = loadConfig({ NODE_ENV: "development", DATA_DIR: dir });
    expect(second.warnings).toEqual([]);
    expect(second.encryptionKeys[0]!.key.equals(first.encryptionKeys[0]!.key)).toBe(true);
    expect(second.nextAuthSecret).toBe(first.nextAuthSecret);
    expect((fs.statSync(path.join(dir, "dev-secrets.json")).mode & 0o777).toString(8)).toBe("600");
  });

  it("enables sandboxes in development and only explicitly in production", () => {
    const secrets = { TOKEN_ENCRYPTION_KEYS: `k:${b64(1)}`, NEXTAUTH_SECRET: "s", DATA_DIR: tmp() };
    expect(loadConfig({ ...secrets, NODE_ENV: "development" }).sandboxEnabled).toBe(true);
    const production = { ...secrets, NODE_ENV: "production", JOB_RUNNER: "in-process" };
    expect(loadConfig(production).sandboxEnabled).toBe(false);
    expect(loadConfig({ ...production, ENABLE_SANDBOX: "true" }).sandboxEnabled).toBe(true);
  });

  it("chooses Inngest when it is configured, the in-process runner otherwise", () => {
    const secrets = { TOKEN_ENCRYPTION_KEYS: `k:${b64(1)}`, NEXTAUTH_SECRET: "s", DATA_DIR: tmp() };
    expect(loadConfig(secrets).jobRunner).toBe("in-process");
    expect(loadConfig({ ...secrets, INNGEST_DEV: "1" }).jobRunner).toBe("inngest");
    expect(loadConfig({ ...secrets, INNGEST_EVENT_KEY: "k" }).jobRunner).toBe("inngest");
  });

  it("in production, runs jobs in-process only when JOB_RUNNER=in-process says so", () => {
    const production = {
      TOKEN_ENCRYPTION_KEYS: `k:${b64(1)}`,
      NEXTAUTH_SECRET: "s",
      DATA_DIR: tmp(),
      NODE_ENV: "production",
    };
    expect(() => loadConfig(production)).toThrow(/without a job runner.*JOB_RUNNER=in-process/s);
    const explicit = loadConfig({ ...production, JOB_RUNNER: "in-process" });
    expect(explicit.jobRunner).toBe("in-process");
    expect(explicit.warnings.join(" ")).toMatch(/a second instance refuses/);
    expect(loadConfig({ ...production, INNGEST_EVENT_KEY: "k" }).jobRunner).toBe("inngest");
  });

  it("defaults to PGlite in the data folder and accepts a PostgreSQL URL", () => {
    const secrets = { TOKEN_ENCRYPTION_KEYS: `k:${b64(1)}`, NEXTAUTH_SECRET: "s", DATA_DIR: "/tmp/wd-x" };
    expect(loadConfig(secrets).databaseUrl).toBe("pglite:/tmp/wd-x/pglite");
    expect(loadConfig({ ...secrets, DATABASE_URL: "postgres://u@h/db" }).databaseUrl).toBe("postgres://u@h/db");
  });
});
