/**
 * `npm run bench:webhooks`: webhook ingestion on a production build with PostgreSQL.
 *
 * 1. Builds the app (`next build` into `.next-bench`, or BENCH_DIST_DIR; BENCH_SKIP_BUILD=1 reuses it).
 * 2. Starts a throw-away PostgreSQL (or uses BENCH_DATABASE_URL, a database this script may fill) and
 *    seeds BENCH_USERS users, each with an Oura and a WHOOP connection.
 * 3. Starts `next start` with bench client credentials for Oura and WHOOP and Inngest as the job
 *    runner, its event API answered by a stand-in in this script (so the figures are the route's:
 *    verify, durable inbox write, event hand-off; processing is Inngest's work, measured elsewhere).
 * 4. With autocannon on the same machine, in one run: the no-op route (GET /api/health: HTTP + one
 *    database round trip) as the ceiling, then signed Oura and signed WHOOP notifications, each one
 *    a new event (fresh signature, timestamp and event key). Between runs the server's RSS is sampled.
 * 5. Prints requests/s, p50/p99 latency, lost notifications (answered 2xx but without an inbox row,
 *    checked by event key: must be 0), events handed to Inngest, peak RSS, and each notification run's ratio to the ceiling.
 *
 * A measurement, not a test: it fails only if something breaks.
 */
import { createHmac, randomUUID } from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import type { ChildProcess } from "node:child_process";
import autocannon from "autocannon";
import { TEST_NEXTAUTH_SECRET, TEST_TOKEN_ENCRYPTION_KEYS } from "../lib/testing/test-secrets";
import { benchDatabase, buildUnlessSkipped, productionEnv, freePort, startServer, waitFor } from "./bench-server";

const DURATION_S = Number(process.env.BENCH_DURATION ?? 15);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const USERS = Number(process.env.BENCH_USERS ?? 500);
const OURA = { id: "bench-oura-client", secret: "bench-oura-secret-a1b2c3d4" };
const WHOOP = { id: "bench-whoop-client", secret: "bench-whoop-secret-e5f6a7b8" };

/** Targets from the issue. */
const TARGET = { rps: 2000, p99: 50, ratio: 0.5, rssMb: 350 };

async function seed(databaseUrl: string): Promise<void> {
  const { openDatabase } = await import("../lib/db/client");
  const { connections, users } = await import("../lib/db/schema");
  const open = await openDatabase(databaseUrl, { migrate: true });
  try {
    const created = await open.db
      .insert(users)
      .values(
        Array.from({ length: USERS }, (_, i) => ({
          email: `bench-webhooks-${i}-${Date.now()}@example.test`,
          passwordHash: "!bench",
        })),
      )
      .returning({ id: users.id });
    await open.db.insert(connections).values(
      created.flatMap((u, i) => [
        { userId: u.id, provider: "oura", providerUserId: `oura-bench-${i}`, backfilledAt: new Date() },
        { userId: u.id, provider: "whoop", providerUserId: String(10_000 + i), backfilledAt: new Date() },
      ]),
    );
    console.info(`Seeded ${USERS} users with an Oura and a WHOOP connection each.`);
  } finally {
    await open.close();
  }
}

/** How many of these event keys have their inbox row (a 2xx is only sent after the row is written). */
async function inboxRowsFor(databaseUrl: string, provider: string, eventKeys: string[]): Promise<number> {
  const { default: postgres } = await import("postgres");
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  try {
    const [row] = await sql<{ n: number }[]>`
      select count(*)::int as n from webhook_inbox where provider = ${provider} and event_key = any(${eventKeys})`;
    return row!.n;
  } finally {
    await sql.end({ timeout: 5 });
  }
}

