import { getProvider } from "@/lib/providers";
import { createSyncRun, rangeEndingToday } from "@/lib/sync/engine";
import { enqueueSyncRun } from "@/lib/sync/enqueue";
import { connectionConnected, sendEvent, syncRequested } from "@/lib/events";
import { findConnection } from "./service";

const MANUAL_SYNC_DAYS = 3;
const DEFAULT_BACKFILL_DAYS = 30;

/** Queues the first sync of a new (or re-) connection: the provider's backfill window. */
export async function startBackfill(connectionId: string, provider: string): Promise<string> {
  const days = getProvider(provider)?.backfillDays ?? DEFAULT_BACKFILL_DAYS;
  const run = await createSyncRun({ connectionId, kind: "backfill", range: rangeEndingToday(days) });
  await enqueueSyncRun(run.id, () =>
    sendEvent({ name: connectionConnected.name, data: { connectionId, syncRunId: run.id, provider } }),
  );
  return run.id;
}

/** The "Sync now" button: re-reads the last few days. Returns undefined when not connected. */
export async function requestManualSync(userId: string, provider: string): Promise<string | undefined> {
  const connection = await findConnection(userId, provider);
  if (!connection || connection.status !== "active") return undefined;
  const run = await createSyncRun({
    connectionId: connection.id,
    kind: "manual",
    range: rangeEndingToday(MANUAL_SYNC_DAYS),
  });
  await enqueueSyncRun(run.id, () =>
    sendEvent({
      name: syncRequested.name,
      data: { connectionId: connection.id, syncRunId: run.id, provider: connection.provider },
    }),
  );
  return run.id;
}
