import { describe, expect, it } from "vitest";
import { discoverRoutes, type DiscoveredRoute } from "@/lib/testing/app-server";
import { signedInClient } from "@/lib/testing/oauth-journey";
import { serveAppForTests } from "@/lib/testing/serve-app";

/**
 * No 500s on bad input: every route handler under app/ (found on disk, so a new route is covered
 * without touching this file) gets a table of hostile requests over HTTP — odd path values, every
 * method, broken and huge bodies, wrong content types, unicode, broken cookies and queries — signed
 * in (with our Origin, so the requests reach the handlers' own parsing) and anonymous. Every answer
 * must be below 500. Paths that are not even valid percent-encoding are refused by proxy.ts before
 * routing; they are exercised against the production build in e2e/hostile-input.spec.ts.
 */

const server = serveAppForTests({ sandboxFor: ["oura", "whoop", "withings", "garmin"] });

const METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] as const;

/** Values for a `[param]` segment (already percent-encoded where needed). */
const SEGMENT_VALUES = [
  "oura",
  "oura%00",
  "nope",
  "__proto__",
  "constructor",
  "%E2%9C%93%F0%9F%98%80",
  "..%2F..%2Fetc%2Fpasswd",
  "%20",
  "x".repeat(2000),
];

/** Values for a `[...param]` catch-all. */
const CATCH_ALL_VALUES = [
  "oauth/decision",
  "oauth/authorize",
  "oauth/token",
  "callback/credentials",
  "signin",
  "session",
  "csrf",
  "signout",
  "_control",
  "v2/usercollection/sleep",
  "%00/%00",
  "__proto__/constructor",
  "%E2%9C%93",
];

const TEN_MB = 10 * 1024 * 1024;

interface Body {
  name: string;
  contentType?: string;
  body: string | Uint8Array;
}

const BODIES: Body[] = [
  { name: "no body", body: "" },
  { name: "truncated JSON", contentType: "application/json", body: "{" },
  { name: "JSON null", contentType: "application/json", body: "null" },
  { name: "JSON array", contentType: "application/json", body: "[1,2,3]" },
  { name: "JSON number", contentType: "application/json", body: "1e999" },
  {
    name: "JSON with NUL, lone surrogates and unicode",
    contentType: "application/json",
    body: JSON.stringify({
      email: "ü\u0000@exämple.com",
      password: "\ud800😀".repeat(20),
      code: "１２３４５６",
      challenge_id: "\u0000",
      unitSystem: "\u0000",
      decision: "allow",
    }),
  },
  {
    name: "JSON with wrong types",
    contentType: "application/json",
    body: JSON.stringify({ email: 1, password: {}, code: [], challenge_id: null, priorities: "x" }),
  },
  { name: "deeply nested JSON", contentType: "application/json", body: "[".repeat(5000) + "]".repeat(5000) },
  { name: "text/plain JSON", contentType: "text/plain", body: '{"email":"a@b.c","password":"x"}' },
  { name: "XML", contentType: "application/xml", body: "<a/>" },
  { name: "broken multipart", contentType: "multipart/form-data; boundary=xyz", body: "--xyz\r\ngarbage" },
  { name: "multipart without boundary", contentType: "multipart/form-data", body: "a=b" },
  {
    name: "bad urlencoded",
    contentType: "application/x-www-form-urlencoded",
    body: "a=%ff&b=%&%00=%00&decision=allow",
  },
  { name: "binary", contentType: "application/octet-stream", body: new Uint8Array([0, 255, 254, 0, 1]) },
  { name: "content-type with bad charset", contentType: "application/json; charset=klingon", body: "{}" },
];

const HOSTILE_QUERY =
  "?code=%00&state=%ff&error=%E2%9C%93&redirect_uri=javascript:alert(1)&callbackUrl=//evil.example&start_date=99999-99-99&end_date=x&limit=-1&next_token=%00&range=%ff";

function fill(route: DiscoveredRoute, value: (kind: "dynamic" | "catch-all", index: number) => string): string {
  return (
    "/" +
    route.segments
      .map((segment, index) => {
        if (segment.kind === "static") return segment.value;
        if (segment.kind === "dynamic") return value("dynamic", index);
        return value("catch-all", index);
      })
      .join("/")
  );
}

