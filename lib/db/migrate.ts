import { config } from "@/lib/config";
import { openDatabase } from "./client";

/** Applies committed migrations to the configured database, then closes it. */
export async function migrateConfiguredDatabase(): Promise<void> {
  const { close } = await openDatabase(config().databaseUrl, { migrate: true });
  await close();
}
