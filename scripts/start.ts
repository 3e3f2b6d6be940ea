/**
 * `npm start`: check the production configuration (refusing to start without the secrets it
 * needs), apply pending migrations, then serve the built app. Migrations run before the server
 * opens the database, so an embedded PGlite folder is only ever open in one process.
 *
 * The app is served through Next.js's programmatic handler behind a plain node:http server so a
 * request Next.js would crash on before any of our code runs (TRACE, CONNECT…) gets a 405 instead
 * of a 500 (lib/http/refuse-unroutable.ts). Options as `next start`: -p/--port, -H/--hostname,
 * or PORT.
 */
import http from "node:http";
import { parseArgs } from "node:util";
import next from "next";
import { config, ConfigError } from "@/lib/config";
import { migrateConfiguredDatabase } from "@/lib/db/migrate";
import { refuseUnroutable } from "@/lib/http/refuse-unroutable";

(process.env as Record<string, string>).NODE_ENV = "production";
try {
  config(); // validates, and prints its warnings once
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(`\n✖ ${error.message}\n`);
    process.exit(1);
  }
  throw error;
}
await migrateConfiguredDatabase();
console.info("Migrations applied.");

const { values } = parseArgs({
  options: { port: { type: "string", short: "p" }, hostname: { type: "string", short: "H" } },
  strict: true,
});
const port = Number(values.port ?? process.env.PORT ?? 3000);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`\n✖ Invalid port: ${values.port ?? process.env.PORT}\n`);
  process.exit(1);
}
// Not $HOSTNAME: shells and containers set it to the machine name.
const hostname = values.hostname ?? "0.0.0.0";

const app = next({ dev: false, dir: process.cwd(), hostname, port });
const handle = app.getRequestHandler();
await app.prepare();

const server = http.createServer((request, response) => {
  if (refuseUnroutable(request, response)) return;
  handle(request, response).catch((error: unknown) => {
    console.error("Unhandled error while serving a request", error);
    if (!response.headersSent) response.writeHead(500, { "content-type": "application/json" });
    response.end(JSON.stringify({ detail: "Internal error" }));
  });
});
// CONNECT never reaches the request handler in node:http: refuse it instead of dropping the socket.
server.on("connect", (_request, socket) => {
  const body = JSON.stringify({ detail: "Method CONNECT is not allowed" });
  socket.end(
    `HTTP/1.1 405 Method Not Allowed\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\nconnection: close\r\n\r\n${body}`,
  );
});
server.listen(port, hostname, () => {
  console.info(`▲ Ready on http://${hostname === "0.0.0.0" ? "localhost" : hostname}:${port}`);
});

// Finish requests in flight, then close the database pools and jobs (instrumentation hooks).
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    server.close(() => process.exit(0));
    server.closeIdleConnections();
    setTimeout(() => process.exit(0), 10_000).unref();
  });
}
