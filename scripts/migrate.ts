import { migrateConfiguredDatabase } from "@/lib/db/migrate";

await migrateConfiguredDatabase();
console.info("Migrations applied.");
