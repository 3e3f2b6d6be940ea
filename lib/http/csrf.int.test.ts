import { eq, sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { getDb } from "@/lib/db/client";
import { connections, syncRuns } from "@/lib/db/schema";
import { drainInProcessJobs } from "@/lib/jobs/in-process";
import { GARMIN_SANDBOX_EMAILS, GARMIN_SANDBOX_PASSWORD } from "@/lib/sandbox/garmin/accounts";
import { discoverRoutes, type DiscoveredRoute, type TestClient } from "@/lib/testing/app-server";
import { queryRows } from "@/lib/testing/query-rows";
import { connectThroughSandbox, signedInClient } from "@/lib/testing/oauth-journey";
import { serveAppForTests } from "@/lib/testing/serve-app";
import { STATE_CHANGING_METHODS } from "./csrf";

/**
 * CSRF: every state-changing route under app/ (found on disk, so a new route is covered or this
 * test fails until it is listed) refuses requests that did not come from the app's own pages,
 * and the refused request changes nothing in the database.
 */

const server = serveAppForTests({ sandboxFor: ["oura", "garmin"], sandboxNow: new Date(Date.now() - 60_000) });

/**
 * State-changing handlers that browsers never call, so an Origin check would be wrong: Inngest
 * calls /api/inngest server to server (its requests are signed), providers post webhooks, and the sandboxes' token and data
 * APIs are called by our server. The sandbox consent decision IS checked (see SAMPLE_PATHS).
 */
const NOT_BROWSER_FACING: Record<string, string> = {
  "/api/inngest": "Inngest's signed server-to-server calls",
  // Providers post notifications server to server, with no Origin; a signature (Oura, WHOOP) or an
  // unguessable per-connection path token (Withings) authenticates them (lib/webhooks/hostile-webhooks.int.test.ts).
  "/api/v1/webhooks/[provider]": "providers' signed webhook notifications",
  "/api/v1/webhooks/[provider]/[token]": "Withings' notifications to a per-connection token URL",
};

/** A concrete URL per route pattern (a connected provider, the sandbox consent decision…). */
const SAMPLE_PATHS: Record<string, string> = {
  "/api/auth/[...nextauth]": "/api/auth/callback/credentials",
  "/sandbox/[provider]/[...path]": "/sandbox/oura/oauth/decision",
};

/**
 * Routes that take a browser form, not JSON (the no-JavaScript sign-in and sign-up forms check
 * the origin themselves, with the same rule). Any other route is expected to be a JSON route.
 */
const FORM_ROUTES = new Set([
  "/api/auth/[...nextauth]",
  "/sandbox/[provider]/[...path]",
  "/sign-in/submit",
  "/sign-up/submit",
]);

function samplePath(route: DiscoveredRoute): string {
  if (SAMPLE_PATHS[route.pattern]) return SAMPLE_PATHS[route.pattern]!;
  return route.pattern.replace(/\[provider\]/g, "oura").replace(/\[[^\]]+\]/g, "sample");
}

/** A body that the route would accept if the request were allowed. */
function plausibleBody(path: string): string {
  if (path.startsWith("/api/v1/garmin/login"))
    return JSON.stringify({ email: GARMIN_SANDBOX_EMAILS.plain, password: GARMIN_SANDBOX_PASSWORD });
  if (path.startsWith("/api/v1/garmin/mfa")) return JSON.stringify({ challenge_id: "x", code: "123456" });
  if (path.startsWith("/api/v1/users"))
    return JSON.stringify({ email: `csrf-${Date.now()}@example.test`, password: "correct horse battery staple" });
  if (path.startsWith("/sandbox/")) return "decision=allow&account=ava";
  if (path.startsWith("/api/auth/") || path.startsWith("/sign-"))
    return `email=csrf-${Date.now()}%40example.test&password=correct+horse+battery+staple+42&csrfToken=x`;
  return "{}";
}

interface StateChangingRoute {
  pattern: string;
  path: string;
  method: string;
}

async function stateChangingRoutes(): Promise<StateChangingRoute[]> {
  const found: StateChangingRoute[] = [];
  for (const route of discoverRoutes()) {
    const mod = (await import(/* @vite-ignore */ route.file)) as Record<string, unknown>;
    for (const method of STATE_CHANGING_METHODS) {
      if (typeof mod[method] !== "function") continue;
      if (NOT_BROWSER_FACING[route.pattern]) continue;
      found.push({ pattern: route.pattern, path: samplePath(route), method });
    }
  }
  return found;
}

/** Every row of every table, as text: a refused request must leave it exactly as it was. */
async function snapshot(): Promise<string> {
  await drainInProcessJobs();
  const tables = await queryRows<{ table_name: string }>(
    sql`select table_name from information_schema.tables where table_schema = current_schema() and table_type = 'BASE TABLE' order by table_name`,
  );
  const parts: string[] = [];
  for (const { table_name: name } of tables) {
    const rows = await queryRows(sql`select * from ${sql.identifier(name)} order by 1`);
    parts.push(`${name}: ${JSON.stringify(rows)}`);
  }
  return parts.join("\n");
}

let client: TestClient;
let userId: string;
let cookie: string;

beforeAll(async () => {
  ({ client, userId } = await signedInClient(server.url));
  await connectThroughSandbox(client, "oura");
  cookie = `next-auth.session-token=${client.cookie("next-auth.session-token")}`;
});

