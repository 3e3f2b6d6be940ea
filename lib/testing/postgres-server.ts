import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";

/**
 * Finds or starts the PostgreSQL server that the `int-postgres` test project runs against.
 * Imported by vitest.config.ts, so it must not use the `@/` alias or any app module.
 */

export type PostgresSource =
  { kind: "url"; url: string } | { kind: "binaries"; binDir: string } | { kind: "missing"; reason: string };

/** Where Debian's packages (and this project's machines) put the server binaries, besides PATH. */
export function defaultBinaryDirs(): string[] {
  return ["/usr/local/bin", ...listPostgresLibDirs()];
}

function listPostgresLibDirs(): string[] {
  const root = "/usr/lib/postgresql";
  if (!fs.existsSync(root)) return [];
  // Newest major version first.
  return fs
    .readdirSync(root)
    .sort((a, b) => Number(b) - Number(a))
    .map((version) => path.join(root, version, "bin"));
}

function hasServerBinaries(dir: string): boolean {
  return ["initdb", "pg_ctl", "postgres"].every((name) => fs.existsSync(path.join(dir, name)));
}

/** Where the real-PostgreSQL pass gets its server: TEST_DATABASE_URL, local binaries, or nowhere (and why). */
export function locatePostgres(
  env: Record<string, string | undefined> = process.env,
  binaryDirs: string[] = defaultBinaryDirs(),
): PostgresSource {
  if (env.TEST_DATABASE_URL) return { kind: "url", url: env.TEST_DATABASE_URL };
  const pathDirs = (env.PATH ?? "").split(path.delimiter).filter(Boolean);
  for (const dir of [...pathDirs, ...binaryDirs]) {
    if (hasServerBinaries(dir)) return { kind: "binaries", binDir: dir };
  }
  return {
    kind: "missing",
    reason:
      "TEST_DATABASE_URL is not set and no PostgreSQL server binaries (initdb, pg_ctl, postgres) were found " +
      "on PATH, in /usr/local/bin or in /usr/lib/postgresql/*/bin. " +
      "Install them (apt-get install -y postgresql) or point TEST_DATABASE_URL at a server whose user may CREATE DATABASE.",
  };
}

export function postgresMissingBanner(reason: string): string {
  const line = "!".repeat(100);
  return [
    "",
    line,
    "!!  THE REAL-POSTGRESQL TEST PASS (int-postgres) DID NOT RUN.",
    "!!  Integration tests ran against PGlite only; PostgreSQL-specific behaviour is UNTESTED.",
    `!!  Why: ${reason}`,
    "!!  (Under CI=true this is a failure, not a warning.)",
    line,
    "",
  ].join("\n");
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port")),
      );
    });
  });
}

export interface ThrowawayPostgres {
  url: string;
  stop(): Promise<void>;
}

/**
 * Creates a cluster in a temporary folder and starts it on a free port (trust auth, loopback only).
 * initdb and pg_ctl refuse to run as root, so as root they run as the `postgres` user, who must own the folder.
 */
export async function startThrowawayPostgres(binDir: string): Promise<ThrowawayPostgres> {
  const isRoot = process.getuid?.() === 0;
  const baseDir = fs.mkdtempSync(path.join(os.tmpdir(), "wd-pg-"));
  const dataDir = path.join(baseDir, "data");
  const socketDir = path.join(baseDir, "sock");
  const logFile = path.join(baseDir, "server.log");
  fs.mkdirSync(socketDir);

  let asPostgres: (file: string, args: string[]) => [string, string[]] = (file, args) => [file, args];
  if (isRoot) {
    const owner = userIds("postgres");
    fs.chmodSync(baseDir, 0o755);
    fs.chownSync(baseDir, owner.uid, owner.gid);
    fs.chownSync(socketDir, owner.uid, owner.gid);
    asPostgres = (file, args) => ["runuser", ["-u", "postgres", "--", file, ...args]];
  }

  const run = (name: string, args: string[]) => {
    const [file, argv] = asPostgres(path.join(binDir, name), args);
    const result = spawnSync(file, argv, { encoding: "utf8", cwd: baseDir });
    if (result.status !== 0) {
      const log = fs.existsSync(logFile) ? fs.readFileSync(logFile, "utf8").slice(-2000) : "";
      throw new Error(
        `${name} ${args.join(" ")} failed (exit ${result.status ?? result.signal}):\n${result.stderr}${result.stdout}${log}`,
      );
    }
  };

  try {
    run("initdb", ["-D", dataDir, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync"]);
    const port = await freePort();
    // fsync off: a throw-away test cluster does not need durability, and it saves a lot of time.
    const options = `-p ${port} -k ${socketDir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200`;
    run("pg_ctl", ["-D", dataDir, "-l", logFile, "-o", options, "-w", "-t", "60", "start"]);
    return {
      url: `postgres://postgres@127.0.0.1:${port}/postgres`,
      async stop() {
        try {
          run("pg_ctl", ["-D", dataDir, "-m", "immediate", "-w", "stop"]);
        } finally {
          fs.rmSync(baseDir, { recursive: true, force: true });
        }
      },
    };
  } catch (error) {
    fs.rmSync(baseDir, { recursive: true, force: true });
    throw error;
  }
}

function userIds(name: string): { uid: number; gid: number } {
  try {
    const uid = Number(execFileSync("id", ["-u", name], { encoding: "utf8" }).trim());
    const gid = Number(execFileSync("id", ["-g", name], { encoding: "utf8" }).trim());
    return { uid, gid };
  } catch {
    throw new Error(
      `Running as root, so initdb must run as the "${name}" user, which does not exist. ` +
        "Install the postgresql package (it creates that user) or set TEST_DATABASE_URL.",
    );
  }
}
