/**
 * `npm run bench:schedule`: the crons' planners at 10,000, 100,000 and 1,000,000 active
 * connections on PostgreSQL, each next to one bare statement doing the same plan in one go, with
 * the peak memory of this process (medians of a few repetitions below a million, as the machine is
 * noisy); then, for a user with two years of polls, `GET /api/v1/connections` against
 * `GET /api/health` over HTTP on a production build (`next start`), and the Accounts query itself.
 * A script, not a test: it prints figures.
 *
 * PostgreSQL: TEST_DATABASE_URL (a server whose user may CREATE DATABASE), or a throw-away server
 * started from the local binaries, as the integration tests do. `--sizes=10000,100000` to choose;
 * `--no-http` skips the HTTP part. The build is the one bench:dashboard uses (`.next-bench` or
 * BENCH_DIST_DIR; BENCH_SKIP_BUILD=1 reuses it).
 */
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { ChildProcess } from "node:child_process";
import { sql } from "drizzle-orm";
import { encode } from "next-auth/jwt";
import { locatePostgres, startThrowawayPostgres, type ThrowawayPostgres } from "@/lib/testing/postgres-server";
import { TEST_NEXTAUTH_SECRET, TEST_TOKEN_ENCRYPTION_KEYS } from "@/lib/testing/test-secrets";
import { buildUnlessSkipped, DIST_DIR, freePort, startServer, timeRoutes, waitFor } from "./bench-server";

const sizesArg = process.argv.find((a) => a.startsWith("--sizes="));
const SIZES = sizesArg ? sizesArg.slice(8).split(",").map(Number) : [10_000, 100_000, 1_000_000];
const HISTORY_RUNS = 35_040; // two years of polls every two hours, over four providers
const LATENCY_SAMPLES = 200;
const HTTP = !process.argv.includes("--no-http");
/** Repetitions per measurement (the figures are medians): more where a run is short and noise large. */
const repetitions = (size: number) => (size < 100_000 ? 5 : size < 1_000_000 ? 3 : 1);

const gc = (globalThis as { gc?: () => void }).gc;

/** Samples this process's RSS every 10 ms while `work` runs; returns its time and peak RSS. */
async function measure<T>(work: () => Promise<T>): Promise<{ ms: number; peakRss: number; idleRss: number; value: T }> {
  gc?.();
  await new Promise((r) => setTimeout(r, 50));
  const idleRss = process.memoryUsage().rss;
  let peakRss = idleRss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 10);
  const started = performance.now();
  try {
    const value = await work();
    return { ms: performance.now() - started, peakRss: Math.max(peakRss, process.memoryUsage().rss), idleRss, value };
  } finally {
    clearInterval(sampler);
  }
}

/**
 * Runs `bare` and `planned` `times` times, alternating, so both see the same machine; returns the
 * median time of each and the highest peak RSS above idle seen by the planner.
 */
