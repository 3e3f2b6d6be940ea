/**
 * What the HTTP benchmarks share: a production build, `next start` on a free port, and timing
 * routes round-robin (so every route sees the same conditions on a noisy machine).
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import net from "node:net";
import path from "node:path";
import { locatePostgres, startThrowawayPostgres } from "../lib/testing/postgres-server";
import { TEST_NEXTAUTH_SECRET, TEST_TOKEN_ENCRYPTION_KEYS } from "../lib/testing/test-secrets";

export const ROOT = path.resolve(import.meta.dirname, "..");
/** The build both benchmarks use: `.next-bench` unless BENCH_DIST_DIR says otherwise. */
export const DIST_DIR = process.env.BENCH_DIST_DIR || ".next-bench";

/** `next build` into DIST_DIR, unless BENCH_SKIP_BUILD=1 (reuse that build). */
export function buildUnlessSkipped(): void {
  if (process.env.BENCH_SKIP_BUILD === "1") return;
  console.info("Building the app (production)…");
  const build = spawnSync(process.execPath, ["node_modules/next/dist/bin/next", "build"], {
    cwd: ROOT,
    stdio: "inherit",
    env: { ...process.env, NODE_ENV: "production", NEXT_DIST_DIR: DIST_DIR, NEXT_TELEMETRY_DISABLED: "1" },
  });
  if (build.status !== 0) throw new Error("next build failed");
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port")),
      );
    });
  });
}

function percentile(sorted: number[], p: number): number {
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

export function summary(samples: number[]): { p50: number; p95: number; n: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p95: percentile(sorted, 95), n: sorted.length };
}

/** `next start` on the production build in DIST_DIR (env must carry NEXT_DIST_DIR). */
export function startServer(env: NodeJS.ProcessEnv, port: number): ChildProcess {
  const child = spawn(process.execPath, ["node_modules/next/dist/bin/next", "start", "-p", String(port)], {
    cwd: ROOT,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stderr?.on("data", (chunk: Buffer) => process.stderr.write(chunk));
  return child;
}

export async function waitFor(url: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${url} did not answer within ${timeoutMs / 1000} s`);
}

/** p50/p95 per route over `rounds` round-robin rounds, after 10 warm-up rounds. */
export async function timeRoutes(base: string, cookie: string, routes: Record<string, string>, rounds: number) {
  const timings: Record<string, number[]> = Object.fromEntries(Object.keys(routes).map((k) => [k, []]));
  const once = async (url: string) => {
    const start = performance.now();
    const res = await fetch(url, { headers: { cookie } });
    await res.arrayBuffer();
    if (!res.ok) throw new Error(`${url} answered ${res.status}`);
    return performance.now() - start;
  };
  // Warm-up: compile caches, connection pool, JIT.
  for (let i = 0; i < 10; i++) for (const url of Object.values(routes)) await once(`${base}${url}`);
  for (let round = 0; round < rounds; round++)
    for (const [name, url] of Object.entries(routes)) timings[name]!.push(await once(`${base}${url}`));
  return Object.fromEntries(Object.entries(timings).map(([name, samples]) => [name, summary(samples)]));
}

/** BENCH_DATABASE_URL, or a throw-away PostgreSQL server (stop it when done). */
export async function benchDatabase(): Promise<{ url: string; stop: () => Promise<void> }> {
  if (process.env.BENCH_DATABASE_URL) return { url: process.env.BENCH_DATABASE_URL, stop: async () => {} };
  const source = locatePostgres({ PATH: process.env.PATH });
  if (source.kind !== "binaries")
    throw new Error("PostgreSQL server binaries not found; install them or set BENCH_DATABASE_URL");
  const postgres = await startThrowawayPostgres(source.binDir);
  return { url: postgres.url, stop: () => postgres.stop() };
}

/** The production server's environment for a benchmark run on `port` against `databaseUrl`. */
export function productionEnv(
  databaseUrl: string,
  port: number,
  extra: Record<string, string> = {},
): NodeJS.ProcessEnv {
  return {
    ...process.env,
    NODE_ENV: "production",
    NEXT_DIST_DIR: DIST_DIR,
    NEXT_TELEMETRY_DISABLED: "1",
    DATABASE_URL: databaseUrl,
    APP_URL: `http://127.0.0.1:${port}`,
    PORT: String(port),
    NEXTAUTH_SECRET: TEST_NEXTAUTH_SECRET,
    TOKEN_ENCRYPTION_KEYS: TEST_TOKEN_ENCRYPTION_KEYS,
    ENABLE_SANDBOX: "false",
    ...extra,
  };
}
