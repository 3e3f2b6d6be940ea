// Must come first: Next's request storage (headers(), cookies()) needs AsyncLocalStorage on globalThis,
// which the Next server installs at start-up.
import "next/dist/server/node-environment-baseline";
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { Readable } from "node:stream";
import { fileURLToPath } from "node:url";
import { NextRequest } from "next/server";
import { AppRouteRouteModule } from "next/dist/server/route-modules/app-route/module";
import { resetConfig } from "@/lib/config";

/**
 * An in-process HTTP server for integration tests that serves this app's route handlers
 * (`app/**\/route.ts`) the way Next.js does, without a Next build: routes are discovered from the
 * file system and each request runs through Next's own App Route module, so `headers()`,
 * `cookies()` (including setting them), `redirect()`, `notFound()`, `NextRequest.nextUrl` and the
 * automatic HEAD/OPTIONS/405 answers behave as in the real server. Pages (page.tsx) are not served.
 */

const REPO_ROOT = fileURLToPath(new URL("../..", import.meta.url));
const APP_DIR = path.join(REPO_ROOT, "app");
const ROUTE_FILE = /^route\.(ts|js)$/;

type Segment =
  | { kind: "static"; value: string }
  | { kind: "dynamic"; name: string }
  | { kind: "catch-all"; name: string }
  | { kind: "optional-catch-all"; name: string };

/** Lower ranks are more specific; Next prefers static over [x] over [...x] over [[...x]]. */
const RANK: Record<Segment["kind"], number> = { static: 0, dynamic: 1, "catch-all": 2, "optional-catch-all": 3 };

export interface DiscoveredRoute {
  /** URL pattern, e.g. `/api/v1/oauth/[provider]/callback`. */
  pattern: string;
  file: string;
  segments: Segment[];
}

type Params = Record<string, string | string[]>;

function parseSegment(folder: string): Segment {
  let match = /^\[\[\.\.\.([^\]]+)\]\]$/.exec(folder);
  if (match) return { kind: "optional-catch-all", name: match[1]! };
  match = /^\[\.\.\.([^\]]+)\]$/.exec(folder);
  if (match) return { kind: "catch-all", name: match[1]! };
  match = /^\[([^\]]+)\]$/.exec(folder);
  if (match) return { kind: "dynamic", name: match[1]! };
  return { kind: "static", value: folder };
}

/** Every route handler under `app/`, most specific first. Route groups `(x)` and private `_x` folders follow Next's rules. */
export function discoverRoutes(appDir: string = APP_DIR): DiscoveredRoute[] {
  const routes: DiscoveredRoute[] = [];
  const walk = (dir: string, folders: string[]) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) {
        // `_x` folders are private (not routable); `@slot` folders hold parallel pages, not handlers.
        if (entry.name.startsWith("_") || entry.name.startsWith("@") || entry.name === "node_modules") continue;
        walk(path.join(dir, entry.name), [...folders, entry.name]);
      } else if (ROUTE_FILE.test(entry.name)) {
        const segments = folders.filter((f) => !(f.startsWith("(") && f.endsWith(")"))).map(parseSegment);
        const pattern = "/" + segments.map(segmentPattern).join("/");
        routes.push({ pattern, file: path.join(dir, entry.name), segments });
      }
    }
  };
  if (fs.existsSync(appDir)) walk(appDir, []);

  const seen = new Map<string, string>();
  for (const route of routes) {
    const shape = route.segments.map((s) => (s.kind === "static" ? s.value : `[${s.kind}]`)).join("/");
    const other = seen.get(shape);
    if (other) throw new Error(`Two route handlers resolve to the same path: ${other} and ${route.file}`);
    seen.set(shape, route.file);
  }
  return routes.sort(compareSpecificity);
}

function segmentPattern(segment: Segment): string {
  switch (segment.kind) {
    case "static":
      return segment.value;
    case "dynamic":
      return `[${segment.name}]`;
    case "catch-all":
      return `[...${segment.name}]`;
    case "optional-catch-all":
      return `[[...${segment.name}]]`;
  }
}

function compareSpecificity(a: DiscoveredRoute, b: DiscoveredRoute): number {
  const length = Math.max(a.segments.length, b.segments.length);
  for (let i = 0; i < length; i++) {
    const sa = a.segments[i];
    const sb = b.segments[i];
    // A route that ends earlier is more specific only where the other continues with a catch-all.
    if (!sa) return -1;
    if (!sb) return 1;
    const byRank = RANK[sa.kind] - RANK[sb.kind];
    if (byRank !== 0) return byRank;
  }
  return 0;
}