async function compare(
  times: number,
  bare: () => Promise<unknown>,
  planned: () => Promise<number>,
  between: { afterBare?: () => Promise<unknown>; afterPlanned?: () => Promise<unknown> } = {},
): Promise<{ bareMs: number; plannedMs: number; peakAboveIdle: number; planned: number }> {
  const bareMs: number[] = [];
  const plannedMs: number[] = [];
  let peakAboveIdle = 0;
  let count = 0;
  for (let i = 0; i < times; i++) {
    bareMs.push((await measure(bare)).ms);
    await between.afterBare?.();
    const run = await measure(planned);
    plannedMs.push(run.ms);
    peakAboveIdle = Math.max(peakAboveIdle, run.peakRss - run.idleRss);
    count = run.value;
    if (i < times - 1) await between.afterPlanned?.();
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  return { bareMs: median(bareMs), plannedMs: median(plannedMs), peakAboveIdle, planned: count };
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
const secs = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

async function main() {
  if (HTTP) buildUnlessSkipped();
  let server: ThrowawayPostgres | undefined;
  let serverUrl = process.env.TEST_DATABASE_URL;
  if (!serverUrl) {
    const source = locatePostgres();
    if (source.kind !== "binaries") throw new Error(source.kind === "missing" ? source.reason : "no server");
    server = await startThrowawayPostgres(source.binDir);
    serverUrl = server.url;
  }
  const { default: postgres } = await import("postgres");
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  const name = `wd_bench_${crypto.randomBytes(4).toString("hex")}`;
  await admin.unsafe(`CREATE DATABASE "${name}"`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;

  // The app's modules read their configuration from the environment on first use.
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "wd-bench-"));
  Object.assign(process.env, { DATABASE_URL: url.toString(), DATA_DIR: dataDir, JOB_RUNNER: "in-process" });
  const { openDatabase, setDatabaseForTesting, closeDb } = await import("@/lib/db/client");
  const schedule = await import("@/lib/sync/schedule");
  const { listProviderCards } = await import("@/lib/connections/service");
  setDatabaseForTesting(await openDatabase(url.toString(), { migrate: true }));
  const { getDb } = await import("@/lib/db/client");
  const db = await getDb();
  const exec = (query: ReturnType<typeof sql>) => db.execute(query);

  console.log(
    `PostgreSQL ${(await admin`show server_version`)[0]!.server_version}, ${os.cpus().length} cores, Node ${process.version}${gc ? "" : " (run with --expose-gc for steadier memory figures)"}`,
  );
  console.log("");
  console.log("Medians of alternating runs of each: 5 below 100,000 connections, 3 below a million, then one.");
  console.log(
    "| Connections | Seed | Plan polls (batched) | Bare INSERT … SELECT | Ratio | Peak RSS above idle | Plan refreshes (batched) | Bare INSERT … SELECT | Ratio | Peak RSS above idle |",
  );
  console.log("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");

  const now = new Date();
  let seeded = 0;
  for (const size of SIZES) {
    // Grow the same tables to the next size (seeding is the slow part at a million).
    const seed = await measure(async () => {
      await exec(sql`
        insert into users (email, password_hash)
        select 'bench-' || g || '@example.test', 'x' from generate_series(${seeded + 1}::int, ${size}::int) g`);
      await exec(sql`
        insert into connections (user_id, provider, status, backfilled_at, token_expires_at)
        select u.id, (array['oura', 'whoop', 'withings', 'garmin'])[1 + (hashtext(u.email) & 3)], 'active',
          now() - interval '1 day', now() + (abs(hashtext(u.email)) % 120) * interval '1 minute'
        from users u
        where u.email like 'bench-%' and not exists (select 1 from connections c where c.user_id = u.id)`);
      await exec(sql`analyze`);
    });
    seeded = size;

    const inRolledBackTransaction = (query: ReturnType<typeof sql>) =>
      db
        .transaction(async (tx) => {
          await tx.execute(query);
          tx.rollback();
        })
        .catch((error: Error) => {
          if (!/rollback/i.test(error.message) && error.name !== "TransactionRollbackError") throw error;
        });

    const times = repetitions(size);
    // Polls: the same plan as one statement (rolled back) and as keyset batches.
    const polls = await compare(
      times,
      () => inRolledBackTransaction(schedule.planStatement({ now })),
      async () => {
        let after: string | null = null;
        let planned = 0;
        for (;;) {
          const batch = await schedule.planPollBatch({ after, now });
          // What the fan-out step builds from the batch, then lets go of.
          planned += batch.items.map((p) => ({ name: "x", data: p, id: p.syncRunId, ts: p.dueAt })).length;
          if (!batch.next) return planned;
          after = batch.next;
        }
      },
      {
        // The rolled-back rows leave dead index entries; clear them so both start from the same table.
        afterBare: () => exec(sql`vacuum analyze sync_runs`),
        afterPlanned: async () => {
          await exec(sql`truncate sync_runs`);
          await exec(sql`vacuum analyze sync_runs`);
        },
      },
    );
    if (polls.planned !== size) throw new Error(`planned ${polls.planned} polls for ${size} connections`);
    await exec(sql`truncate sync_runs`);

    // Refreshes: every token expires within two hours, so all of them are planned (the worst case).
    const cutoff = new Date(now.getTime() + 3 * 60 * 60 * 1000);
    await exec(
      sql`create table if not exists bench_refresh_plan (id uuid, provider text, token_expires_at timestamptz)`,
    );
    const bareRefreshStatement = sql`
      insert into bench_refresh_plan
      select id, provider, token_expires_at from connections
      where status = 'active' and token_expires_at is not null and token_expires_at < ${cutoff.toISOString()}::timestamptz
      order by token_expires_at, id`;
    const refreshes = await compare(
      times,
      () => inRolledBackTransaction(bareRefreshStatement),
      async () => {
        let after: string | null = null;
        let planned = 0;
        for (;;) {
          const batch = await schedule.expiringTokensBatch({ cutoff, after });
          planned += batch.items.map((c) => ({ name: "x", data: c, id: `refresh-${c.connectionId}` })).length;
          if (!batch.next) return planned;
          after = batch.next;
        }
      },
    );
    if (refreshes.planned !== size) throw new Error(`planned ${refreshes.planned} refreshes for ${size} connections`);

    console.log(
      `| ${size.toLocaleString("en")} | ${secs(seed.ms)} | ${secs(polls.plannedMs)} | ${secs(polls.bareMs)} | ${(polls.plannedMs / polls.bareMs).toFixed(2)}× | ${mb(polls.peakAboveIdle)} | ${secs(refreshes.plannedMs)} | ${secs(refreshes.bareMs)} | ${(refreshes.plannedMs / refreshes.bareMs).toFixed(2)}× | ${mb(refreshes.peakAboveIdle)} |`,
    );
  }

  // The Accounts query for a user with two years of polls, called directly, against the health
  // route's query; then over HTTP below.
  const [user] = (await exec(sql`
    insert into users (email, password_hash) values ('history@example.test', 'x') returning id`)) as Array<{
    id: string;
  }>;
  await exec(sql`
    insert into connections (user_id, provider, status, backfilled_at)
    select ${user!.id}::uuid, p, 'active', now() from unnest(array['oura', 'whoop', 'withings', 'garmin']) p`);
  await exec(sql`
    insert into sync_runs (connection_id, user_id, provider, kind, status, progress, metrics_written, created_at, started_at, finished_at)
    select c.id, c.user_id, c.provider, 'poll', case when g % 50 = 0 then 'failed' else 'succeeded' end, 100, 12,
      now() - g * interval '2 hours', now() - g * interval '2 hours', now() - g * interval '2 hours' + interval '20 seconds'
    from connections c, generate_series(1, ${HISTORY_RUNS / 4}::int) g
    where c.user_id = ${user!.id}::uuid`);
  await exec(sql`analyze`);
  const p50 = async (fn: () => Promise<unknown>) => {
    for (let i = 0; i < 20; i++) await fn();
    const times: number[] = [];
    for (let i = 0; i < LATENCY_SAMPLES; i++) {
      const t = performance.now();
      await fn();
      times.push(performance.now() - t);
    }
    return times.sort((a, b) => a - b)[Math.floor(times.length / 2)]!;
  };
  const cards = await p50(() => listProviderCards(user!.id));
  const health = await p50(() => exec(sql`select 1`));
  const previous = await p50(() =>
    exec(sql`
      select distinct on (connection_id) * from sync_runs
      where connection_id in (select id from connections where user_id = ${user!.id}::uuid)
      order by connection_id, created_at desc`),
  );
  console.log("");
  console.log(
    `Accounts query for a user with ${HISTORY_RUNS.toLocaleString("en")} runs (listProviderCards, called directly; p50 of ${LATENCY_SAMPLES}):`,
  );
  console.log(`| listProviderCards | health route query (select 1) | ratio | the previous DISTINCT ON query alone |`);
  console.log(`| ---: | ---: | ---: | ---: |`);
  console.log(
    `| ${cards.toFixed(2)} ms | ${health.toFixed(2)} ms | ${(cards / health).toFixed(1)}× | ${previous.toFixed(2)} ms |`,
  );

  if (HTTP) {
    // The same user over HTTP: the route's whole work (session, query, JSON) against the health
    // route's (HTTP plus one database round trip). Jobs run "on Inngest" here, i.e. not in this
    // server, so no cron plans the benchmark's connections while it is measured.
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    let app: ChildProcess | undefined;
    try {
      app = startServer(
        {
          ...process.env,
          NODE_ENV: "production",
          NEXT_DIST_DIR: DIST_DIR,
          NEXT_TELEMETRY_DISABLED: "1",
          DATABASE_URL: url.toString(),
          APP_URL: base,
          PORT: String(port),
          NEXTAUTH_SECRET: TEST_NEXTAUTH_SECRET,
          TOKEN_ENCRYPTION_KEYS: TEST_TOKEN_ENCRYPTION_KEYS,
          ENABLE_SANDBOX: "false",
          JOB_RUNNER: "inngest",
        },
        port,
      );
      await waitFor(`${base}/api/health`);
      const cookie = `next-auth.session-token=${await encode({ token: { sub: user!.id }, secret: TEST_NEXTAUTH_SECRET })}`;
      const timings = await timeRoutes(
        base,
        cookie,
        { health: "/api/health", accounts: "/api/v1/connections" },
        LATENCY_SAMPLES,
      );
      console.log("");
      console.log(
        `Over HTTP (next start, production build; round-robin, ${LATENCY_SAMPLES} rounds after 10 warm-up rounds):`,
      );
      console.log(`| GET /api/v1/connections p50 | GET /api/health p50 | ratio | p95s |`);
      console.log(`| ---: | ---: | ---: | ---: |`);
      console.log(
        `| ${timings.accounts!.p50.toFixed(2)} ms | ${timings.health!.p50.toFixed(2)} ms | ${(timings.accounts!.p50 / timings.health!.p50).toFixed(2)}× | ${timings.accounts!.p95.toFixed(2)} ms / ${timings.health!.p95.toFixed(2)} ms |`,
      );
    } finally {
      app?.kill("SIGTERM");
    }
  }

  await closeDb();
  await admin.unsafe(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await admin.end({ timeout: 5 });
  await server?.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
}

await main();