/** Every concrete path to try for a route: each hostile value in each parameter position. */
function pathsFor(route: DiscoveredRoute): string[] {
  const paths = new Set<string>();
  const params = route.segments.map((s, i) => ({ kind: s.kind, i })).filter((s) => s.kind !== "static");
  const base = (kind: string) => (kind === "dynamic" ? SEGMENT_VALUES[0]! : CATCH_ALL_VALUES[0]!);
  paths.add(fill(route, (kind) => base(kind)));
  for (const param of params) {
    const values = param.kind === "dynamic" ? SEGMENT_VALUES : CATCH_ALL_VALUES;
    for (const value of values) paths.add(fill(route, (kind, index) => (index === param.i ? value : base(kind))));
  }
  return [...paths];
}

interface Failure {
  request: string;
  status: number;
  body: string;
}

async function attempt(
  failures: Failure[],
  label: string,
  url: string,
  init: { method: string; headers: Record<string, string>; body?: string | Uint8Array },
): Promise<void> {
  let response: Response;
  try {
    response = await fetch(url, { ...init, redirect: "manual" } as RequestInit);
  } catch (error) {
    failures.push({ request: label, status: 0, body: String(error) });
    return;
  }
  const text = await response.text();
  if (response.status >= 500) failures.push({ request: label, status: response.status, body: text.slice(0, 300) });
}

describe("no 5xx on hostile input, for every route handler", async () => {
  const routes = discoverRoutes();

  it("discovers the app's routes from the file system", () => {
    const patterns = routes.map((r) => r.pattern);
    expect(patterns).toEqual(
      expect.arrayContaining([
        "/api/v1/connections/[provider]/sync",
        "/api/auth/[...nextauth]",
        "/sandbox/[provider]/[...path]",
        "/api/inngest",
      ]),
    );
  });

  for (const route of routes) {
    it(`${route.pattern}`, { timeout: 600_000 }, async () => {
      const { client } = await signedInClient(server.url);
      const sessionCookie = `next-auth.session-token=${client.cookie("next-auth.session-token")}`;
      const identities: Array<[string, Record<string, string>]> = [
        ["signed in", { cookie: sessionCookie, origin: server.url }],
        ["anonymous", {}],
        [
          "broken cookie",
          { cookie: "next-auth.session-token=%ff%; __Secure-next-auth.session-token=\u00ff", origin: "null" },
        ],
      ];
      const failures: Failure[] = [];

      // Every hostile path, every method, no body.
      for (const path of pathsFor(route)) {
        for (const method of METHODS) {
          for (const [who, headers] of identities.slice(0, 2)) {
            await attempt(failures, `${method} ${path} (${who})`, `${server.url}${path}`, { method, headers });
          }
        }
      }

      // The plain path with a hostile query, and every body on every method that can carry one.
      const path = pathsFor(route)[0]!;
      for (const [who, headers] of identities) {
        for (const method of METHODS) {
          await attempt(
            failures,
            `${method} ${path}${HOSTILE_QUERY} (${who})`,
            `${server.url}${path}${HOSTILE_QUERY}`,
            {
              method,
              headers,
            },
          );
          if (method === "GET" || method === "HEAD") continue;
          for (const body of BODIES) {
            await attempt(failures, `${method} ${path} ${body.name} (${who})`, `${server.url}${path}`, {
              method,
              headers: { ...headers, ...(body.contentType ? { "content-type": body.contentType } : {}) },
              body: body.body,
            });
          }
        }
      }

      // 10 MB bodies, signed in (the expensive case: handlers must not choke on them).
      const huge = `{"email":"${"a".repeat(TEN_MB)}","password":"x"}`;
      for (const method of ["POST", "PUT"] as const) {
        for (const contentType of ["application/json", "application/x-www-form-urlencoded", "text/plain"]) {
          await attempt(failures, `${method} ${path} 10 MB ${contentType}`, `${server.url}${path}`, {
            method,
            headers: { ...identities[0]![1], "content-type": contentType },
            body: huge,
          });
        }
      }

      expect(failures).toEqual([]);
    });
  }
});