/** Matches a pathname against one route; returns its params, or undefined. */
export function matchRoute(route: DiscoveredRoute, pathname: string): Params | undefined {
  const parts = pathname.split("/").filter(Boolean);
  let decoded: string[];
  try {
    decoded = parts.map((part) => decodeURIComponent(part));
  } catch {
    return undefined;
  }
  const params: Params = {};
  for (let i = 0; i < route.segments.length; i++) {
    const segment = route.segments[i]!;
    const part = decoded[i];
    switch (segment.kind) {
      case "static":
        if (part !== segment.value) return undefined;
        break;
      case "dynamic":
        if (part === undefined) return undefined;
        params[segment.name] = part;
        break;
      case "catch-all":
        if (part === undefined) return undefined;
        params[segment.name] = decoded.slice(i);
        return params;
      case "optional-catch-all":
        if (part !== undefined) params[segment.name] = decoded.slice(i);
        return params;
    }
  }
  return decoded.length === route.segments.length ? params : undefined;
}

export function findRoute(
  routes: DiscoveredRoute[],
  pathname: string,
): { route: DiscoveredRoute; params: Params } | undefined {
  for (const route of routes) {
    const params = matchRoute(route, pathname);
    if (params) return { route, params };
  }
  return undefined;
}

function routeModuleFor(route: DiscoveredRoute, appDir: string): AppRouteRouteModule {
  const relativeDir = path.relative(appDir, path.dirname(route.file)).split(path.sep).join("/");
  const page = `/${relativeDir ? `${relativeDir}/` : ""}route`;
  return new AppRouteRouteModule({
    // Imported through the test runner, so TypeScript and the `@/` alias work as in the app.
    userland: () => import(/* @vite-ignore */ route.file),
    definition: {
      kind: "APP_ROUTE",
      page,
      pathname: route.pattern,
      filename: "route",
      bundlePath: `app${page}`,
    },
    distDir: ".next",
    relativeProjectDir: "",
    resolvedPagePath: route.file,
    nextConfigOutput: undefined,
  } as unknown as ConstructorParameters<typeof AppRouteRouteModule>[0]);
}

function routeContext(params: Params) {
  return {
    params,
    previewProps: { previewModeId: "test", previewModeEncryptionKey: "test", previewModeSigningKey: "test" },
    renderOpts: {
      experimental: { authInterrupts: false, durableUseCacheEntries: false },
      cacheComponents: false,
      isDraftMode: false,
      waitUntil: undefined,
      onClose: () => {},
      onAfterTaskError: undefined,
    },
    sharedContext: { buildId: "test", deploymentId: "" },
  } as unknown as Parameters<AppRouteRouteModule["handle"]>[1];
}

async function toNextRequest(req: http.IncomingMessage, origin: string): Promise<NextRequest> {
  const headers = new Headers();
  for (let i = 0; i < req.rawHeaders.length; i += 2) headers.append(req.rawHeaders[i]!, req.rawHeaders[i + 1]!);
  const method = req.method ?? "GET";
  let body: Uint8Array<ArrayBuffer> | undefined;
  if (method !== "GET" && method !== "HEAD") {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    body = new Uint8Array(Buffer.concat(chunks));
  }
  return new NextRequest(new URL(req.url ?? "/", origin), { method, headers, body });
}

async function sendResponse(res: http.ServerResponse, response: Response): Promise<void> {
  const headers: Record<string, string | string[]> = {};
  response.headers.forEach((value, name) => {
    if (name !== "set-cookie") headers[name] = value;
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length) headers["set-cookie"] = cookies;
  res.writeHead(response.status, response.statusText || undefined, headers);
  if (!response.body) {
    res.end();
    return;
  }
  const body = Readable.fromWeb(response.body as import("node:stream/web").ReadableStream);
  await new Promise<void>((resolve, reject) => {
    body.on("error", reject);
    res.on("close", resolve);
    body.pipe(res);
  });
}

function sendJson(res: http.ServerResponse, status: number, value: unknown): void {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(value));
}

export interface AppServer {
  url: string;
  close(): Promise<void>;
}

