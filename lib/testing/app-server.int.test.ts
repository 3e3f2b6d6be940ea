import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { config } from "@/lib/config";
import { createTestClient, discoverRoutes, findRoute, startAppServer, type AppServer } from "./app-server";

let server: AppServer;

beforeAll(async () => {
  server = await startAppServer();
});

afterAll(async () => {
  await server.close();
});

describe("startAppServer", () => {
  it("serves the real health route, which reaches the database", async () => {
    const response = await fetch(`${server.url}/api/health`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("application/json");
    expect(await response.json()).toEqual({ status: "ok" });
  });

  it("points APP_URL at itself before handlers run", () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(config().appUrl.origin).toBe(server.url);
  });

  it("answers 404 JSON for paths no route handler serves", async () => {
    const response = await fetch(`${server.url}/api/does-not-exist`);
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: "No route handler for /api/does-not-exist" });
  });

  it("answers HEAD from GET without a body", async () => {
    const response = await fetch(`${server.url}/api/health`, { method: "HEAD" });
    expect(response.status).toBe(200);
    expect(await response.text()).toBe("");
  });

  it("redirects a trailing slash away without the client following it", async () => {
    const client = createTestClient(server.url);
    const response = await client.get("/api/health/?x=1");
    expect(response.status).toBe(308);
    expect(response.headers.get("location")).toBe("/api/health?x=1");
  });
});

describe("route discovery and matching", () => {
  const appDir = fs.mkdtempSync(path.join(os.tmpdir(), "wd-routes-"));
  const files = [
    "api/items/route.ts",
    "api/items/[id]/route.ts",
    "api/items/special/route.ts",
    "(group)/api/docs/[...slug]/route.ts",
    "api/docs/index/route.ts",
    "api/opt/[[...rest]]/route.ts",
    "_private/api/hidden/route.ts",
  ];
  for (const file of files) {
    fs.mkdirSync(path.join(appDir, path.dirname(file)), { recursive: true });
    fs.writeFileSync(path.join(appDir, file), "export {};\n");
  }
  afterAll(() => fs.rmSync(appDir, { recursive: true, force: true }));

  const routes = discoverRoutes(appDir);
  const match = (pathname: string) => {
    const found = findRoute(routes, pathname);
    return found && { pattern: found.route.pattern, params: found.params };
  };

  it("ignores route groups and private folders", () => {
    expect(routes.map((r) => r.pattern).sort()).toEqual([
      "/api/docs/[...slug]",
      "/api/docs/index",
      "/api/items",
      "/api/items/[id]",
      "/api/items/special",
      "/api/opt/[[...rest]]",
    ]);
  });

  it("prefers static segments over dynamic ones and both over catch-alls", () => {
    expect(match("/api/items/special")).toEqual({ pattern: "/api/items/special", params: {} });
    expect(match("/api/items/42")).toEqual({ pattern: "/api/items/[id]", params: { id: "42" } });
    expect(match("/api/docs/index")).toEqual({ pattern: "/api/docs/index", params: {} });
    expect(match("/api/docs/a/b%20c")).toEqual({ pattern: "/api/docs/[...slug]", params: { slug: ["a", "b c"] } });
  });

  it("requires at least one segment for a catch-all but not for an optional one", () => {
    expect(match("/api/docs")).toBeUndefined();
    expect(match("/api/opt")).toEqual({ pattern: "/api/opt/[[...rest]]", params: {} });
    expect(match("/api/opt/x/y")).toEqual({ pattern: "/api/opt/[[...rest]]", params: { rest: ["x", "y"] } });
    expect(match("/api/items/42/extra")).toBeUndefined();
    expect(match("/api/hidden")).toBeUndefined();
  });

  it("rejects two handlers for the same path", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "wd-routes-"));
    for (const file of ["(a)/x/route.ts", "(b)/x/route.ts"]) {
      fs.mkdirSync(path.join(dir, path.dirname(file)), { recursive: true });
      fs.writeFileSync(path.join(dir, file), "export {};\n");
    }
    expect(() => discoverRoutes(dir)).toThrow(/same path/);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

describe("serving handlers (fixture app)", () => {
  let fixture: AppServer;
  beforeAll(async () => {
    fixture = await startAppServer({ appDir: path.join(import.meta.dirname, "fixtures/app") });
  });
  afterAll(async () => {
    await fixture.close();
  });

  it("passes method, catch-all params, query, body and headers, and returns every Set-Cookie", async () => {
    const response = await fetch(`${fixture.url}/echo/a/b?q=1`, {
      method: "POST",
      headers: { "x-test": "hello", cookie: "session=abc" },
      body: "payload",
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      method: "POST",
      path: ["a", "b"],
      query: "1",
      body: "payload",
      session: "abc",
      header: "hello",
    });
    expect(response.headers.getSetCookie()).toEqual(["first=1; Path=/; HttpOnly", "second=2; Path=/"]);
  });

  it("streams a chunked body through", async () => {
    const response = await fetch(`${fixture.url}/stream`);
    expect(response.headers.get("content-type")).toBe("text/plain");
    expect(await response.text()).toBe("one two three");
  });

  it("turns redirect() into a 307 that carries cookies set with cookies(), and the client does not follow it", async () => {
    const client = createTestClient(fixture.url);
    const response = await client.get("/login");
    expect(response.status).toBe(307);
    expect(response.headers.get("location")).toBe("/echo/after-login");
    expect(client.cookie("session")).toBe("s1");

    const echoed = await client.post("/echo/after-login", { hello: "world" });
    expect(await echoed.json()).toMatchObject({ session: "s1", body: JSON.stringify({ hello: "world" }) });
    expect(client.cookie("first")).toBe("1");
    expect(client.cookie("second")).toBe("2");

    await client.get("/logout");
    expect(client.cookie("session")).toBeUndefined();
    expect(await (await client.post("/echo/x", "")).json()).toMatchObject({ session: null });
  });

  it("answers 405 for a method the route does not export", async () => {
    const response = await fetch(`${fixture.url}/stream`, { method: "POST" });
    expect(response.status).toBe(405);
  });
});
