import fs from "node:fs";
import path from "node:path";
import crypto from "node:crypto";
import { z } from "zod";

/**
 * All runtime configuration, read once from the environment.
 *
 * Development needs nothing set: the database is PGlite in DATA_DIR, every provider without
 * client credentials uses its local sandbox, jobs run in-process, and the token key and
 * next-auth secret are generated into DATA_DIR (with a warning). A production process refuses
 * to start without the secrets it cannot safely invent.
 */

const envSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  APP_URL: z.url().default("http://localhost:3000"),
  DATA_DIR: z.string().min(1).default(".data"),
  DATABASE_URL: z.string().min(1).optional(),
  TOKEN_ENCRYPTION_KEYS: z.string().min(1).optional(),
  NEXTAUTH_SECRET: z.string().min(1).optional(),
  ENABLE_SANDBOX: z.enum(["true", "false"]).optional(),
  JOB_RUNNER: z.enum(["inngest", "in-process"]).optional(),
  INNGEST_EVENT_KEY: z.string().optional(),
  INNGEST_DEV: z.string().optional(),
  TRUST_PROXY: z
    .string()
    .regex(/^(true|false|\d{1,2})$/, "TRUST_PROXY must be false, true or the number of proxies in front of the app")
    .optional(),
});

export type JobRunner = "inngest" | "in-process";

export interface EncryptionKey {
  id: string;
  key: Buffer;
}

export interface AppConfig {
  env: "development" | "production" | "test";
  appUrl: URL;
  dataDir: string;
  /** `postgres://…` for PostgreSQL, `pglite:<dir>` or `pglite:memory` for the embedded database. */
  databaseUrl: string;
  /** The first key encrypts; every key decrypts. */
  encryptionKeys: EncryptionKey[];
  nextAuthSecret: string;
  sandboxEnabled: boolean;
  jobRunner: JobRunner;
  /**
   * How many reverse proxies in front of the app append the client's address to X-Forwarded-For
   * (TRUST_PROXY; `true` = 1). 0: the header is not trusted at all (see lib/http/client-address.ts).
   */
  trustedProxies: number;
  warnings: string[];
}

export class ConfigError extends Error {
  override name = "ConfigError";
}

const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;

/** Parses `id:base64,id:base64`; each key must decode to exactly 32 bytes (AES-256). */
export function parseEncryptionKeys(raw: string): EncryptionKey[] {
  const keys = raw
    .split(",")
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part) => {
      const sep = part.indexOf(":");
      if (sep <= 0) throw new ConfigError("TOKEN_ENCRYPTION_KEYS entries must look like id:base64key");
      const id = part.slice(0, sep);
      if (!KEY_ID.test(id)) throw new ConfigError(`TOKEN_ENCRYPTION_KEYS key id "${id}" must match ${KEY_ID}`);
      const key = Buffer.from(part.slice(sep + 1), "base64");
      if (key.length !== 32) throw new ConfigError(`TOKEN_ENCRYPTION_KEYS key "${id}" must be 32 bytes of base64`);
      return { id, key };
    });
  if (keys.length === 0) throw new ConfigError("TOKEN_ENCRYPTION_KEYS is empty");
  if (new Set(keys.map((k) => k.id)).size !== keys.length)
    throw new ConfigError("TOKEN_ENCRYPTION_KEYS has a repeated key id");
  return keys;
}

interface DevSecrets {
  tokenEncryptionKeys: string;
  nextAuthSecret: string;
}

/** Development only: secrets generated once into the data folder so restarts keep decrypting. */
function loadOrCreateDevSecrets(dataDir: string, warnings: string[]): DevSecrets {
  const file = path.join(dataDir, "dev-secrets.json");
  if (fs.existsSync(file)) return JSON.parse(fs.readFileSync(file, "utf8")) as DevSecrets;
  fs.mkdirSync(dataDir, { recursive: true });
  const secrets: DevSecrets = {
    tokenEncryptionKeys: `dev1:${crypto.randomBytes(32).toString("base64")}`,
    nextAuthSecret: crypto.randomBytes(32).toString("base64url"),
  };
  fs.writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  warnings.push(
    `Generated a development token-encryption key and next-auth secret in ${file}. ` +
      "Set TOKEN_ENCRYPTION_KEYS and NEXTAUTH_SECRET for anything but local development.",
  );
  return secrets;
}