/**
 * Starts the server on 127.0.0.1 with a random port and points APP_URL at it, so URLs the app
 * builds (OAuth redirect URIs, sandbox endpoints) lead back to this server. `appDir` defaults to
 * this app's `app/` folder (the server's own tests use a fixture tree).
 */
export async function startAppServer(options: { appDir?: string } = {}): Promise<AppServer> {
  const appDir = options.appDir ?? APP_DIR;
  const routes = discoverRoutes(appDir);
  const modules = new Map<string, AppRouteRouteModule>();
  let origin = "";

  // The handler catches everything itself (a 500, as Next does); Node ignores the promise.
  // eslint-disable-next-line @typescript-eslint/no-misused-promises
  const server = http.createServer(async (req, res) => {
    try {
      const request = await toNextRequest(req, origin);
      const { pathname } = request.nextUrl;
      if (pathname.length > 1 && pathname.endsWith("/")) {
        // Next redirects trailing slashes away (trailingSlash: false).
        res.writeHead(308, { location: pathname.slice(0, -1) + request.nextUrl.search });
        res.end();
        return;
      }
      const found = findRoute(routes, pathname);
      if (!found) {
        sendJson(res, 404, { error: `No route handler for ${pathname}` });
        return;
      }
      let routeModule = modules.get(found.route.file);
      if (!routeModule) {
        routeModule = routeModuleFor(found.route, appDir);
        modules.set(found.route.file, routeModule);
      }
      const response = await routeModule.handle(request, routeContext(found.params));
      await sendResponse(res, response);
    } catch (error) {
      // Like Next: the details go to the server log, the client gets a bare 500.
      console.error(`[app-server] ${req.method} ${req.url} failed:`, error);
      if (!res.headersSent) sendJson(res, 500, { error: "Internal Server Error" });
      else res.destroy();
    }
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const { port } = server.address() as AddressInfo;
  origin = `http://127.0.0.1:${port}`;
  process.env.APP_URL = origin;
  resetConfig();

  return {
    url: origin,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

/**
 * A fetch for tests that keeps cookies between requests (one host, so Path/Domain are ignored),
 * sends the app's Origin on state-changing requests as a browser on its pages does, and never
 * follows redirects, so tests can assert on each 3xx and its Location.
 */
export function createTestClient(baseUrl: string) {
  const jar = new Map<string, string>();

  function remember(response: Response) {
    for (const header of response.headers.getSetCookie()) {
      const [pair = "", ...attributes] = header.split(";");
      const eq = pair.indexOf("=");
      if (eq <= 0) continue;
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expired = attributes.some((attribute) => {
        const [key = "", val = ""] = attribute.split("=").map((s) => s.trim());
        if (key.toLowerCase() === "max-age") return Number(val) <= 0;
        if (key.toLowerCase() === "expires") return Date.parse(val) <= Date.now();
        return false;
      });
      if (expired) jar.delete(name);
      else jar.set(name, value);
    }
  }

  async function request(method: string, pathOrUrl: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (jar.size && !headers.has("cookie")) {
      headers.set("cookie", [...jar].map(([name, value]) => `${name}=${value}`).join("; "));
    }
    // Like a browser on one of the app's pages: state-changing requests carry the page's Origin.
    if (!["GET", "HEAD"].includes(method.toUpperCase()) && !headers.has("origin")) {
      headers.set("origin", new URL(baseUrl).origin);
    }
    const response = await fetch(new URL(pathOrUrl, baseUrl), { ...init, method, headers, redirect: "manual" });
    remember(response);
    return response;
  }

  return {
    request,
    get: (pathOrUrl: string, init?: RequestInit) => request("GET", pathOrUrl, init),
    /** Plain objects are sent as JSON; URLSearchParams, FormData and strings as they are. */
    post: (pathOrUrl: string, body?: BodyInit | Record<string, unknown>, init: RequestInit = {}) => {
      const isPlainObject = body !== undefined && body !== null && Object.getPrototypeOf(body) === Object.prototype;
      const headers = new Headers(init.headers);
      if (isPlainObject && !headers.has("content-type")) headers.set("content-type", "application/json");
      return request("POST", pathOrUrl, {
        ...init,
        headers,
        body: isPlainObject ? JSON.stringify(body) : (body as BodyInit | undefined),
      });
    },
    cookie: (name: string): string | undefined => jar.get(name),
    setCookie: (name: string, value: string) => void jar.set(name, value),
    clearCookies: () => jar.clear(),
  };
}

export type TestClient = ReturnType<typeof createTestClient>;
