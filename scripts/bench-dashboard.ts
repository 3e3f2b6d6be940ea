/**
 * `npm run bench:dashboard`: the dashboard's figures on a production build with PostgreSQL.
 *
 * 1. Builds the app (`next build` into `.next-bench`, or BENCH_DIST_DIR; BENCH_SKIP_BUILD=1 reuses that build).
 * 2. Starts a throw-away PostgreSQL (or uses BENCH_DATABASE_URL, a database this script may fill)
 *    and seeds one user with two years × four providers of every metric in the vocabulary.
 * 3. Starts `next start` on it and measures, in one run, round-robin so every route sees the same
 *    conditions: p50/p95 server time of the health route (the floor: HTTP + one database round
 *    trip), the tiles' data, and each detail view at 365 days.
 * 4. First-load JavaScript of `/` and `/accounts`: every script the page's HTML references
 *    (gzip-compressed here, as a CDN would serve them); chart code loaded later is not counted.
 * 5. Time from navigation to the tile values being visible, in Chromium.
 *
 * Prints the figures; it is a measurement, not a test, and fails only if something breaks.
 */
import type { ChildProcess } from "node:child_process";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { chromium } from "@playwright/test";
import { eachDayOfInterval, format, subDays } from "date-fns";
import { encode } from "next-auth/jwt";
import { TEST_NEXTAUTH_SECRET, TEST_TOKEN_ENCRYPTION_KEYS } from "../lib/testing/test-secrets";
import {
  benchDatabase,
  buildUnlessSkipped,
  productionEnv,
  freePort,
  startServer,
  summary,
  timeRoutes,
  waitFor,
} from "./bench-server";

const PROVIDERS = ["oura", "whoop", "withings", "garmin"] as const;
const CATEGORIES = ["sleep", "readiness", "activity", "heart", "stress", "body"] as const;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 100);
const BROWSER_RUNS = Number(process.env.BENCH_BROWSER_RUNS ?? 10);

