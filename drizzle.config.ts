import { defineConfig } from "drizzle-kit";

// Migrations are generated from lib/db/schema.ts and committed; the app applies them itself
// (lib/db/migrate.ts), so drizzle-kit is only needed to generate new ones.
export default defineConfig({
  dialect: "postgresql",
  schema: "./lib/db/schema.ts",
  out: "./drizzle",
  casing: "snake_case",
});