/** Inngest's event API, answered here: counts the events the app hands off. */
async function startEventApi(): Promise<{ url: string; events: () => number; close: () => void }> {
  let events = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      let n = 0;
      try {
        const body: unknown = JSON.parse(Buffer.concat(chunks).toString("utf8"));
        n = Array.isArray(body) ? body.length : 1;
      } catch {
        n = 0;
      }
      events += n;
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ ids: Array.from({ length: n }, () => randomUUID()), status: 200 }));
    });
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${port}`, events: () => events, close: () => server.close() };
}

/** Resident memory of a process and its descendants, in MB (Linux /proc). */
function rssMb(rootPid: number): number {
  const children = new Map<number, number[]>();
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // gone meanwhile
    }
  }
  let kb = 0;
  const walk = (pid: number) => {
    try {
      const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
      kb += Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
    } catch {
      return;
    }
    for (const child of children.get(pid) ?? []) walk(child);
  };
  walk(rootPid);
  return kb / 1024;
}

type Signer = () => { body: string; headers: Record<string, string>; eventKey: string };

let sequence = 0;

function ouraSigner(): Signer {
  return () => {
    const n = sequence++;
    const eventTime = new Date().toISOString();
    const body = JSON.stringify({
      event_type: "update",
      data_type: "daily_sleep",
      object_id: `bench-doc-${n}`,
      event_time: eventTime,
      user_id: `oura-bench-${n % USERS}`,
    });
    const ts = String(Math.floor(Date.now() / 1000));
    const signature = createHmac("sha256", OURA.secret)
      .update(ts + body)
      .digest("hex")
      .toUpperCase();
    return {
      body,
      headers: { "content-type": "application/json", "x-oura-timestamp": ts, "x-oura-signature": signature },
      eventKey: `update:daily_sleep:bench-doc-${n}:${eventTime}`,
    };
  };
}

function whoopSigner(): Signer {
  return () => {
    const n = sequence++;
    const id = randomUUID();
    const body = JSON.stringify({
      user_id: 10_000 + (n % USERS),
      id,
      type: "sleep.updated",
      trace_id: `t-${n}`,
    });
    const ts = String(Date.now());
    const signature = createHmac("sha256", WHOOP.secret)
      .update(ts + body)
      .digest("base64");
    return {
      body,
      headers: {
        "content-type": "application/json",
        "x-whoop-signature-timestamp": ts,
        "x-whoop-signature": signature,
      },
      eventKey: `sleep.updated:${id}:t-${n}`,
    };
  };
}

interface RunResult {
  rps: number;
  p50: number;
  p99: number;
  ok: number;
  other: number;
  errors: number;
  peakRssMb: number;
  /** Event keys of the notifications answered 2xx (each must have its inbox row). */
  acceptedKeys: string[];
}

async function load(url: string, pid: number, options: { signer?: Signer; duration: number }): Promise<RunResult> {
  let peak = rssMb(pid);
  const acceptedKeys: string[] = [];
  const sampler = setInterval(() => (peak = Math.max(peak, rssMb(pid))), 250);
  try {
    const result = await autocannon({
      url,
      connections: CONNECTIONS,
      duration: options.duration,
      requests: [
        options.signer
          ? {
              method: "POST",
              setupRequest: (request, context: object) => {
                const { body, headers, eventKey } = options.signer!();
                (context as { eventKey?: string }).eventKey = eventKey;
                return { ...request, method: "POST", body, headers };
              },
              onResponse: (status: number, _body: string, context: object) => {
                if (status >= 200 && status < 300) acceptedKeys.push((context as { eventKey: string }).eventKey);
              },
            }
          : { method: "GET" },
      ],
    });
    return {
      rps: result.requests.average,
      p50: result.latency.p50,
      p99: result.latency.p99,
      ok: result["2xx"],
      other: result.non2xx,
      errors: result.errors + result.timeouts,
      peakRssMb: peak,
      acceptedKeys,
    };
  } finally {
    clearInterval(sampler);
  }
}

async function main() {
  buildUnlessSkipped();

  const database = await benchDatabase();
  const databaseUrl = database.url;
  const eventApi = await startEventApi();
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const env = productionEnv(databaseUrl, port, {
    OURA_CLIENT_ID: OURA.id,
    OURA_CLIENT_SECRET: OURA.secret,
    WHOOP_CLIENT_ID: WHOOP.id,
    WHOOP_CLIENT_SECRET: WHOOP.secret,
    JOB_RUNNER: "inngest",
    INNGEST_EVENT_KEY: "bench-event-key",
    INNGEST_SIGNING_KEY: "signkey-prod-00000000000000000000000000000000",
    INNGEST_EVENT_API_BASE_URL: eventApi.url,
  });
  Object.assign(process.env, {
    DATABASE_URL: databaseUrl,
    NEXTAUTH_SECRET: TEST_NEXTAUTH_SECRET,
    TOKEN_ENCRYPTION_KEYS: TEST_TOKEN_ENCRYPTION_KEYS,
  });

  let server: ChildProcess | undefined;
  try {
    await seed(databaseUrl);
    server = startServer(env, port);
    await waitFor(`${base}/api/health`);
    const pid = server.pid!;
    const idleRss = rssMb(pid);

    console.info(`Warming up (3 s per route, ${CONNECTIONS} connections)…`);
    await load(`${base}/api/health`, pid, { duration: 3 });
    await load(`${base}/api/v1/webhooks/oura`, pid, { signer: ouraSigner(), duration: 3 });
    await load(`${base}/api/v1/webhooks/whoop`, pid, { signer: whoopSigner(), duration: 3 });
    const eventsBefore = eventApi.events();

    console.info(`Measuring ${DURATION_S} s per route…`);
    const ceiling = await load(`${base}/api/health`, pid, { duration: DURATION_S });
    const oura = await load(`${base}/api/v1/webhooks/oura`, pid, { signer: ouraSigner(), duration: DURATION_S });
    const whoop = await load(`${base}/api/v1/webhooks/whoop`, pid, { signer: whoopSigner(), duration: DURATION_S });
    // Requests still in flight when a run ends finish meanwhile.
    await new Promise((r) => setTimeout(r, 2000));
    const written = {
      oura: await inboxRowsFor(databaseUrl, "oura", oura.acceptedKeys),
      whoop: await inboxRowsFor(databaseUrl, "whoop", whoop.acceptedKeys),
    };
    const events = eventApi.events() - eventsBefore;

    const line = (name: string, r: RunResult, extra = "") =>
      console.info(
        `  ${name.padEnd(34)} ${r.rps.toFixed(0).padStart(6)} req/s   p50 ${String(r.p50).padStart(4)} ms   p99 ${String(r.p99).padStart(4)} ms   2xx ${r.ok}   other ${r.other}   errors ${r.errors}   peak RSS ${r.peakRssMb.toFixed(0)} MB${extra}`,
      );
    console.info("\n=== bench:webhooks ===");
    console.info(`autocannon, ${CONNECTIONS} connections, ${DURATION_S} s per route, same machine as the server:`);
    line("no-op ceiling (GET /api/health)", ceiling);
    line("Oura signed notifications", oura, `   ×${(oura.rps / ceiling.rps).toFixed(2)} ceiling`);
    line("WHOOP signed notifications", whoop, `   ×${(whoop.rps / ceiling.rps).toFixed(2)} ceiling`);
    console.info(
      `  Lost (answered 2xx, no inbox row): Oura ${oura.acceptedKeys.length - written.oura} of ${oura.acceptedKeys.length}, ` +
        `WHOOP ${whoop.acceptedKeys.length - written.whoop} of ${whoop.acceptedKeys.length}   (events handed to Inngest: ${events})`,
    );
    const peak = Math.max(ceiling.peakRssMb, oura.peakRssMb, whoop.peakRssMb);
    console.info(`  Server RSS: idle ${idleRss.toFixed(0)} MB, peak ${peak.toFixed(0)} MB`);
    const slower = oura.rps < whoop.rps ? oura : whoop;
    console.info(
      `  Targets: ≥ ${TARGET.rps} req/s (${slower.rps >= TARGET.rps ? "met" : "NOT met"}), p99 ≤ ${TARGET.p99} ms (${Math.max(oura.p99, whoop.p99) <= TARGET.p99 ? "met" : "NOT met"}), ` +
        `≥ ${TARGET.ratio} of the ceiling (${slower.rps / ceiling.rps >= TARGET.ratio ? "met" : "NOT met"}), RSS ≤ ${TARGET.rssMb} MB (${peak <= TARGET.rssMb ? "met" : "NOT met"}), 0 lost (${oura.acceptedKeys.length === written.oura && whoop.acceptedKeys.length === written.whoop ? "met" : "NOT met"})`,
    );
  } finally {
    server?.kill("SIGTERM");
    eventApi.close();
    await database.stop();
  }
}

await main();