/** A request with exactly these headers (no Origin unless given), carrying the victim's session. */
function forged(route: StateChangingRoute, headers: Record<string, string>, contentType?: string): Promise<Response> {
  const form = FORM_ROUTES.has(route.pattern);
  return fetch(new URL(route.path, server.url), {
    method: route.method,
    redirect: "manual",
    headers: {
      cookie,
      "content-type": contentType ?? (form ? "application/x-www-form-urlencoded" : "application/json"),
      ...headers,
    },
    body: plausibleBody(route.path),
  });
}

describe("CSRF: every state-changing route", async () => {
  const routes = await stateChangingRoutes();

  it("finds the routes the attack used, and more", () => {
    const keys = routes.map((r) => `${r.method} ${r.pattern}`);
    expect(keys).toEqual(
      expect.arrayContaining([
        "POST /api/v1/connections/[provider]/sync",
        "POST /api/v1/connections/[provider]/refresh",
        "DELETE /api/v1/connections/[provider]",
        "POST /api/v1/garmin/login",
        "POST /api/v1/garmin/mfa",
        "POST /api/v1/users",
        "POST /api/auth/[...nextauth]",
        "POST /sandbox/[provider]/[...path]",
        "PUT /sandbox/[provider]/[...path]",
        "DELETE /sandbox/[provider]/[...path]",
      ]),
    );
  });

  const foreignOrigins: Array<[string, Record<string, string>]> = [
    ["a foreign Origin", { origin: "http://evil.example" }],
    ["the same host on another port (same-site)", { origin: "http://127.0.0.1:1" }],
    ["Origin: null", { origin: "null" }],
    ["no Origin and no Sec-Fetch-Site", {}],
    ["no Origin, Sec-Fetch-Site: cross-site", { "sec-fetch-site": "cross-site" }],
    ["no Origin, Sec-Fetch-Site: same-site", { "sec-fetch-site": "same-site" }],
    [
      "a foreign Origin that claims Sec-Fetch-Site: same-origin",
      { origin: "http://evil.example", "sec-fetch-site": "same-origin" },
    ],
  ];

  for (const route of routes) {
    describe(`${route.method} ${route.path}`, () => {
      for (const [name, headers] of foreignOrigins) {
        it(`refuses ${name} with 403 and changes nothing`, async () => {
          const before = await snapshot();
          const response = await forged(route, headers);
          expect(response.status).toBe(403);
          expect(await response.json()).toEqual({ detail: expect.any(String) });
          expect(await snapshot()).toBe(before);
        });
      }

      it("refuses a text/plain body from a foreign origin (the no-preflight form trick)", async () => {
        const before = await snapshot();
        const response = await forged(route, { origin: "http://evil.example" }, "text/plain");
        expect(response.status).toBe(403);
        expect(await snapshot()).toBe(before);
      });

      it("refuses a same-origin text/plain body (415 for JSON routes) and changes nothing", async () => {
        const before = await snapshot();
        const response = await forged(route, { origin: server.url }, "text/plain;charset=UTF-8");
        if (FORM_ROUTES.has(route.pattern)) {
          // Refused in the form's own way (next-auth redirects to its error page), never signed in.
          expect(response.status).toBeGreaterThanOrEqual(300);
          expect(response.status).toBeLessThan(500);
          expect(response.headers.getSetCookie().join()).not.toMatch(/session-token=[^;]/);
        } else {
          expect(response.status).toBe(415);
          expect(await response.json()).toEqual({ detail: "Send the request body as application/json" });
        }
        expect(await snapshot()).toBe(before);
      });
    });
  }
});

describe("CSRF: the app's own pages still work", () => {
  const runsOf = async () => (await getDb()).select().from(syncRuns).where(eq(syncRuns.userId, userId));
  const connectionOf = async (provider: string) =>
    (await (await getDb()).select().from(connections).where(eq(connections.userId, userId))).find(
      (c) => c.provider === provider,
    );

  it("POST sync from our Origin → 202, a run is created", async () => {
    const before = (await runsOf()).length;
    const response = await client.post("/api/v1/connections/oura/sync");
    expect(response.status).toBe(202);
    await drainInProcessJobs();
    expect((await runsOf()).length).toBe(before + 1);
  });

  it("a browser that omits Origin but says Sec-Fetch-Site: same-origin is let through", async () => {
    const response = await fetch(new URL("/api/v1/connections/oura/sync", server.url), {
      method: "POST",
      headers: { cookie, "sec-fetch-site": "same-origin" },
    });
    expect(response.status).toBe(202);
    await drainInProcessJobs();
  });

  it("POST refresh from our Origin → 200, the tokens rotate", async () => {
    const before = await connectionOf("oura");
    const response = await client.post("/api/v1/connections/oura/refresh");
    expect(response.status).toBe(200);
    expect((await connectionOf("oura"))!.tokenVersion).toBe(before!.tokenVersion + 1);
  });

  it("POST Garmin login with JSON from our Origin → connected", async () => {
    const response = await client.post("/api/v1/garmin/login", {
      email: GARMIN_SANDBOX_EMAILS.plain,
      password: GARMIN_SANDBOX_PASSWORD,
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: "connected" });
    expect((await connectionOf("garmin"))?.status).toBe("active");
  });

  it("DELETE a connection from our Origin → 200, the account is disconnected", async () => {
    const response = await client.request("DELETE", "/api/v1/connections/oura");
    expect(response.status).toBe(200);
    expect((await connectionOf("oura"))?.status).not.toBe("active");
  });

  it("GET requests need no Origin (they change nothing)", async () => {
    const response = await fetch(new URL("/api/v1/connections", server.url), { headers: { cookie } });
    expect(response.status).toBe(200);
  });
});
