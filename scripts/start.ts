/**
 * `npm start`: check the production configuration (refusing to start without the secrets it
 * needs), apply pending migrations, then hand over to `next start`. Migrations run before the
 * server opens the database, so an embedded PGlite folder is only ever open in one process.
 */
import { spawn } from "node:child_process";
import { config, ConfigError } from "@/lib/config";
import { migrateConfiguredDatabase } from "@/lib/db/migrate";

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

const next = spawn(process.execPath, ["node_modules/next/dist/bin/next", "start", ...process.argv.slice(2)], {
  stdio: "inherit",
  env: process.env,
});
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => next.kill(signal));
next.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