export function loadConfig(env: Record<string, string | undefined> = process.env): AppConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(`Invalid configuration: ${z.prettifyError(parsed.error)}`);
  }
  const e = parsed.data;
  const warnings: string[] = [];
  const production = e.NODE_ENV === "production";
  const dataDir = path.resolve(e.DATA_DIR);

  if (production) {
    const missing = [
      !e.TOKEN_ENCRYPTION_KEYS &&
        "TOKEN_ENCRYPTION_KEYS (comma-separated id:base64-32-byte keys that encrypt provider tokens)",
      !e.NEXTAUTH_SECRET && "NEXTAUTH_SECRET (signs session cookies)",
    ].filter(Boolean);
    if (missing.length) {
      throw new ConfigError(
        `Refusing to start in production without ${missing.join(" and ")}. ` +
          "Generate a key with: node -e \"console.log('k1:'+require('crypto').randomBytes(32).toString('base64'))\"",
      );
    }
  }

  const devSecrets =
    !e.TOKEN_ENCRYPTION_KEYS || !e.NEXTAUTH_SECRET ? loadOrCreateDevSecrets(dataDir, warnings) : undefined;
  const encryptionKeys = parseEncryptionKeys(e.TOKEN_ENCRYPTION_KEYS ?? devSecrets!.tokenEncryptionKeys);
  const nextAuthSecret = e.NEXTAUTH_SECRET ?? devSecrets!.nextAuthSecret;

  const databaseUrl = e.DATABASE_URL ?? `pglite:${path.join(dataDir, "pglite")}`;
  if (!e.DATABASE_URL && production) {
    warnings.push(`No DATABASE_URL: using the embedded PGlite database in ${dataDir}. Run one process only.`);
  }

  const inngestConfigured = Boolean(e.INNGEST_EVENT_KEY || e.INNGEST_DEV);
  const jobRunner: JobRunner = e.JOB_RUNNER ?? (inngestConfigured ? "inngest" : "in-process");
  if (production && !e.JOB_RUNNER && !inngestConfigured) {
    // Falling back to in-process jobs silently would double every cron once a second instance starts.
    throw new ConfigError(
      "Refusing to start in production without a job runner: set INNGEST_EVENT_KEY and INNGEST_SIGNING_KEY " +
        "(Inngest, any number of instances), or JOB_RUNNER=in-process to run jobs inside this single instance " +
        "(a PostgreSQL advisory lock keeps any second instance from running them too).",
    );
  }
  if (jobRunner === "in-process" && production) {
    warnings.push(
      "Jobs run in-process (JOB_RUNNER=in-process): one instance runs them; a second instance refuses to. Use Inngest to scale out.",
    );
  }

  const sandboxEnabled = e.ENABLE_SANDBOX ? e.ENABLE_SANDBOX === "true" : !production;
  const trustedProxies =
    !e.TRUST_PROXY || e.TRUST_PROXY === "false" ? 0 : e.TRUST_PROXY === "true" ? 1 : Number(e.TRUST_PROXY);

  return {
    env: e.NODE_ENV,
    appUrl: new URL(e.APP_URL),
    dataDir,
    databaseUrl,
    encryptionKeys,
    nextAuthSecret,
    sandboxEnabled,
    jobRunner,
    trustedProxies,
    warnings,
  };
}

const CONFIG = Symbol.for("wearables.config");
type GlobalWithConfig = typeof globalThis & { [CONFIG]?: AppConfig };

/** The process-wide configuration, loaded on first use (warnings are printed once). */
export function config(): AppConfig {
  const g = globalThis as GlobalWithConfig;
  if (!g[CONFIG]) {
    const loaded = loadConfig();
    for (const warning of loaded.warnings) console.warn(`\n⚠️  ${warning}\n`);
    g[CONFIG] = loaded;
  }
  return g[CONFIG];
}

/** Tests change the environment between cases; this drops the cached configuration. */
export function resetConfig(): void {
  delete (globalThis as GlobalWithConfig)[CONFIG];
}

/** An absolute URL on this app, built from APP_URL (never from request headers). */
export function appUrl(pathname: string): string {
  return new URL(pathname, config().appUrl).toString();
}

/**
 * A provider's live client credentials (`<ID>_CLIENT_ID` and `<ID>_CLIENT_SECRET`), or undefined
 * when either is missing, in which case the provider runs on its sandbox (where enabled).
 */
export function liveProviderCredentials(providerId: string): { clientId: string; clientSecret: string } | undefined {
  const prefix = providerId.toUpperCase();
  const clientId = process.env[`${prefix}_CLIENT_ID`];
  const clientSecret = process.env[`${prefix}_CLIENT_SECRET`];
  return clientId && clientSecret ? { clientId, clientSecret } : undefined;
}