const ms = (x: number) => `${x.toFixed(1)} ms`;
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} kB`;

/** A plausible value for a metric of this unit (the figures measure volume, not realism). */
function sampleValue(unit: string, i: number, provider: number): number {
  const wave = Math.sin(i / 5 + provider);
  switch (unit) {
    case "s":
      return 3600 * (1 + wave * 0.2 + provider * 0.1);
    case "steps":
      return Math.round(8000 + 3000 * wave);
    case "kcal":
      return Math.round(600 + 200 * wave);
    case "kg":
      return 75 + wave;
    case "°C":
      return 0.2 * wave;
    case "bpm":
      return 55 + 5 * wave;
    case "ms":
      return 45 + 10 * wave;
    default:
      return Math.round(70 + 15 * wave);
  }
}

async function seed(databaseUrl: string): Promise<{ userId: string }> {
  const { openDatabase } = await import("../lib/db/client");
  const { dailyMetrics, users } = await import("../lib/db/schema");
  const { METRICS } = await import("../lib/metrics/vocabulary");
  const open = await openDatabase(databaseUrl, { migrate: true });
  try {
    const [user] = await open.db
      .insert(users)
      // No password: this user signs in only through the session cookie the script mints.
      .values({ email: `bench-${Date.now()}@example.test`, passwordHash: "!bench-no-password" })
      .returning({ id: users.id });
    const today = new Date();
    const days = eachDayOfInterval({ start: subDays(today, 729), end: today }).map((d) => format(d, "yyyy-MM-dd"));
    let batch: (typeof dailyMetrics.$inferInsert)[] = [];
    let total = 0;
    const flush = async () => {
      if (batch.length === 0) return;
      await open.db.insert(dailyMetrics).values(batch);
      total += batch.length;
      batch = [];
    };
    for (const [metric, def] of Object.entries(METRICS))
      for (const [p, provider] of PROVIDERS.entries())
        for (const [i, day] of days.entries()) {
          batch.push({ userId: user!.id, provider, metric, day, value: sampleValue(def.unit, i, p), unit: def.unit });
          if (batch.length >= 5000) await flush();
        }
    await flush();
    await open.db.execute((await import("drizzle-orm")).sql`analyze daily_metrics`);
    console.info(
      `Seeded ${total.toLocaleString("en")} daily values (${days.length} days × ${PROVIDERS.length} providers × every metric).`,
    );
    return { userId: user!.id };
  } finally {
    await open.close();
  }
}

/**
 * Every script the HTML of a page references (script tags, preloads and the RSC payload's chunk lists),
 * except the `noModule` polyfills, which no browser that runs modules downloads; those are reported apart.
 */
async function firstLoadJs(base: string, pathname: string, cookie: string) {
  const html = await (await fetch(`${base}${pathname}`, { headers: { cookie } })).text();
  const noModule = new Set(
    (html.match(/<script\b[^>]*>/gi) ?? [])
      .filter((tag) => /\bnomodule\b/i.test(tag))
      .flatMap((tag) => /\bsrc="([^"]+)"/.exec(tag)?.[1] ?? [])
      .map((src) => new URL(src, base).pathname),
  );
  const all = [...new Set(html.match(/\/_next\/static\/[^"'\s\\]+?\.js/g) ?? [])];
  const chunks = all.filter((c) => !noModule.has(c));
  let polyfillGzip = 0;
  for (const chunk of noModule)
    polyfillGzip += gzipSync(Buffer.from(await (await fetch(`${base}${chunk}`)).arrayBuffer())).length;
  let raw = 0;
  let gzip = 0;
  const sizes: { chunk: string; gzip: number }[] = [];
  for (const chunk of chunks) {
    const body = Buffer.from(await (await fetch(`${base}${chunk}`)).arrayBuffer());
    const zipped = gzipSync(body).length;
    raw += body.length;
    gzip += zipped;
    sizes.push({ chunk: path.basename(chunk), gzip: zipped });
  }
  const hasRecharts = await Promise.all(
    chunks.map(async (c) => (await (await fetch(`${base}${c}`)).text()).includes("recharts")),
  );
  return { chunks: chunks.length, raw, gzip, polyfillGzip, rechartsInFirstLoad: hasRecharts.some(Boolean), sizes };
}

async function timeToTiles(base: string, cookieValue: string) {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
  });
  try {
    const results: { visible: number; fcp: number }[] = [];
    for (let i = 0; i < BROWSER_RUNS + 1; i++) {
      // A fresh context each time: no cached scripts, like a first visit of the day.
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      await context.addCookies([{ name: "next-auth.session-token", value: cookieValue, url: base }]);
      const page = await context.newPage();
      await page.goto(`${base}/`, { waitUntil: "commit" });
      await page.waitForFunction(
        () => /\d/.test(document.querySelector('section[aria-label="Sleep"] p.text-5xl span')?.textContent ?? ""),
        undefined,
        { polling: "raf", timeout: 30_000 },
      );
      const visible = await page.evaluate(() => performance.now());
      const fcp = await page.evaluate(
        () => performance.getEntriesByName("first-contentful-paint")[0]?.startTime ?? Number.NaN,
      );
      if (i > 0) results.push({ visible, fcp }); // the first visit warms the server
      await context.close();
    }
    return { visible: summary(results.map((r) => r.visible)), fcp: summary(results.map((r) => r.fcp)) };
  } finally {
    await browser.close();
  }
}

async function main() {
  buildUnlessSkipped();

  const database = await benchDatabase();
  const databaseUrl = database.url;

  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const env = productionEnv(databaseUrl, port, {
    JOB_RUNNER: "in-process",
  });
  Object.assign(process.env, {
    DATABASE_URL: databaseUrl,
    NEXTAUTH_SECRET: TEST_NEXTAUTH_SECRET,
    TOKEN_ENCRYPTION_KEYS: TEST_TOKEN_ENCRYPTION_KEYS,
  });

  let server: ChildProcess | undefined;
  try {
    const { userId } = await seed(databaseUrl);
    const token = await encode({ token: { sub: userId }, secret: TEST_NEXTAUTH_SECRET });
    const cookie = `next-auth.session-token=${token}`;

    server = startServer(env, port);
    await waitFor(`${base}/api/health`);

    const routes: Record<string, string> = {
      "health (GET /api/health)": "/api/health",
      "tiles (GET /api/v1/dashboard/tiles)": "/api/v1/dashboard/tiles",
      ...Object.fromEntries(CATEGORIES.map((c) => [`detail ${c}, 365 days`, `/api/v1/trends/${c}?range=365`])),
    };
    console.info(`\nTiming ${Object.keys(routes).length} routes × ${ROUNDS} rounds (round-robin)…`);
    const timings = await timeRoutes(base, cookie, routes, ROUNDS);

    const js = { "/": await firstLoadJs(base, "/", cookie), "/accounts": await firstLoadJs(base, "/accounts", cookie) };
    console.info(`Opening / in Chromium ${BROWSER_RUNS} times…`);
    const browser = await timeToTiles(base, token);

    console.info("\n=== bench:dashboard ===");
    console.info("Server time per request (measured at the client on loopback; health = HTTP + one DB round trip):");
    // The ratio against the health route of the same run: comparable between machines and loads.
    const floor = timings["health (GET /api/health)"]!;
    for (const [name, t] of Object.entries(timings))
      console.info(
        `  ${name.padEnd(40)} p50 ${ms(t.p50).padStart(9)} (×${(t.p50 / floor.p50).toFixed(1)} health)   p95 ${ms(t.p95).padStart(9)} (×${(t.p95 / floor.p95).toFixed(1)})   (n=${t.n})`,
      );
    console.info("First-load JavaScript (scripts referenced by the page's HTML):");
    for (const [page, r] of Object.entries(js))
      console.info(
        `  ${page.padEnd(10)} ${kb(r.gzip).padStart(9)} gzip  (${kb(r.raw)} raw, ${r.chunks} chunks; recharts in first load: ${r.rechartsInFirstLoad ? "YES" : "no"}; noModule polyfills, not fetched by Chromium: ${kb(r.polyfillGzip)})`,
      );
    console.info("Chromium, navigation → Sleep tile value visible (fresh context each visit):");
    console.info(
      `  p50 ${ms(browser.visible.p50)}   p95 ${ms(browser.visible.p95)}   (first contentful paint p50 ${ms(browser.fcp.p50)}, n=${browser.visible.n})`,
    );
  } finally {
    server?.kill("SIGTERM");
    await database.stop();
  }
}

await main();
